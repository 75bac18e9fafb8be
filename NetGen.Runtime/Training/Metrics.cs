namespace NetGen.Training;

/// <summary>Small helpers over network outputs: arg-max, softmax, accuracy.</summary>
public static class Metrics
{
    /// <summary>Index of the largest value (the first one on ties).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }

    /// <summary>p_i = e^{z_i − max z} / Σ_j e^{z_j − max z}, into <paramref name="probabilities"/>.</summary>
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        float max = logits[ArgMax(logits)];
        float sum = 0f;
        for (int i = 0; i < logits.Length; i++) sum += probabilities[i] = MathF.Exp(logits[i] - max);
        for (int i = 0; i < logits.Length; i++) probabilities[i] /= sum;
    }

    /// <summary>Number of samples whose arg-max over <paramref name="classes"/> outputs equals the label.</summary>
    public static int CountCorrect(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int batch, int classes)
    {
        int correct = 0;
        for (int b = 0; b < batch; b++)
            if (ArgMax(outputs.Slice(b * classes, classes)) == labels[b]) correct++;
        return correct;
    }
}
