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
}
