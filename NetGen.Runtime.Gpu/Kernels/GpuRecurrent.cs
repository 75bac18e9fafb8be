using ILGPU;
using ILGPU.Runtime;

namespace NetGen.Gpu;

/// <summary>What <see cref="GpuRnn"/> and <see cref="GpuLstm"/> share: argument checks, device copies, the input-side gradients.</summary>
internal static class GpuRecurrent
{
    /// <summary>Throws unless every size is positive.</summary>
    public static void CheckSizes(int batch, int steps, int inputs, int hidden)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hidden);
    }

    /// <summary>Like <see cref="Views.Require{T}"/>, but an empty view (meaning "none") is accepted.</summary>
    public static void RequireOptional(ArrayView<float> view, long length, string name)
    {
        if (view.Length != 0) Views.Require(view, length, name);
    }

    /// <summary>target[0..count) = source[0..count), or zeros when <paramref name="source"/> is empty.</summary>
    public static void CopyOrClear(GpuDevice device, ArrayView<float> source, ArrayView<float> target, int count)
    {
        if (count == 0) return;
        device.Kernels<RecurrentKernels>().CopyOrClear(device.Stream, count, Views.OrEmptyOf(source, target), target);
    }

    /// <summary>
    /// The input half of backward from the pre-activation gradients <paramref name="dGates"/> <c>[B·T, G·H]</c>:
    /// <c>dW_ih = xᵀ·dGates</c>, <c>db_ih = Σ_rows dGates</c>, <c>db_hh = db_ih</c> (both biases enter every
    /// pre-activation alike, so their gradients are the same sum, computed once) and, when <paramref name="dx"/> is not
    /// empty, <c>dx = dGates·W_ihᵀ</c>.
    /// </summary>
    public static void InputGradients(GpuDevice device, int rows, int inputs, int width,
        ArrayView<float> x, ArrayView<float> wIh, ArrayView<float> dGates,
        ArrayView<float> dwIh, ArrayView<float> dbIh, ArrayView<float> dbHh, ArrayView<float> dx)
    {
        GpuGemm.MatMulTransA(device, inputs, width, rows, x, dGates, dwIh, accumulate: false);
        GpuDense.BiasGradient(device, rows, width, dGates, dbIh);
        CopyOrClear(device, dbIh, dbHh, width);
        if (dx.Length != 0) GpuGemm.MatMulTransB(device, rows, inputs, width, dGates, wIh, dx, accumulate: false);
    }
}

internal sealed class RecurrentKernels : IKernelSet<RecurrentKernels>
{
    public required Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>> CopyOrClear { get; init; }

    public static RecurrentKernels Load(Accelerator accelerator) => new()
    {
        CopyOrClear = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>>(CopyOrClearKernel),
    };

    [Kernel(explicitlyGrouped: false)]
    internal static void CopyOrClearKernel(Index1D i, ArrayView<float> source, ArrayView<float> target) =>
        target[i] = source.Length != 0 ? source[i] : 0f;
}
