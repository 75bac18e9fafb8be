using System.Globalization;
using Microsoft.CodeAnalysis;
using NetGen.Generator;
using NetGen.Generator.Diagnostics;

namespace NetGen.Tests.Generator;

/// <summary>The GPU twins (<c>Mlp.Gpu</c>): emitted only where the compilation references ILGPU and NetGen.Runtime.Gpu,
/// compiled without warnings, and absent (with NG0300) where a part of the network has no device kernel.</summary>
public class GpuGeneratorTests
{
    private const string Mlp = SnapshotTests.MlpSource;

    private static readonly MetadataReference IlGpu = MetadataReference.CreateFromFile(typeof(ILGPU.Context).Assembly.Location);
    private static readonly MetadataReference RuntimeGpu = MetadataReference.CreateFromFile(typeof(NetGen.Gpu.GpuDevice).Assembly.Location);

    /// <summary>Runs the generator on <paramref name="source"/> in a compilation that also references <paramref name="references"/>.</summary>
    private static (GeneratorRunResult Result, Compilation Output) Run(string source, params MetadataReference[] references)
    {
        var input = WithGpu(GeneratorHarness.Compilation(GeneratorHarness.Parse(source)), references);
        var driver = GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(input, out var output, out _);
        return (driver.GetRunResult().Results.Single(), output);
    }

    /// <summary>Adds <paramref name="references"/> and, as the .NET SDK does by default, silences CS1701 (ILGPU is built
    /// against System.Runtime 7.0, unified with 10.0 here).</summary>
    private static Compilation WithGpu(Compilation compilation, params MetadataReference[] references) =>
        compilation.AddReferences(references).WithOptions(compilation.Options.WithSpecificDiagnosticOptions(
            compilation.Options.SpecificDiagnosticOptions.SetItem("CS1701", ReportDiagnostic.Suppress)));

    private static void AssertCompilesCleanly(Compilation output)
    {
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, "Generated code does not compile cleanly:\n" + string.Join("\n", problems));
    }

    private static string GpuSource(GeneratorRunResult result) =>
        Assert.Single(result.GeneratedSources, s => s.HintName.EndsWith(".Gpu.g.cs", StringComparison.Ordinal)).SourceText.ToString();

    /// <summary>Runs the generator on <paramref name="source"/> with the GPU references and checks that it reports
    /// nothing and its code compiles cleanly.</summary>
    private static GeneratorRunResult RunClean(string source)
    {
        var (result, output) = Run(source, IlGpu, RuntimeGpu);
        Assert.Null(result.Exception);
        Assert.Empty(result.Diagnostics);
        AssertCompilesCleanly(output);
        return result;
    }

    /// <summary>Runs the generator on <paramref name="markedSource"/> with the GPU references and checks that network
    /// 'Net' gets its CPU code alone, compiling cleanly, and one NG0300 (an Info at the marked span) that gives
    /// <paramref name="reason"/>.</summary>
    private static void AssertNoGpuTwin(string markedSource, string reason)
    {
        var (source, span) = GeneratorHarness.Marked(markedSource);
        var (result, output) = Run(source, IlGpu, RuntimeGpu);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("NG0300", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Info, diagnostic.Severity);
        Assert.Equal(span, diagnostic.Location.GetLineSpan().Span);
        Assert.Equal("Network 'Net' gets no GPU type (Net.Gpu) although ILGPU is referenced: " + reason + "; it trains on the CPU only",
            diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Equal(DiagnosticDescriptors.HelpBase + "NG0300.md", diagnostic.Descriptor.HelpLinkUri);
        Assert.Equal(["Net.g.cs"], result.GeneratedSources.Select(s => s.HintName));
        AssertCompilesCleanly(output);
    }

    [Fact]
    public void MlpGetsAGpuTwinInItsOwnFile()
    {
        var result = RunClean(Mlp);
        Assert.Equal(["Demo.Mlp.g.cs", "Demo.Mlp.Gpu.g.cs"], result.GeneratedSources.Select(s => s.HintName).Order());
        Snapshot.Verify(GpuSource(result), nameof(Mlp));
    }

    /// <summary>LeNet-5 as in NetGen.Samples/ConvNets.cs: Conv2D, MaxPool2D and Dense on the device.</summary>
    [Fact]
    public void LeNet5GetsAGpuTwin() => Snapshot.Verify(GpuSource(RunClean(ConvSnapshotTests.LeNet5Source)), "LeNet5");

    [Fact]
    public void WithoutIlGpuThereIsNoGpuCode()
    {
        var (result, output) = Run(Mlp);
        Assert.Equal(["Demo.Mlp.g.cs"], result.GeneratedSources.Select(s => s.HintName));
        Assert.DoesNotContain("NetGen.Gpu", result.GeneratedSources[0].SourceText.ToString());
        Assert.Null(output.GetTypeByMetadataName("Demo.Mlp+Gpu"));
        AssertCompilesCleanly(output);
    }

    [Fact]
    public void IlGpuWithoutNetGenRuntimeGpuGivesNoGpuCode()
    {
        var (result, output) = Run(Mlp, IlGpu);
        Assert.Equal(["Demo.Mlp.g.cs"], result.GeneratedSources.Select(s => s.HintName));
        Assert.Empty(result.Diagnostics);
        AssertCompilesCleanly(output);
    }

    [Fact]
    public void EveryLayerShapeLossAndContainerCompiles()
    {
        const string source = SnapshotTests.RegressorSource + """

            namespace Demo.Regression
            {
                public static partial class Models
                {
                    [Network]
                    public partial class Encoder<T>
                    {
                        [Input(3)]        public partial Layer In { get; }
                        [Dense(2), Tanh]  public partial Layer Code { get; }
                    }
                }

                [Network(Loss = Loss.SoftmaxCrossEntropy)]
                public partial record Branches
                {
                    [Input(4)]                        public partial Layer Input { get; }
                    [Dense(8), Relu]                  public partial Layer Output { get; }
                    [Dense(3), Sigmoid]               public partial Layer Probe { get; }
                    [Dense(2, From = nameof(Output))] public partial Layer State { get; }
                }
            }
            """;
        var (result, output) = Run(source, IlGpu, RuntimeGpu);
        Assert.Equal(["NG0015", "NG0017"], result.Diagnostics.Select(d => d.Id).Order());
        AssertCompilesCleanly(output);
        Assert.Equal(
            ["Demo.Regression.Branches.Gpu.g.cs", "Demo.Regression.Branches.g.cs", "Demo.Regression.Models.Encoder`1.Gpu.g.cs",
             "Demo.Regression.Models.Encoder`1.g.cs", "Demo.Regression.Regressor.Gpu.g.cs", "Demo.Regression.Regressor.g.cs"],
            result.GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal));
        string regressor = result.GeneratedSources.Single(s => s.HintName == "Demo.Regression.Regressor.Gpu.g.cs").SourceText.ToString();
        Assert.Contains("GpuLosses.SquaredError(_device, batch, 1, value, _state.Targets.View, dValue, _state.Loss.View);", regressor);
        Assert.Contains("global::NetGen.Gpu.GpuDense.Forward<global::NetGen.Gpu.GpuSigmoid>(_device, batch, 5, 4,", regressor);
        Assert.Contains("_state.Parameters.Slice(35, 20), default, squash);", regressor);
        string encoder = result.GeneratedSources.Single(s => s.HintName == "Demo.Regression.Models.Encoder`1.Gpu.g.cs").SourceText.ToString();
        Assert.Contains("public Gpu(global::NetGen.Gpu.GpuDevice device, int maxBatch, Encoder<T> network,", encoder);
        Assert.DoesNotContain("RunBackward", encoder);
        string branches = result.GeneratedSources.Single(s => s.HintName == "Demo.Regression.Branches.Gpu.g.cs").SourceText.ToString();
        Assert.Contains("// Probe · reaches no output: its gradients stay zero", branches);
    }

    [Fact]
    public void NG0300_MemberNamedGpu() => AssertNoGpuTwin("""
        using NetGen;

        [Network(Loss = Loss.SquaredError)]
        public partial class [|Net|]
        {
            [Input(2)] public partial Layer X { get; }
            [Dense(1)] public partial Layer Gpu { get; }
        }
        """, "a member named 'Gpu' takes the name of the generated GPU type");

    /// <summary>A network with a layer kind that has no device kernels (a GRU, a Conv1D) gets NG0300 naming its first
    /// such layer, and its CPU code alone, compiling cleanly beside ILGPU.</summary>
    [Theory]
    [InlineData("""
        [TokenInput(Vocabulary = 10, Length = 6)] public partial Layer Text { get; }
        [Embedding(4)] public partial Layer E { get; }
        [Gru(8)] public partial Layer L { get; }
        [Dense(10)] public partial Layer Logits { get; }
        """, "layer 'L' is of kind Gru")]
    [InlineData("""
        [Input(2, 12)] public partial Layer Signal { get; }
        [Conv1D(2, Kernel = 3)] public partial Layer D { get; }
        [Dense(10)] public partial Layer Logits { get; }
        """, "layer 'D' is of kind Conv1D")]
    public void NG0300_LayersWithoutDeviceKernels(string layers, string blocker) =>
        AssertNoGpuTwin("using NetGen;\n\n[Network(Loss = Loss.SoftmaxCrossEntropy)]\npublic partial class [|Net|]\n{\n" + layers + "}\n",
            blocker + ", which has no GPU kernels yet");

    private const string CharLstm = """
        using NetGen;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class CharLstm
        {
            [TokenInput(Vocabulary = 128, Length = 64)] public partial Layer Text { get; }
            [Embedding(64)]                             public partial Layer Embed { get; }
            [Lstm(256)]                                 public partial Layer Memory { get; }
            [Dense(128)]                                public partial Layer Logits { get; }
        }
        """;

    /// <summary>A char-LSTM (tokens, embedding, LSTM sequence, per-step logits and loss) gets a twin with its LSTM's
    /// buffers on the device and 64 labels per sample.</summary>
    [Fact]
    public void CharLstmGetsAGpuTwin()
    {
        string source = GpuSource(RunClean(CharLstm));
        Assert.Contains("labelsPerSample: 64", source);
        Snapshot.Verify(source, nameof(CharLstm));
    }

    /// <summary>A stateful LSTM (truncated BPTT) keeps its network on the CPU, with NG0300 saying why.</summary>
    [Fact]
    public void NG0300_StatefulLstm() => AssertNoGpuTwin("""
        using NetGen;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class [|Net|]
        {
            [TokenInput(Vocabulary = 10, Length = 1)] public partial Layer Text { get; }
            [Embedding(4)] public partial Layer E { get; }
            [Lstm(8, Stateful = true)] public partial Layer L { get; }
            [Dense(10)] public partial Layer Logits { get; }
        }
        """, "layer 'L' carries state from batch to batch (Stateful), which the GPU twin does not yet");

    [Fact]
    public void UnrelatedEditLeavesTheGpuTwinCached()
    {
        var network = GeneratorHarness.Parse(Mlp, "Mlp.cs");
        var other = GeneratorHarness.Parse("namespace Demo; public class Other { public int X; }", "Other.cs");
        var compilation = WithGpu(GeneratorHarness.Compilation(network, other), IlGpu, RuntimeGpu);
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(other,
            GeneratorHarness.Parse("namespace Demo; public class Other { public int X; public int Y; }", "Other.cs")));
        var result = driver.GetRunResult().Results.Single();
        var reasons = result.TrackedSteps[NetworkGenerator.Steps.GpuEmit].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal([IncrementalStepRunReason.Cached], reasons);
        Assert.Equal(2, result.GeneratedSources.Length);
    }

    [Fact]
    public void AddingTheGpuReferencesAddsTheTwinWithoutReparsing()
    {
        var compilation = GeneratorHarness.Compilation(GeneratorHarness.Parse(Mlp, "Mlp.cs"));
        var driver = GeneratorHarness.Driver().RunGenerators(compilation);
        Assert.Single(driver.GetRunResult().GeneratedTrees);
        var result = driver.RunGenerators(WithGpu(compilation, IlGpu, RuntimeGpu)).GetRunResult().Results.Single();
        Assert.Equal(["Demo.Mlp.g.cs", "Demo.Mlp.Gpu.g.cs"], result.GeneratedSources.Select(s => s.HintName).Order());
        Assert.All(result.TrackedSteps[NetworkGenerator.Steps.Plan].SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
        Assert.Equal([IncrementalStepRunReason.Modified],
            result.TrackedSteps[NetworkGenerator.Steps.GpuEmit].SelectMany(s => s.Outputs).Select(o => o.Reason));
    }
}
