namespace NetGen.Kernels;

/// <summary>Loss functions fused with their gradient with respect to the network's output, vectorised per row.</summary>
public static unsafe class Losses
{
    /// <summary>
    /// Mean over the batch of −log softmax(logits)[label]. When <paramref name="dLogits"/> is not empty it receives
    /// (softmax(logits) − onehot(label)) / batch, the gradient of the mean loss.
    /// </summary>
    public static float SoftmaxCrossEntropy(int batch, int classes, ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, Span<float> dLogits)
        => SoftmaxCrossEntropy(batch, classes, logits, labels, dLogits, Elementwise.BestLanes);

    internal static float SoftmaxCrossEntropy(int batch, int classes, ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, Span<float> dLogits, int lanes)
    {
        CheckSizes(batch, classes, nameof(classes));
        Gemm.CheckLength(logits, (long)batch * classes, nameof(logits), "batch·classes");
        if (labels.Length < batch)
            throw new ArgumentException($"Span 'labels' has {labels.Length} elements but batch = {batch} are needed; pass one label per sample.", nameof(labels));
        if (!dLogits.IsEmpty) Gemm.CheckLength(dLogits, (long)batch * classes, nameof(dLogits), "batch·classes (or pass an empty span for no gradient)");
        double total = 0;
        float invBatch = 1f / batch;
        fixed (float* pz = logits, pd = dLogits)
            for (int b = 0; b < batch; b++)
            {
                int label = labels[b];
                if ((uint)label >= (uint)classes)
                    throw new ArgumentOutOfRangeException(nameof(labels), $"Label {label} of sample {b} is outside [0, {classes}).");
                float* z = pz + (nint)b * classes;
                float* d = pd == null ? null : pd + (nint)b * classes;
                // One exponential per class: the row's exp(z − max) goes straight into dLogits, then is scaled into
                // the softmax over the batch, less the label's one-hot.
                float max = Elementwise.Max(z, classes, lanes);
                float sum = Elementwise.SumExp(z, classes, max, d, lanes);
                total += MathF.Log(sum) + max - z[label];
                if (d != null)
                {
                    Elementwise.Scale(d, classes, invBatch / sum, lanes);
                    d[label] -= invBatch;
                }
            }
        return batch == 0 ? 0f : (float)(total / batch);
    }

    /// <summary>
    /// Mean over the batch of ½·Σ(y − t)². When <paramref name="dY"/> is not empty it receives (y − t) / batch.
    /// </summary>
    public static float SquaredError(int batch, int size, ReadOnlySpan<float> y, ReadOnlySpan<float> targets, Span<float> dY)
        => SquaredError(batch, size, y, targets, dY, Elementwise.BestLanes);

    internal static float SquaredError(int batch, int size, ReadOnlySpan<float> y, ReadOnlySpan<float> targets, Span<float> dY, int lanes)
    {
        CheckSizes(batch, size, nameof(size));
        Gemm.CheckLength(y, (long)batch * size, nameof(y), "batch·size");
        Gemm.CheckLength(targets, (long)batch * size, nameof(targets), "batch·size");
        if (!dY.IsEmpty) Gemm.CheckLength(dY, (long)batch * size, nameof(dY), "batch·size (or pass an empty span for no gradient)");
        double total = 0;
        float invBatch = 1f / batch;
        fixed (float* py = y, pt = targets, pd = dY)
            for (int b = 0; b < batch; b++)
            {
                // One float sum per sample, accumulated in double over the batch.
                nint row = (nint)b * size;
                total += 0.5 * Elementwise.SumSquaredDifference(py + row, pt + row, size, pd == null ? null : pd + row, invBatch, lanes);
            }
        return batch == 0 ? 0f : (float)(total / batch);
    }

    private static void CheckSizes(int batch, int size, string sizeName)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch size must be non-negative.");
        if (size < 1) throw new ArgumentOutOfRangeException(sizeName, size, $"'{sizeName}' must be at least 1.");
    }
}
