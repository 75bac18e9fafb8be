namespace NetGen;

/// <summary>Weight initialisation schemes used by generated constructors.</summary>
public static class Init
{
    /// <summary>He (Kaiming) normal: N(0, 2 / fanIn). Keeps the activation variance constant through ReLU layers.</summary>
    public static void He(Span<float> weights, int fanIn, ref Rng rng)
    {
        float std = MathF.Sqrt(2f / fanIn);
        for (int i = 0; i < weights.Length; i++) weights[i] = std * rng.NextGaussian();
    }

    /// <summary>Glorot (Xavier) uniform: U(−a, a) with a = √(6 / (fanIn + fanOut)). Suits tanh, logistic and linear units.</summary>
    public static void Glorot(Span<float> weights, int fanIn, int fanOut, ref Rng rng)
    {
        float a = MathF.Sqrt(6f / (fanIn + fanOut));
        for (int i = 0; i < weights.Length; i++) weights[i] = a * (2f * rng.NextFloat() - 1f);
    }

    /// <summary>Uniform U(−1/√fanIn, 1/√fanIn): PyTorch's default for recurrent weights and biases, with fanIn the
    /// hidden size (the same draws as the recurrent kernels' <c>Initialize</c>).</summary>
    public static void Uniform(Span<float> weights, int fanIn, ref Rng rng)
    {
        float k = 1f / MathF.Sqrt(fanIn);
        for (int i = 0; i < weights.Length; i++) weights[i] = k * (2f * rng.NextFloat() - 1f);
    }

    /// <summary>LeCun normal: N(0, 1 / fanIn). With fanIn = 1 (a one-hot input has one active unit) it is PyTorch's
    /// N(0, 1) for embedding tables.</summary>
    public static void LeCun(Span<float> weights, int fanIn, ref Rng rng)
    {
        float std = MathF.Sqrt(1f / fanIn);
        for (int i = 0; i < weights.Length; i++) weights[i] = std * rng.NextGaussian();
    }
}
