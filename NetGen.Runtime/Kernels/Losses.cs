using System.Runtime.CompilerServices;

namespace NetGen.Kernels;

/// <summary>Loss functions fused with their gradient with respect to the network's output, vectorised per row (softmax
/// cross-entropy over at most 16 classes: across a vector of rows at a time).</summary>
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
        for (int b = 0; b < batch; b++)
            if ((uint)labels[b] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {labels[b]} of sample {b} is outside [0, {classes}).");
        double total = 0;
        float invBatch = 1f / batch;
        fixed (float* pz = logits, pd = dLogits)
        fixed (int* pl = labels)
        {
            if (classes <= MaxBlockClasses)
            {
                // Lane-wise, so the 16- and 8-lane blocks give the same result (JIT and NativeAOT may enable different widths).
                if (batch > 0)
                    total = lanes >= 16 && Lanes16.IsAccelerated ? SoftmaxCrossEntropyByBlocks<Lanes16>(batch, classes, pz, pl, pd, invBatch)
                        : lanes >= 8 && Lanes8.IsAccelerated ? SoftmaxCrossEntropyByBlocks<Lanes8>(batch, classes, pz, pl, pd, invBatch)
                        : lanes >= 4 && Lanes4.IsAccelerated ? SoftmaxCrossEntropyByBlocks<Lanes4>(batch, classes, pz, pl, pd, invBatch)
                        : SoftmaxCrossEntropyByBlocks<Lanes1>(batch, classes, pz, pl, pd, invBatch);
                return batch == 0 ? 0f : (float)(total / batch);
            }
            for (int b = 0; b < batch; b++)
            {
                int label = pl[b];
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
        }
        return batch == 0 ? 0f : (float)(total / batch);
    }

    /// <summary>Most classes <see cref="SoftmaxCrossEntropyByBlocks{T}"/> takes (its block lives on the stack).</summary>
    private const int MaxBlockClasses = 16;

    /// <summary>
    /// Softmax cross-entropy for at most <see cref="MaxBlockClasses"/> classes, T.Count rows at a time with one row per
    /// vector lane: the block is transposed into class-major order on the stack, so that the maximum, the exponentials
    /// (one full vector per class), the sum and the logarithm serve a row per lane, then the gradient is transposed
    /// back. A short last block runs the same code on zero rows, so every sample is computed the same way wherever it
    /// sits in the batch. Returns the summed loss; the labels are already checked.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static double SoftmaxCrossEntropyByBlocks<T>(int batch, int classes, float* pz, int* labels, float* pd, float invBatch)
        where T : struct, ILanes<T>
    {
        int w = T.Count;
        float* t = stackalloc float[16 * MaxBlockClasses];
        double total = 0;
        for (int b0 = 0; b0 < batch; b0 += w)
        {
            int rows = Math.Min(w, batch - b0);
            float* z = pz + (nint)b0 * classes;
            if (rows < w) new Span<float>(t, w * classes).Clear();
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < classes; c++) t[c * w + r] = z[r * classes + c];
            var max = T.Load(t);
            for (int c = 1; c < classes; c++) max = T.Max(max, T.Load(t + c * w));
            var sum = T.Create(0f);
            for (int c = 0; c < classes; c++)
            {
                var e = T.Exp(T.Subtract(T.Load(t + c * w), max));
                sum = T.Add(sum, e);
                T.Store(e, t + c * w);
            }
            var logSum = T.Add(T.Log(sum), max);
            for (int r = 0; r < rows; r++) total += T.GetElement(logSum, r) - z[r * classes + labels[b0 + r]];
            if (pd == null) continue;
            var scale = T.Divide(T.Create(invBatch), sum);
            float* d = pd + (nint)b0 * classes;
            for (int c = 0; c < classes; c++) T.Store(T.Multiply(T.Load(t + c * w), scale), t + c * w);
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < classes; c++) d[r * classes + c] = t[c * w + r];
                d[r * classes + labels[b0 + r]] -= invBatch;
            }
        }
        return total;
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
