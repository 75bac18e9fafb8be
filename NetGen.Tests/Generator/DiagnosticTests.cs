using System.Globalization;
using Microsoft.CodeAnalysis;
using NetGen.Generator.Diagnostics;
using NetGen.Generator.Model;
using NetGen.Generator.Planning;

namespace NetGen.Tests.Generator;

/// <summary>One test per diagnostic ID: the ID, the exact span (marked <c>[|…|]</c> in the source), the message,
/// and that the compiler adds no follow-on error of its own (the stub keeps the code compiling).</summary>
public class DiagnosticTests
{
    /// <summary>Generates <paramref name="markedSource"/> (with <c>using NetGen;</c> added) and checks its one diagnostic:
    /// the ID, the marked span, the message and the help link, and that the compiler reports exactly the error IDs
    /// <paramref name="expectedCompilerErrors"/> (none unless given).</summary>
    internal static void AssertReports(string markedSource, string id, string message, params string[] expectedCompilerErrors)
    {
        var (source, span) = GeneratorHarness.Marked("using NetGen;\n\n" + markedSource);
        var (result, output) = GeneratorHarness.Run(source);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(span, diagnostic.Location.GetLineSpan().Span);
        Assert.Equal(message, diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(DiagnosticDescriptors.HelpBase + id + ".md", diagnostic.Descriptor.HelpLinkUri);
        var compilerErrors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).Distinct().Order();
        Assert.Equal(expectedCompilerErrors.Order(), compilerErrors);
    }

    /// <summary>The source of network <c>Net</c> with <paramref name="loss"/> and the layer properties
    /// <paramref name="layers"/>.</summary>
    internal static string Net(Loss loss, string layers) => $"[Network(Loss = Loss.{loss})]\npublic partial class Net\n{{\n{layers}\n}}";

    [Fact]
    public void NG0001_ClassNotPartial() => AssertReports("""
        [Network(Loss = Loss.SquaredError)]
        public class [|Net|]
        {
            [Input(2)] public Layer X => null!;
        }
        """, "NG0001", "'Net' must be declared partial so that NetGen can add the generated members of network 'Net'");

    [Fact]
    public void NG0001_ContainingTypeNotPartial() => AssertReports("""
        public static class [|Models|]
        {
            [Network(Loss = Loss.SquaredError)]
            public partial class Net { }
        }
        """, "NG0001", "'Models' must be declared partial so that NetGen can add the generated members of network 'Net'");

    [Fact]
    public void NG0002_LayerNotPartial() => AssertReports(Net(Loss.SquaredError, """
        [Input(2)] public partial Layer X { get; }
        [Dense(3)] public Layer [|Y|] => null!;
        """), "NG0002", "Layer 'Y' must be a partial property: declare it as 'public partial Layer Y { get; }'");

    [Fact]
    public void NG0003_LayerStatic() => AssertReports(Net(Loss.SquaredError, """
        [Input(2)] public partial Layer X { get; }
        [Dense(3)] public static partial Layer [|Y|] { get; }
        """), "NG0003", "Layer 'Y' is static; a layer belongs to one network instance, so declare it without 'static'");

    [Fact]
    public void NG0004_LayerHasSetter() => AssertReports(Net(Loss.SquaredError, """
        [Input(2)] public partial Layer X { get; }
        [Dense(3)] public partial Layer [|Y|] { get; set; }
        """), "NG0004", "Layer 'Y' declares a setter; layers are created by the generated constructor, so declare only '{ get; }'");

    [Fact]
    public void NG0005_TwoLayerAttributes() => AssertReports(Net(Loss.SquaredError, """
        [Input(2)] public partial Layer X { get; }
        [Dense(3), [|Input(3)|]] public partial Layer Y { get; }
        """), "NG0005", "'Y' has more than one layer attribute (Dense, Input); a layer has exactly one kind");

    [Fact]
    public void NG0006_TwoActivations() => AssertReports(Net(Loss.SquaredError, """
        [Input(2)] public partial Layer X { get; }
        [Dense(3), Relu, [|Tanh|]] public partial Layer Y { get; }
        """), "NG0006", "Layer 'Y' has more than one activation (Relu, Tanh); keep one");

    [Fact]
    public void NG0007_ActivationWithoutLayer() => AssertReports(Net(Loss.SquaredError, """
        [Input(2)] public partial Layer X { get; }
        [[|Sigmoid|]] public partial Layer Y { get; }
        """), "NG0007", "'Y' has the activation [Sigmoid] but no layer attribute; add one, e.g. [Dense(64), Sigmoid]");

    [Fact]
    public void NG0008_NoInput() => AssertReports("""
        [Network(Loss = Loss.SquaredError)]
        public partial class [|Net|]
        {
            [Dense(3)] public partial Layer Y { get; }
        }
        """, "NG0008", "Network 'Net' has no [Input] layer; declare the per-sample input shape first, e.g. [Input(784)] public partial Layer Pixels { get; }");

    [Fact]
    public void NG0009_TwoInputs() => AssertReports(Net(Loss.SquaredError, """
        [Input(2)] public partial Layer X { get; }
        [[|Input(3)|]] public partial Layer Y { get; }
        [Dense(1)] public partial Layer Z { get; }
        """), "NG0009", "Layer 'Y' is a second input: 'X' already is the input of network 'Net', and a network has one input layer");

    [Fact]
    public void NG0010_InputNotFirst() => AssertReports(Net(Loss.SquaredError, """
        [Dense(3)] public partial Layer A { get; }
        [[|Input(2)|]] public partial Layer X { get; }
        [Dense(1)] public partial Layer B { get; }
        """), "NG0010", "Input 'X' must be the first layer, but 'A' is declared before it; move 'X' to the top");

    [Fact]
    public void NG0011_DuplicateLayerName() => AssertReports(Net(Loss.SquaredError, """
        [Input(2)] public partial Layer X { get; }
        [Dense(3)] public partial Layer H { get; }
        [Dense(1)] public partial Layer [|H|] { get; }
        """), "NG0011", "Layer name 'H' is used by more than one layer; give each layer its own name", "CS0102", "CS9250");

    [Fact]
    public void NG0012_NameClashesWithGeneratedMember() => AssertReports(Net(Loss.SquaredError, """
        [Input(2)] public partial Layer X { get; }
        [Dense(1)] public partial Layer [|Parameters|] { get; }
        """), "NG0012", "Layer name 'Parameters' collides with the generated member 'Parameters' of network 'Net'; rename the layer");

    [Theory]
    [InlineData("Forward", null)]
    [InlineData("TrainStep", null)]
    [InlineData("ParameterCount", null)]
    [InlineData("LayerNames", null)]
    [InlineData("Loss", "CS0120")] // the user's own `Loss = Loss.SquaredError` now reads the layer
    public void NG0012_StubStillCompilesWhateverTheName(string name, string? compilerError) => AssertReports(Net(Loss.SquaredError, $$"""
        [Input(2)] public partial Layer X { get; }
        [Dense(1)] public partial Layer [|{{name}}|] { get; }
        """), "NG0012", $"Layer name '{name}' collides with the generated member '{name}' of network 'Net'; rename the layer",
        compilerError is null ? [] : [compilerError]);

    [Fact]
    public void NG0013_UnknownSource() => AssertReports(Net(Loss.SquaredError, """
        [Input(2)] public partial Layer X { get; }
        [[|Dense(1, From = "Nope")|]] public partial Layer Y { get; }
        """), "NG0013", "Layer 'Y' reads From = \"Nope\", but network 'Net' has no layer named 'Nope'; write From = nameof(...) of an earlier layer");

    [Fact]
    public void NG0014_LaterSource() => AssertReports(Net(Loss.SquaredError, """
        [Input(2)] public partial Layer X { get; }
        [[|Dense(3, From = nameof(Z))|]] public partial Layer Y { get; }
        [Dense(1)] public partial Layer Z { get; }
        """), "NG0014", "Layer 'Y' reads From 'Z', which is declared after it; a layer can only read layers declared before it");

    [Fact]
    public void NG0015_NoLoss() => AssertReports("""
        [Network]
        public partial class [|Net|]
        {
            [Input(2)] public partial Layer X { get; }
            [Dense(1)] public partial Layer Y { get; }
        }
        """, "NG0015", "Network 'Net' has no Loss, so no TrainStep is generated; set [Network(Loss = Loss.SoftmaxCrossEntropy)] or Loss.SquaredError to train it");

    [Fact]
    public void NG0016_UnknownLoss() => AssertReports("""
        [Network(Loss = (Loss)7)]
        public partial class [|Net|]
        {
            [Input(2)] public partial Layer X { get; }
            [Dense(1)] public partial Layer Y { get; }
        }
        """, "NG0016", "Network 'Net' has Loss = 7, which is not a NetGen.Loss value NetGen knows");

    [Fact]
    public void NG0017_UnusedLayer() => AssertReports(Net(Loss.SquaredError, """
        [Input(2)] public partial Layer X { get; }
        [Dense(4)] public partial Layer H { get; }
        [[|Dense(3)|]] public partial Layer Side { get; }
        [Dense(1, From = nameof(H))] public partial Layer Y { get; }
        """), "NG0017", "Layer 'Side' [B,3] is read by no later layer and does not reach the output 'Y'; its parameters get zero gradients");

    [Fact]
    public void NG0018_ActivationOnInput() => AssertReports(Net(Loss.SquaredError, """
        [[|Input(2)|], Relu] public partial Layer X { get; }
        [Dense(1)] public partial Layer Y { get; }
        """), "NG0018", "Layer 'X' is of kind Input, which takes no activation; remove [Relu]");

    [Fact]
    public void NG0019_NothingAfterInput() => AssertReports("""
        [Network(Loss = Loss.SquaredError)]
        public partial class [|Net|]
        {
            [Input(2)] public partial Layer X { get; }
        }
        """, "NG0019", "Network 'Net' has no layer after its input 'X'; add at least one, e.g. [Dense(10)] public partial Layer Output { get; }");

    [Fact]
    public void NG0100_InputDimensionNotPositive() => AssertReports(Net(Loss.SquaredError, """
        [[|Input(2, 0)|]] public partial Layer X { get; }
        [Dense(1)] public partial Layer Y { get; }
        """), "NG0100", "Input 'X' has shape [2,0]; every dimension must be at least 1");

    [Fact]
    public void NG0101_InputWithoutDimensions() => AssertReports(Net(Loss.SquaredError, """
        [[|Input|]] public partial Layer X { get; }
        [Dense(1)] public partial Layer Y { get; }
        """), "NG0101", "Input 'X' declares no dimensions; give its per-sample shape, e.g. [Input(784)] or [Input(1, 28, 28)]");

    [Fact]
    public void NG0102_UnitsNotPositive() => AssertReports(Net(Loss.SquaredError, """
        [Input(2)] public partial Layer X { get; }
        [[|Dense(-4)|]] public partial Layer Y { get; }
        """), "NG0102", "Dense layer 'Y' has -4 units; units must be at least 1");

    [Fact]
    public void NG0103_LossDoesNotFitOutput() => AssertReports(Net(Loss.SoftmaxCrossEntropy, """
        [Input(2)] public partial Layer X { get; }
        [[|Dense(1)|]] public partial Layer Logit { get; }
        """), "NG0103", "SoftmaxCrossEntropy needs at least 2 outputs (one per class), but the last layer 'Logit' gives [1] per sample");

    [Fact]
    public void NG0200_WrongPropertyType() => AssertReports(Net(Loss.SquaredError, """
        [Input(2)] public partial Layer X { get; }
        [Dense(1)] public partial [|float[]|] Y { get; }
        """), "NG0200", "Layer 'Y' has type 'float[]'; a layer property must have type NetGen.Layer");

    [Fact]
    public void NG0900_TooLarge() => AssertReports(Net(Loss.SquaredError, """
        [[|Input(65536, 65536)|]] public partial Layer X { get; }
        [Dense(1)] public partial Layer Y { get; }
        """), "NG0900", "Network 'Net' needs 4,294,967,296 activation floats per sample, more than one .NET array holds; make the layers smaller");

    [Fact]
    public void NG0999_InternalFailureIsReportedNotThrown()
    {
        var location = new SourceSpan("Net.cs", new Microsoft.CodeAnalysis.Text.TextSpan(0, 3), default);
        var layer = new LayerSpec("X", "NoSuchKind", new UnknownOptions(), null, location, location);
        var spec = new NetworkSpec(new TypeSpec(null, default, "class Net", "Net", "Net"), 2, EquatableArray.Create(layer), default, location, default, true, false);

        var build = Planner.Build(spec);

        var diagnostic = Assert.Single(build.Diagnostics);
        Assert.Equal("NG0999", diagnostic.Descriptor.Id);
        Assert.Equal(location, diagnostic.Location);
        Assert.StartsWith("NetGen failed on network 'Net': KeyNotFoundException: No layer kind named 'NoSuchKind'.",
            diagnostic.ToDiagnostic(null).GetMessage(CultureInfo.InvariantCulture));
        Assert.Null(build.Plan);
    }

    private sealed record UnknownOptions : LayerOptions;

    [Fact]
    public void EveryDescriptorHasAReleaseEntryAndAHelpPage()
    {
        string root = RepositoryRoot();
        string releases = File.ReadAllText(Path.Combine(root, "NetGen.Generator", "Diagnostics", "AnalyzerReleases.Unshipped.md"));
        var descriptors = typeof(DiagnosticDescriptors).GetFields()
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor)).Select(f => (DiagnosticDescriptor)f.GetValue(null)!).ToList();
        Assert.True(descriptors.Count >= 20);
        Assert.Equal(descriptors.Count, descriptors.Select(d => d.Id).Distinct().Count());
        foreach (var d in descriptors)
        {
            Assert.Contains(d.Id + " | " + d.Category + " | " + d.DefaultSeverity + " |", releases);
            string page = Path.Combine(root, "docs", "diagnostics", d.Id + ".md");
            Assert.True(File.Exists(page), "Missing help page " + page);
            Assert.StartsWith("# " + d.Id, File.ReadAllText(page));
        }
    }

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
