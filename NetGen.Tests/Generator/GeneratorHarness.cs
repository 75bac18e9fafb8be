using System.Collections.Immutable;
using System.Text;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using NetGen.Generator;

namespace NetGen.Tests.Generator;

/// <summary>Runs <see cref="NetworkGenerator"/> in process on source text, against .NET 10 reference assemblies and
/// the NetGen attribute and runtime assemblies (loaded once for all tests).</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. Net100.References.All,
        MetadataReference.CreateFromFile(typeof(NetworkAttribute).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(INetwork).Assembly.Location),
    ];

    private static readonly CSharpCompilationOptions Options = new(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);

    public static CSharpCompilation Compilation(params SyntaxTree[] trees) =>
        CSharpCompilation.Create("UserCode", trees, References, Options);

    public static SyntaxTree Parse(string source, string path = "Network.cs") =>
        CSharpSyntaxTree.ParseText(source, ParseOptions, path, Encoding.UTF8);

    public static GeneratorDriver Driver() =>
        CSharpGeneratorDriver.Create([new NetworkGenerator().AsSourceGenerator()], parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator on <paramref name="source"/> with <paramref name="files"/> as AdditionalFiles (tuning
    /// tables); returns its result and the compilation with the generated code.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Run(string source, params AdditionalText[] files)
    {
        var input = Compilation(Parse(source));
        var driver = Driver().AddAdditionalTexts([.. files]).RunGeneratorsAndUpdateCompilation(input, out var output, out _);
        return (driver.GetRunResult().Results.Single(), output);
    }

    /// <summary>The generated file's text, after checking that the generator reports exactly
    /// <paramref name="expectedWarnings"/> and the compiler nothing at all.</summary>
    public static string GenerateClean(string source, params string[] expectedWarnings) => GenerateClean(source, [], expectedWarnings);

    /// <summary><see cref="GenerateClean(string, string[])"/> with <paramref name="files"/> as AdditionalFiles.</summary>
    public static string GenerateClean(string source, AdditionalText[] files, params string[] expectedWarnings)
    {
        var (result, output) = Run(source, files);
        Assert.Null(result.Exception);
        Assert.Equal(expectedWarnings, result.Diagnostics.Select(d => d.Id));
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, "Generated code does not compile cleanly:\n" + string.Join("\n", problems));
        return result.GeneratedSources.Single().SourceText.ToString();
    }

    /// <summary>
    /// Source with one span marked <c>[|…|]</c>: returns the source without the marks and the marked span's
    /// line/column position, for checking where a diagnostic points.
    /// </summary>
    public static (string Source, LinePositionSpan Span) Marked(string marked)
    {
        int start = marked.IndexOf("[|", StringComparison.Ordinal);
        int end = marked.IndexOf("|]", StringComparison.Ordinal) - 2;
        Assert.True(start >= 0 && end >= start, "The test source needs one [|…|] mark.");
        string source = marked.Replace("[|", "").Replace("|]", "");
        var text = SourceText.From(source);
        return (source, text.Lines.GetLinePositionSpan(TextSpan.FromBounds(start, end)));
    }

    /// <summary>An AdditionalFile held in memory.</summary>
    public sealed class TextFile(string path, string text) : AdditionalText
    {
        public override string Path => path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }
}
