namespace NetGen.Tests.Networks;

/// <summary>The classic MNIST MLP: 784-256-128-10, ReLU, softmax cross-entropy.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class Mlp
{
    [Input(784)] public partial Layer Pixels { get; }
    [Dense(256), Relu] public partial Layer H1 { get; }
    [Dense(128), Relu] public partial Layer H2 { get; }
    [Dense(10)] public partial Layer Logits { get; }
}
