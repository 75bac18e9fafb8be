using Microsoft.CodeAnalysis;

namespace NetGen.Tests.Generator;

/// <summary>Golden files of the generated code; each case also has to compile without any warning.</summary>
public class SnapshotTests
{
    /// <summary>The MLP 784-256-128-10 (also <see cref="TuningTests"/>' Dense network and <see cref="GpuGeneratorTests"/>' twin).</summary>
    internal const string MlpSource = """
        using NetGen;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class Mlp
        {
            [Input(784)]       public partial Layer Pixels { get; }
            [Dense(256), Relu] public partial Layer H1 { get; }
            [Dense(128), Relu] public partial Layer H2 { get; }
            [Dense(10)]        public partial Layer Logits { get; }
        }
        """;

    [Fact]
    public void Mlp() => Snapshot.Verify(GeneratorHarness.GenerateClean(MlpSource), nameof(Mlp));

    /// <summary>An internal regressor in a block namespace (also in <see cref="GpuGeneratorTests"/>' mix of networks).</summary>
    internal const string RegressorSource = """
        using NetGen;

        namespace Demo.Regression
        {
            [Network(Loss = Loss.SquaredError)]
            internal partial class Regressor
            {
                [Input(2, 3)]                      internal partial Layer Grid { get; }
                [Dense(5), Tanh]                   internal partial Layer Hidden { get; }
                [Dense(4, Bias = false), Sigmoid]  internal partial Layer Squash { get; }
                [Dense(1), Identity]               internal partial Layer Value { get; }
            }
        }
        """;

    [Fact]
    public void Regressor() => Snapshot.Verify(GeneratorHarness.GenerateClean(RegressorSource), nameof(Regressor));

    [Fact]
    public void SkipWithUnusedBranch()
    {
        const string source = """
            using NetGen;

            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            public partial class Branches
            {
                [Input(4)]                        public partial Layer Features { get; }
                [Dense(8), Relu]                  public partial Layer Trunk { get; }
                [Dense(3), Sigmoid]               public partial Layer Probe { get; }
                [Dense(2, From = nameof(Trunk))]  public partial Layer Head { get; }
            }
            """;
        Snapshot.Verify(GeneratorHarness.GenerateClean(source, "NG0017"), nameof(SkipWithUnusedBranch));
    }

    [Fact]
    public void NestedGenericWithoutLoss()
    {
        const string source = """
            using NetGen;

            namespace Demo;

            public static partial class Models
            {
                [Network]
                public partial class Encoder<T>
                {
                    [Input(3)]        public partial Layer In { get; }
                    [Dense(2), Tanh]  public partial Layer Code { get; }
                }
            }
            """;
        Snapshot.Verify(GeneratorHarness.GenerateClean(source, "NG0015"), nameof(NestedGenericWithoutLoss));
    }

    [Fact]
    public void StubForNetworkWithErrors()
    {
        const string source = """
            using NetGen;

            [Network(Loss = Loss.SoftmaxCrossEntropy)]
            public partial class Broken
            {
                [Input(4)]  public partial Layer X { get; }
                [Dense(0)]  public partial Layer Y { get; }
                [Dense(3)]  public partial int Z { get; }
            }

            public static class User
            {
                public static float Use(Broken net) => net.TrainStep(default, default(System.ReadOnlySpan<int>), 1) + net.Forward(default, 1)[0];
            }
            """;
        var (result, output) = GeneratorHarness.Run(source);
        // Parse errors are reported alone (the shape error in Y shows once Z is fixed), and nothing else.
        Assert.Equal(["NG0200"], result.Diagnostics.Select(d => d.Id));
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Snapshot.Verify(result.GeneratedSources.Single().SourceText.ToString(), nameof(StubForNetworkWithErrors));
    }

    [Fact]
    public void LayerNamesThatShadowParametersAndKeywordsStillCompile()
    {
        const string source = """
            using NetGen;

            [Network(Loss = Loss.SquaredError)]
            public partial record Odd
            {
                [Input(2)]         public partial Layer Input { get; }
                [Dense(3), Relu]   public partial Layer Batch { get; }
                [Dense(3)]         public partial Layer @int { get; }
                [Dense(2), Tanh]   public partial Layer Targets { get; }
                [Dense(2)]         public partial Layer dTargets { get; }
            }
            """;
        string code = GeneratorHarness.GenerateClean(source);
        Assert.Contains("var input2 = _activations.AsSpan(0, batch * 2);", code);
        Assert.Contains("var int2 = ", code);
        Assert.Contains("partial record Odd : global::NetGen.INetwork", code);
    }

    [Fact]
    public void AttributeTheCompilerRejectsGivesAStubAndNoNetGenDiagnostic()
    {
        const string source = """
            using NetGen;

            [Network(Loss = Loss.SquaredError)]
            public partial class Net
            {
                [Input(2)]     public partial Layer X { get; }
                [Dense("ten")] public partial Layer Y { get; }
            }
            """;
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        Assert.Contains("throw new global::System.InvalidOperationException(NetworkErrors)", result.GeneratedSources.Single().SourceText.ToString());
        Assert.Equal(["CS1503"], output.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).Select(d => d.Id).Distinct());
    }
}
