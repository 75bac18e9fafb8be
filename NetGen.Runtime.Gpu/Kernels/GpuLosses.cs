using ILGPU;
using ILGPU.Runtime;

namespace NetGen.Gpu;

/// <summary>
/// Losses fused with their gradient, on the device: the twins of <see cref="NetGen.Kernels.Losses"/>. The mean loss
/// is written to a one-element device view (<c>loss</c>) so that nothing is copied back unless the caller
/// reads it. Each runs as one group of 256 threads with a shared-memory reduction, which
/// keeps the sum's order fixed (no atomics): the result is the same on every run.
/// </summary>
public static class GpuLosses
{
    /// <summary>
    /// loss[0] = mean over the batch of −log softmax(logits)[label]; when <paramref name="dLogits"/> is not empty it
    /// receives (softmax(logits) − onehot(label)) / batch. A label outside [0, classes) makes the loss NaN (the host
    /// cannot be told from inside a kernel; <see cref="GpuNetworkState.UploadBatch(ReadOnlySpan{float}, ReadOnlySpan{int}, int)"/>
    /// checks labels before they reach the device).
    /// </summary>
    public static void SoftmaxCrossEntropy(GpuDevice device, int batch, int classes, ArrayView<float> logits, ArrayView<int> labels,
        ArrayView<float> dLogits, ArrayView<float> loss)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        Views.Require(logits, (long)batch * classes, nameof(logits));
        Views.Require(labels, batch, nameof(labels));
        if (dLogits.Length != 0) Views.Require(dLogits, (long)batch * classes, nameof(dLogits));
        Views.Require(loss, 1, nameof(loss));
        device.Kernels<LossKernels>().SoftmaxCrossEntropy(device.Stream, LossKernels.Config,
            batch, classes, logits, labels, Views.OrEmptyOf(dLogits, logits), loss);
    }

    /// <summary>
    /// loss[0] = mean over the batch of ½·Σ(y − t)²; when <paramref name="dY"/> is not empty it receives (y − t) / batch.
    /// </summary>
    public static void SquaredError(GpuDevice device, int batch, int size, ArrayView<float> y, ArrayView<float> targets,
        ArrayView<float> dY, ArrayView<float> loss)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        Views.Require(y, (long)batch * size, nameof(y));
        Views.Require(targets, (long)batch * size, nameof(targets));
        if (dY.Length != 0) Views.Require(dY, (long)batch * size, nameof(dY));
        Views.Require(loss, 1, nameof(loss));
        device.Kernels<LossKernels>().SquaredError(device.Stream, LossKernels.Config,
            batch, size, y, targets, Views.OrEmptyOf(dY, y), loss);
    }
}

/// <summary>Loss kernels: one group; thread t handles samples (or elements) t, t + Threads, …, then a tree reduction.</summary>
internal sealed class LossKernels : IKernelSet<LossKernels>
{
    public const int Threads = 256;

    public static readonly KernelConfig Config = new(1, Threads);

    public required Action<AcceleratorStream, KernelConfig, int, int, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>> SoftmaxCrossEntropy { get; init; }
    public required Action<AcceleratorStream, KernelConfig, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> SquaredError { get; init; }

    public static LossKernels Load(Accelerator accelerator) => new()
    {
        SoftmaxCrossEntropy = accelerator.LoadKernel<int, int, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>>(SoftmaxCrossEntropyKernel),
        SquaredError = accelerator.LoadKernel<int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(SquaredErrorKernel),
    };

    [Kernel(explicitlyGrouped: true)]
    internal static void SoftmaxCrossEntropyKernel(int batch, int classes, ArrayView<float> logits, ArrayView<int> labels,
        ArrayView<float> dLogits, ArrayView<float> loss)
    {
        float invBatch = 1f / batch, total = 0f;
        for (int b = Group.IdxX; b < batch; b += Threads)
        {
            int row = b * classes, label = labels[b];
            float max = logits[row];
            for (int j = 1; j < classes; j++) max = IntrinsicMath.Max(max, logits[row + j]);
            float sum = 0f;
            for (int j = 0; j < classes; j++) sum += GpuMath.Exp(logits[row + j] - max);
            float logSum = GpuMath.Log(sum) + max;
            total += (uint)label < (uint)classes ? logSum - logits[row + label] : float.NaN;
            if (dLogits.Length != 0)
                for (int j = 0; j < classes; j++)
                    dLogits[row + j] = (GpuMath.Exp(logits[row + j] - logSum) - (j == label ? 1f : 0f)) * invBatch;
        }
        WriteMean(total, invBatch, loss);
    }

    [Kernel(explicitlyGrouped: true)]
    internal static void SquaredErrorKernel(int batch, int size, ArrayView<float> y, ArrayView<float> targets,
        ArrayView<float> dY, ArrayView<float> loss)
    {
        float invBatch = 1f / batch, total = 0f;
        int count = batch * size;
        for (int i = Group.IdxX; i < count; i += Threads)
        {
            float diff = y[i] - targets[i];
            total += 0.5f * diff * diff;
            if (dY.Length != 0) dY[i] = diff * invBatch;
        }
        WriteMean(total, invBatch, loss);
    }

    /// <summary>loss[0] = (Σ over the group of <paramref name="partial"/>) · <paramref name="scale"/>, by a shared-memory tree.</summary>
    private static void WriteMean(float partial, float scale, ArrayView<float> loss)
    {
        var sums = SharedMemory.Allocate<float>(Threads);
        int t = Group.IdxX;
        sums[t] = partial;
        Group.Barrier();
        for (int half = Threads / 2; half > 0; half >>= 1)
        {
            if (t < half) sums[t] += sums[t + half];
            Group.Barrier();
        }
        if (t == 0) loss[0] = sums[0] * scale;
    }
}
