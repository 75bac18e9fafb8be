namespace NetGen.Samples;

/// <summary>LeNet-5 (LeCun et al., 1998) with ReLU units and max pooling, as written in DESIGN.md: two 5×5 convolution
/// stages (the first padded so that 28×28 images keep their size), then three fully connected layers.</summary>
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

/// <summary>A small modern ConvNet for Fashion-MNIST: two stages of 3×3 convolution (32, then 64 filters, padded),
/// 2×2 max pooling and dropout 0.25, then a 128-unit dense layer with dropout 0.5.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class FashionConvNet
{
    [Input(1, 28, 28)]                 public partial Layer Image { get; }
    [Conv2D(32, Padding = 1), Relu]    public partial Layer Conv1 { get; }
    [MaxPool2D(2)]                     public partial Layer Pool1 { get; }
    [Dropout(0.25)]                    public partial Layer Drop1 { get; }
    [Conv2D(64, Padding = 1), Relu]    public partial Layer Conv2 { get; }
    [MaxPool2D(2)]                     public partial Layer Pool2 { get; }
    [Dropout(0.25)]                    public partial Layer Drop2 { get; }
    [Dense(128), Relu]                 public partial Layer Hidden { get; }
    [Dropout(0.5)]                     public partial Layer Drop3 { get; }
    [Dense(10)]                        public partial Layer Logits { get; }
}
