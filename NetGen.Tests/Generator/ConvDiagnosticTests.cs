using static NetGen.Tests.Generator.DiagnosticTests;

namespace NetGen.Tests.Generator;

/// <summary>The convolution, pooling and dropout shape diagnostics NG0110–NG0115: one test per ID (several where a
/// rule has several causes), with the exact span and message, each message starting with the chain of shapes.</summary>
public class ConvDiagnosticTests
{
    [Fact]
    public void NG0110_KernelLargerThanThePaddedInput() => AssertReports(Net(Loss.SoftmaxCrossEntropy, """
        [Input(1, 28, 28)]                         public partial Layer Image { get; }
        [Conv2D(6, Kernel = 5, Padding = 2), Relu] public partial Layer C1 { get; }
        [MaxPool2D(2)]                             public partial Layer S2 { get; }
        [Conv2D(16, Kernel = 5), Relu]             public partial Layer C3 { get; }
        [MaxPool2D(2)]                             public partial Layer S4 { get; }
        [[|Conv2D(120, Kernel = 7)|], Relu]        public partial Layer C5 { get; }
        [Dense(10)]                                public partial Layer Logits { get; }
        """), "NG0110",
        "[1,28,28] → C1 [6,28,28] → S2 [6,14,14] → C3 [16,10,10] → S4 [16,5,5]: C5 needs at least 7×7 for its 7×7 kernel with padding 0; " +
        "use a smaller kernel, more padding, or less downsampling before it");

    [Fact]
    public void NG0110_Conv1DKernelLongerThanThePaddedSequence() => AssertReports(Net(Loss.SquaredError, """
        [Input(2, 4)]                              public partial Layer Signal { get; }
        [[|Conv1D(3, Kernel = 7, Padding = 1)|]]   public partial Layer C { get; }
        """), "NG0110",
        "[2,4]: C needs at least 5 for its 7 kernel with padding 1; use a smaller kernel, more padding, or less downsampling before it");

    [Fact]
    public void NG0111_PaddingNotBelowTheKernel() => AssertReports(Net(Loss.SquaredError, """
        [Input(1, 8, 8)]                           public partial Layer Image { get; }
        [[|Conv2D(4, Kernel = 3, Padding = 3)|]]   public partial Layer C { get; }
        [Dense(1)]                                 public partial Layer Out { get; }
        """), "NG0111",
        "[1,8,8]: C pads its input by 3 with a 3×3 kernel, so its outermost outputs read nothing but padding; " +
        "use Padding below the kernel size (Padding = 1 keeps the size at stride 1)");

    [Fact]
    public void NG0112_PoolingWindowLargerThanItsInput() => AssertReports(Net(Loss.SquaredError, """
        [Input(1, 8, 8)]                 public partial Layer Image { get; }
        [Conv2D(4, Stride = 2)]          public partial Layer C { get; }
        [[|MaxPool2D(4)|]]               public partial Layer P { get; }
        [Dense(1)]                       public partial Layer Out { get; }
        """), "NG0112",
        "[1,8,8] → C [4,3,3]: P pools 4×4 windows, which do not fit in its 3×3 input planes; use a smaller window or pool less before it");

    [Fact]
    public void NG0113_Conv2DAfterDense() => AssertReports(Net(Loss.SquaredError, """
        [Input(1, 28, 28)]       public partial Layer Image { get; }
        [Dense(120), Relu]       public partial Layer F { get; }
        [[|Conv2D(6)|]]          public partial Layer C { get; }
        [Dense(1)]               public partial Layer Out { get; }
        """), "NG0113",
        "[1,28,28] → F [120]: Conv2D layer 'C' needs a [channels, height, width] input, but gets [120] (rank 1); " +
        "convolution and pooling layers come before Dense layers, and an [Input] for them declares [channels, height, width]");

    [Fact]
    public void NG0113_PoolingOverAnInputWithTooManyDimensions() => AssertReports(Net(Loss.SquaredError, """
        [Input(1, 2, 8, 8)]      public partial Layer Volume { get; }
        [[|AvgPool2D(2)|]]       public partial Layer P { get; }
        [Dense(1)]               public partial Layer Out { get; }
        """), "NG0113",
        "[1,2,8,8]: AvgPool2D layer 'P' needs a [channels, height, width] input, but gets [1,2,8,8] (rank 4); " +
        "declare the input with 3 dimensions [channels, height, width]");

    [Fact]
    public void NG0114_DropoutRateOfOne() => AssertReports(Net(Loss.SquaredError, """
        [Input(1, 8, 8)]         public partial Layer Image { get; }
        [Conv2D(2)]              public partial Layer C { get; }
        [[|Dropout(1.0)|]]       public partial Layer D { get; }
        [Dense(1)]               public partial Layer Out { get; }
        """), "NG0114",
        "[1,8,8] → C [2,6,6]: Dropout layer 'D' has rate 1; the rate is the probability of dropping a value and must lie in [0, 1), e.g. 0.5");

    [Fact]
    public void NG0114_NegativeDropoutRate() => AssertReports(Net(Loss.SquaredError, """
        [Input(4)]               public partial Layer X { get; }
        [[|Dropout(-0.25)|]]     public partial Layer D { get; }
        [Dense(1)]               public partial Layer Out { get; }
        """), "NG0114",
        "[4]: Dropout layer 'D' has rate -0.25; the rate is the probability of dropping a value and must lie in [0, 1), e.g. 0.5");

    [Theory]
    [InlineData("Conv2D(0)", "Conv2D", "Channels", "0", "at least 1")]
    [InlineData("Conv2D(4, Kernel = 0)", "Conv2D", "Kernel size", "0", "at least 1")]
    [InlineData("Conv2D(4, KernelWidth = -1)", "Conv2D", "Kernel size", "-1", "at least 1")]
    [InlineData("Conv2D(4, Stride = 0)", "Conv2D", "Stride", "0", "at least 1")]
    [InlineData("Conv2D(4, Padding = -1)", "Conv2D", "Padding", "-1", "zero or more")]
    [InlineData("MaxPool2D(0)", "MaxPool2D", "Window", "0", "at least 1")]
    [InlineData("AvgPool2D(2, Stride = -2)", "AvgPool2D", "Stride", "-2", "at least 1")]
    public void NG0115_SettingOutOfRange(string attribute, string kind, string setting, string value, string rule) => AssertReports(Net(Loss.SquaredError, $$"""
        [Input(3, 8, 8)]         public partial Layer Image { get; }
        [Conv2D(2), Tanh]        public partial Layer C { get; }
        [[|{{attribute}}|]]      public partial Layer L { get; }
        [Dense(1)]               public partial Layer Out { get; }
        """), "NG0115", $"[3,8,8] → C [2,6,6]: {kind} layer 'L' has {setting} = {value}; it must be {rule}");

    [Fact]
    public void NG0115_Conv1DKernel() => AssertReports(Net(Loss.SquaredError, """
        [Input(3, 8)]                    public partial Layer Signal { get; }
        [[|Conv1D(2, Kernel = 0)|]]      public partial Layer C { get; }
        [Dense(1)]                       public partial Layer Out { get; }
        """), "NG0115", "[3,8]: Conv1D layer 'C' has Kernel = 0; it must be at least 1");
}
