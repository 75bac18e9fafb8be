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

/// <summary>Same layer kinds and shapes as <see cref="Mlp"/> with other activations: same shape signature.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class MlpTanh
{
    [Input(784)] public partial Layer Image { get; }
    [Dense(256), Tanh] public partial Layer A { get; }
    [Dense(128), Tanh] public partial Layer B { get; }
    [Dense(10)] public partial Layer Out { get; }
}

/// <summary>ReLU hidden layer, cross-entropy.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class ReluClassifier
{
    [Input(3)] public partial Layer X { get; }
    [Dense(5), Relu] public partial Layer H { get; }
    [Dense(3)] public partial Layer Logits { get; }
}

/// <summary>Multi-dimensional input, tanh, a bias-free sigmoid output, squared error.</summary>
[Network(Loss = Loss.SquaredError)]
public partial class TanhSigmoidRegressor
{
    [Input(2, 3)] public partial Layer Grid { get; }
    [Dense(4), Tanh] public partial Layer H { get; }
    [Dense(2, Bias = false), Sigmoid] public partial Layer Y { get; }
}

/// <summary>Bias-free sigmoid layer, an explicit identity layer, cross-entropy.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class SigmoidIdentityClassifier
{
    [Input(4)] public partial Layer X { get; }
    [Dense(5, Bias = false), Sigmoid] public partial Layer S { get; }
    [Dense(4), Identity] public partial Layer Linear { get; }
    [Dense(3)] public partial Layer Logits { get; }
}

/// <summary>A <c>From</c> skip: Head reads Trunk past Probe, which reaches no output (zero gradients).</summary>
[Network(Loss = Loss.SquaredError)]
public partial class SkipRegressor
{
    [Input(3)] public partial Layer X { get; }
    [Dense(4), Tanh] public partial Layer Trunk { get; }
#pragma warning disable NG0017 // Probe is deliberately unused: its gradients must come out zero
    [Dense(3), Relu] public partial Layer Probe { get; }
#pragma warning restore NG0017
    [Dense(3, From = nameof(Trunk)), Sigmoid] public partial Layer Head { get; }
    [Dense(2)] public partial Layer Out { get; }
}

/// <summary>No loss: forward only.</summary>
#pragma warning disable NG0015 // inference-only on purpose
[Network]
public partial class Encoder
{
    [Input(3)] public partial Layer X { get; }
    [Dense(2), Tanh] public partial Layer Code { get; }
}
#pragma warning restore NG0015

/// <summary>Small enough to learn XOR.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class XorNet
{
    [Input(2)] public partial Layer X { get; }
    [Dense(8), Tanh] public partial Layer H { get; }
    [Dense(2)] public partial Layer Logits { get; }
}

/// <summary>Two hidden ReLU layers for the two-spiral problem.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class SpiralNet
{
    [Input(2)] public partial Layer Point { get; }
    [Dense(48), Relu] public partial Layer H1 { get; }
    [Dense(48), Relu] public partial Layer H2 { get; }
    [Dense(2)] public partial Layer Logits { get; }
}
