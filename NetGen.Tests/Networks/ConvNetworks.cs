namespace NetGen.Tests.Networks;

/// <summary>Padded 3×3 convolution, max pooling, a bias-free stride-2 convolution, then a dense classifier.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class ConvPoolStrideNet
{
    [Input(2, 8, 8)]                                            public partial Layer Image { get; }
    [Conv2D(3, Padding = 1), Tanh]                              public partial Layer C1 { get; }
    [MaxPool2D(2)]                                              public partial Layer P1 { get; }
    [Conv2D(4, Kernel = 3, Stride = 2, Padding = 1, Bias = false), Sigmoid] public partial Layer C2 { get; }
    [Dense(3)]                                                  public partial Layer Logits { get; }
}

/// <summary>A rectangular kernel with ReLU, overlapping average pooling, an explicit flatten, squared error.</summary>
[Network(Loss = Loss.SquaredError)]
public partial class AvgPoolNet
{
    [Input(1, 6, 7)]                                 public partial Layer Image { get; }
    [Conv2D(2, KernelHeight = 3, KernelWidth = 2), Relu] public partial Layer C { get; }
    [AvgPool2D(2, Stride = 1)]                       public partial Layer A { get; }
    [Flatten]                                        public partial Layer Flat { get; }
    [Dense(2)]                                       public partial Layer Out { get; }
}

/// <summary>Two 1-D convolutions (stride 2 with padding, then a plain one) over a [3, 10] sequence.</summary>
[Network(Loss = Loss.SquaredError)]
public partial class Conv1DNet
{
    [Input(3, 10)]                                   public partial Layer Signal { get; }
    [Conv1D(4, Kernel = 3, Stride = 2, Padding = 1), Tanh] public partial Layer C1 { get; }
    [Conv1D(2, Kernel = 2)]                          public partial Layer C2 { get; }
    [Dense(2)]                                       public partial Layer Out { get; }
}

/// <summary>Dropout after a convolution and after a dense layer.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class DropoutConvNet
{
    [Input(1, 6, 6)]           public partial Layer Image { get; }
    [Conv2D(3), Tanh]          public partial Layer C { get; }
    [Dropout(0.3)]             public partial Layer D1 { get; }
    [Dense(6), Tanh]           public partial Layer H { get; }
    [Dropout(0.5)]             public partial Layer D2 { get; }
    [Dense(3)]                 public partial Layer Logits { get; }
}

/// <summary>LeNet-5 as in DESIGN.md.</summary>
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

/// <summary>LeNet-5's shapes with tanh units and average pooling (subsampling, as in the 1998 paper): smooth, so finite
/// differences hold at full size. With ReLU and max pooling a perturbed first-layer weight moves thousands of values
/// and some cross a kink or switch a window's maximum.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class LeNet5Smooth
{
    [Input(1, 28, 28)]                         public partial Layer Image { get; }
    [Conv2D(6, Kernel = 5, Padding = 2), Tanh] public partial Layer C1 { get; }
    [AvgPool2D(2)]                             public partial Layer S2 { get; }
    [Conv2D(16, Kernel = 5), Tanh]             public partial Layer C3 { get; }
    [AvgPool2D(2)]                             public partial Layer S4 { get; }
    [Dense(120), Tanh]                         public partial Layer F5 { get; }
    [Dense(84), Tanh]                          public partial Layer F6 { get; }
    [Dense(10)]                                public partial Layer Logits { get; }
}

/// <summary>Two convolutions whose algorithms come from Networks/networks.netgen-tuning.txt (per pass, batch range
/// and instruction set), so that the generated choices run in the gradient checks.</summary>
[Network(Loss = Loss.SquaredError)]
public partial class TunedConvNet
{
    [Input(2, 9, 11)]                                      public partial Layer Image { get; }
    [Conv2D(5, Padding = 1), Tanh]                         public partial Layer C1 { get; }
    [Conv2D(4, KernelHeight = 2, KernelWidth = 3), Sigmoid] public partial Layer C2 { get; }
    [Dense(2)]                                             public partial Layer Out { get; }
}

/// <summary>A 1-D convolution whose algorithms come from Networks/networks.netgen-tuning.txt.</summary>
[Network(Loss = Loss.SquaredError)]
public partial class TunedConv1DNet
{
    [Input(3, 20)]                              public partial Layer Signal { get; }
    [Conv1D(4, Kernel = 3, Padding = 1), Tanh]  public partial Layer C { get; }
    [Dense(2)]                                  public partial Layer Out { get; }
}
