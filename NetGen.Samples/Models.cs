namespace NetGen.Samples;

/// <summary>Multilayer perceptron 784-256-128-10 for Fashion-MNIST: the images are flattened by the first dense layer.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class FashionMlp
{
    [Input(1, 28, 28)]   public partial Layer Image { get; }
    [Dense(256), Relu]   public partial Layer Hidden1 { get; }
    [Dense(128), Relu]   public partial Layer Hidden2 { get; }
    [Dense(10)]          public partial Layer Logits { get; }
}

/// <summary>The sample networks by their command-line name.</summary>
internal static class ModelCatalog
{
    public static readonly string[] Names = ["mlp", "lenet", "convnet", "charlstm"];

    /// <summary>Whether <paramref name="name"/> is a text model (trained with --text, sampled with generate).</summary>
    public static bool IsText(string name) => name == "charlstm";

    public static INetwork Create(string name, int maxBatch, ulong seed) => name switch
    {
        "mlp" => new FashionMlp(maxBatch, seed),
        "lenet" => new LeNet5(maxBatch, seed),
        "convnet" => new FashionConvNet(maxBatch, seed),
        "charlstm" => new Text.CharLstm(maxBatch, seed),
        _ => throw new ArgumentException($"Unknown model '{name}'. Choose one of: {string.Join(", ", Names)}."),
    };

    /// <summary>Fashion-MNIST class names, by label.</summary>
    public static readonly string[] FashionClasses =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
}
