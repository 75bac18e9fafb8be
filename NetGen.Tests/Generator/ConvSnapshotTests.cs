namespace NetGen.Tests.Generator;

/// <summary>Golden files of generated ConvNets; each also has to compile without any warning.</summary>
public class ConvSnapshotTests
{
    /// <summary>LeNet-5 as in NetGen.Samples/ConvNets.cs (the conv snapshot, the GPU twin and the tuning tests use it).</summary>
    internal const string LeNet5Source = """
        using NetGen;

        namespace Demo;

        [Network(Loss = Loss.SoftmaxCrossEntropy)]
        public partial class LeNet5
        {
            [Input(1, 28, 28)]                        public partial Layer Image { get; }
            [Conv2D(6, Kernel = 5, Padding = 2), Relu] public partial Layer C1 { get; }
            [MaxPool2D(2)]                            public partial Layer S2 { get; }
            [Conv2D(16, Kernel = 5), Relu]            public partial Layer C3 { get; }
            [MaxPool2D(2)]                            public partial Layer S4 { get; }
            [Dense(120), Relu]                        public partial Layer F5 { get; }
            [Dense(84), Relu]                         public partial Layer F6 { get; }
            [Dense(10)]                               public partial Layer Logits { get; }
        }
        """;

    [Fact]
    public void LeNet5() => Snapshot.Verify(GeneratorHarness.GenerateClean(LeNet5Source), nameof(LeNet5));

    [Fact]
    public void Conv1DDropoutFlatten()
    {
        const string source = """
            using NetGen;

            namespace Demo;

            [Network(Loss = Loss.SquaredError)]
            public partial class Mixed
            {
                [Input(2, 12)]                                    public partial Layer Signal { get; }
                [Conv1D(4, Kernel = 3, Stride = 2, Padding = 1), Tanh] public partial Layer Conv { get; }
                [Dropout(0.25)]                                   public partial Layer Drop { get; }
                [Flatten]                                         public partial Layer Flat { get; }
                [Dense(2)]                                        public partial Layer Out { get; }
            }
            """;
        Snapshot.Verify(GeneratorHarness.GenerateClean(source), nameof(Conv1DDropoutFlatten));
    }
}
