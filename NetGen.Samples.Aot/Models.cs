namespace NetGen.Samples.Aot;

/// <summary>
/// Multilayer perceptron 784-256-128-10 for Fashion-MNIST: the same layers, names and shapes as
/// <c>NetGen.Samples.FashionMlp</c>, so both programs read each other's checkpoints (same shape signature).
/// </summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class FashionMlp
{
    [Input(1, 28, 28)]   public partial Layer Image { get; }
    [Dense(256), Relu]   public partial Layer Hidden1 { get; }
    [Dense(128), Relu]   public partial Layer Hidden2 { get; }
    [Dense(10)]          public partial Layer Logits { get; }

    /// <summary>Fashion-MNIST class names, by label.</summary>
    public static readonly string[] ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
}
