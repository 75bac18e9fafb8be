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

    /// <summary>The optimizer and learning rate a model trains with when --optimizer and --lr are not given: the
    /// settings its accuracy figures in the README were measured with.</summary>
    public static (string Optimizer, float LearningRate) DefaultOptimizer(string name) => name switch
    {
        "lenet" => ("adam", 0.002f),
        "convnet" => ("adam", 0.001f),
        "charlstm" => ("adam", 0.002f),
        _ => ("sgd", 0.05f),
    };

    /// <summary>Fashion-MNIST class names, by label.</summary>
    public static readonly string[] FashionClasses =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
}
