namespace NetGen.Kernels;

/// <summary>Loss functions fused with their gradient with respect to the network's output.</summary>
public static class Losses
{
    /// <summary>
    /// Mean over the batch of −log softmax(logits)[label]. When <paramref name="dLogits"/> is not empty it receives
    /// (softmax(logits) − onehot(label)) / batch, the gradient of the mean loss.
    /// </summary>
    public static float SoftmaxCrossEntropy(int batch, int classes, ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, Span<float> dLogits)
    {
        double total = 0;
        float invBatch = 1f / batch;
        for (int b = 0; b < batch; b++)
        {
            var z = logits.Slice(b * classes, classes);
            int label = labels[b];
            if ((uint)label >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {label} of sample {b} is outside [0, {classes}).");
            float max = z[0];
            for (int j = 1; j < classes; j++) max = MathF.Max(max, z[j]);
            float sum = 0f;
            for (int j = 0; j < classes; j++) sum += MathF.Exp(z[j] - max);
            float logSum = MathF.Log(sum) + max;
            total += logSum - z[label];
            if (!dLogits.IsEmpty)
            {
                var d = dLogits.Slice(b * classes, classes);
                for (int j = 0; j < classes; j++) d[j] = MathF.Exp(z[j] - logSum) * invBatch;
                d[label] -= invBatch;
            }
        }
        return (float)(total / batch);
    }

    /// <summary>
    /// Mean over the batch of ½·Σ(y − t)². When <paramref name="dY"/> is not empty it receives (y − t) / batch.
    /// </summary>
    public static float SquaredError(int batch, int size, ReadOnlySpan<float> y, ReadOnlySpan<float> targets, Span<float> dY)
    {
        double total = 0;
        float invBatch = 1f / batch;
        int count = batch * size;
        for (int i = 0; i < count; i++)
        {
            float diff = y[i] - targets[i];
            total += 0.5 * diff * diff;
            if (!dY.IsEmpty) dY[i] = diff * invBatch;
        }
        return (float)(total / batch);
    }
}
