using Microsoft.CodeAnalysis;
using NetGen.Generator;

namespace NetGen.Tests.Generator;

/// <summary>The pipeline's values are equatable: edits that do not change a network leave its steps cached, and an
/// edit to a layer recomputes them.</summary>
public class IncrementalTests
{
    private const string Network = """
        using NetGen;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Mlp
        {
            [Input(784)]       public partial Layer Pixels { get; }
            [Dense(128), Relu] public partial Layer Hidden { get; }
            [Dense(10)]        public partial Layer Logits { get; }
        }
        """;

    internal static readonly string[] Steps = [NetworkGenerator.Steps.Parse, NetworkGenerator.Steps.Plan, NetworkGenerator.Steps.Tune, NetworkGenerator.Steps.Emit];

    internal static GeneratorRunResult RunTwice(Func<Compilation, SyntaxTree, SyntaxTree, Compilation> edit, string source = Network)
    {
        var network = GeneratorHarness.Parse(source, "Mlp.cs");
        var other = GeneratorHarness.Parse("namespace Demo; public class Other { public int X; }", "Other.cs");
        var compilation = GeneratorHarness.Compilation(network, other);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        driver = driver.RunGenerators(edit(compilation, network, other));
        return driver.GetRunResult().Results.Single();
    }

    internal static IEnumerable<IncrementalStepRunReason> Reasons(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason);

    [Fact]
    public void UnrelatedEditLeavesEveryStepCached()
    {
        var result = RunTwice((c, _, other) => c.ReplaceSyntaxTree(other,
            GeneratorHarness.Parse("namespace Demo; public class Other { public int X; public int Y; }", "Other.cs")));

        foreach (string step in Steps.Append(NetworkGenerator.Steps.Diagnostics))
        {
            var reasons = Reasons(result, step).ToList();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, step + ": " + r));
        }
        Assert.All(Reasons(result, NetworkGenerator.Steps.Emit), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void ChangingALayersUnitsModifiesEveryStep()
    {
        var result = RunTwice((c, network, _) => c.ReplaceSyntaxTree(network,
            GeneratorHarness.Parse(Network.Replace("Dense(128)", "Dense(64)"), "Mlp.cs")));

        foreach (string step in Steps)
            Assert.Equal([IncrementalStepRunReason.Modified], Reasons(result, step));
        Assert.Contains("Dense.Forward<global::NetGen.Kernels.Relu>(batch, 784, 64,", result.GeneratedSources.Single().SourceText.ToString());
    }

    private const string ConvNet = """
        using NetGen;

        namespace Demo;

        [Network(Loss = Loss.SquaredError)]
        public partial class ConvNet
        {
            [Input(1, 12, 12)]                        public partial Layer Image { get; }
            [Conv2D(6, Kernel = 3, Padding = 1), Relu] public partial Layer C1 { get; }
            [Dense(2)]                                public partial Layer Out { get; }
        }
        """;

    private const string Table = "Conv2D in=1x12x12 out=6 kernel=3x3 stride=1 padding=1 batch=* isa=avx512 forward=im2col # 0.9× direct\n"
        + "Dense in=864 out=2 batch=2-* isa=avx512 product=dw kc=128 order=panels # 0.95× the rule\n";

    /// <summary>Runs the generator on <see cref="ConvNet"/> with a tuning table, applies <paramref name="edit"/> to the
    /// driver (table or source), and runs it again.</summary>
    private static GeneratorRunResult RunTwiceWithTable(Func<GeneratorDriver, Compilation, AdditionalText, (GeneratorDriver, Compilation)> edit)
    {
        var table = new GeneratorHarness.TextFile("/src/net.netgen-tuning.txt", Table);
        var compilation = GeneratorHarness.Compilation(GeneratorHarness.Parse(ConvNet, "ConvNet.cs"));
        var driver = GeneratorHarness.Driver().AddAdditionalTexts([table]).RunGenerators(compilation);
        var (edited, next) = edit(driver, compilation, table);
        return edited.RunGenerators(next).GetRunResult().Results.Single();
    }

    private static void AssertReasons(GeneratorRunResult result, string step, params IncrementalStepRunReason[] allowed)
    {
        var reasons = Reasons(result, step).ToList();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, r => Assert.True(allowed.Contains(r), step + ": " + r));
    }

    /// <summary>An edit to a convolution's algorithm or to a Dense tiling in the table: the code shows
    /// <paramref name="expectedCode"/>.</summary>
    [Theory]
    [InlineData("forward=im2col", "forward=direct", "Conv2DAlgorithm.Direct\n")]
    [InlineData("kc=128", "kc=192", "new global::NetGen.Kernels.GemmTiling { KC = 192, Order = global::NetGen.Kernels.GemmLoopOrder.PanelsOuter }\n")]
    public void EditingATableEntry_RedoesTuneAndEmitOnly(string entry, string edited, string expectedCode)
    {
        var result = RunTwiceWithTable((driver, c, table) => (driver.ReplaceAdditionalText(table,
            new GeneratorHarness.TextFile(table.Path, Table.Replace(entry, edited))), c));
        AssertReasons(result, NetworkGenerator.Steps.Parse, IncrementalStepRunReason.Cached);
        AssertReasons(result, NetworkGenerator.Steps.Plan, IncrementalStepRunReason.Cached);
        AssertReasons(result, NetworkGenerator.Steps.TuningFile, IncrementalStepRunReason.Modified);
        AssertReasons(result, NetworkGenerator.Steps.Tune, IncrementalStepRunReason.Modified);
        AssertReasons(result, NetworkGenerator.Steps.Emit, IncrementalStepRunReason.Modified);
        Assert.Contains(expectedCode, result.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void AddingAnEntryThatMatchesNoLayer_LeavesEmitCached()
    {
        var result = RunTwiceWithTable((driver, c, table) => (driver.ReplaceAdditionalText(table,
            new GeneratorHarness.TextFile(table.Path, Table + "Conv2D in=3x32x32 out=8 kernel=3x3 stride=1 padding=1 batch=* isa=avx512 forward=direct\n"
                + "Dense in=100 out=2 batch=* isa=avx512 product=forward kc=64\n")), c));
        AssertReasons(result, NetworkGenerator.Steps.TuningFile, IncrementalStepRunReason.Modified);
        AssertReasons(result, NetworkGenerator.Steps.Tune, IncrementalStepRunReason.Unchanged);
        AssertReasons(result, NetworkGenerator.Steps.Emit, IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void EditingTheSourceOnly_LeavesTheTableCached()
    {
        var result = RunTwiceWithTable((driver, c, _) => (driver, c.ReplaceSyntaxTree(c.SyntaxTrees.Single(),
            GeneratorHarness.Parse(ConvNet.Replace("Dense(2)", "Dense(3)"), "ConvNet.cs"))));
        AssertReasons(result, NetworkGenerator.Steps.TuningFile, IncrementalStepRunReason.Cached);
        AssertReasons(result, NetworkGenerator.Steps.TuningTable, IncrementalStepRunReason.Cached);
        AssertReasons(result, NetworkGenerator.Steps.Tune, IncrementalStepRunReason.Modified);
        Assert.Contains("Conv2DAlgorithm.Im2Col\n", result.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void PipelineValuesHoldNoRoslynObjects()
    {
        var result = RunTwice((c, _, _) => c);
        foreach (string step in Steps)
            foreach (var output in result.TrackedSteps[step].SelectMany(s => s.Outputs))
                AssertNoRoslynObjects(output.Value, step, new HashSet<object>(ReferenceEqualityComparer.Instance));
        result = RunTwiceWithTable((driver, c, _) => (driver, c));
        foreach (string step in Steps.Concat([NetworkGenerator.Steps.TuningFile, NetworkGenerator.Steps.TuningTable]))
            foreach (var output in result.TrackedSteps[step].SelectMany(s => s.Outputs))
                AssertNoRoslynObjects(output.Value, step, new HashSet<object>(ReferenceEqualityComparer.Instance));
    }

    /// <summary>Walks public and private fields: symbols, syntax, compilations and locations compare by reference
    /// and would defeat caching.</summary>
    private static void AssertNoRoslynObjects(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value)) return;
        Assert.False(value is ISymbol or SyntaxNode or Compilation or Location or SemanticModel or AttributeData,
            path + " holds a " + value.GetType().Name);
        if (value is System.Collections.IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items) AssertNoRoslynObjects(item, path + "[" + i++ + "]", seen);
            return;
        }
        if (value.GetType().Namespace?.StartsWith("NetGen", StringComparison.Ordinal) != true) return;
        foreach (var field in value.GetType().GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic))
            AssertNoRoslynObjects(field.GetValue(value), path + "." + field.Name, seen);
    }
}
