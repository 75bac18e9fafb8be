namespace NetGen.Optimizers;

/// <summary>Creates optimizers by name, for command lines and configuration files.</summary>
public static class Optimizers
{
    /// <summary>The names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sgd", "adam", "adamw"];

    /// <summary>
    /// Creates <c>sgd</c> (momentum 0.9), <c>adam</c> or <c>adamw</c> (weight decay 0.01, PyTorch's default) with
    /// PyTorch's other defaults. Names are case-insensitive.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is not one of <see cref="Names"/>.</exception>
    public static Optimizer Create(string kind, int parameterCount, float learningRate) => kind.ToLowerInvariant() switch
    {
        "sgd" => new Sgd(parameterCount, learningRate, momentum: 0.9f),
        "adam" => new Adam(parameterCount, learningRate),
        "adamw" => new Adam(parameterCount, learningRate, weightDecay: 0.01f, decoupledWeightDecay: true),
        _ => throw new ArgumentException($"Unknown optimizer '{kind}'; valid names are {string.Join(", ", Names)}.", nameof(kind)),
    };
}
