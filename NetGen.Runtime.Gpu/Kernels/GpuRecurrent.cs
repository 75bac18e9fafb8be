using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace NetGen.Gpu;

/// <summary>What <see cref="GpuRnn"/> and <see cref="GpuLstm"/> share: argument checks, device copies, the recurrent and
/// input-side gradients.</summary>
internal static class GpuRecurrent
{
    /// <summary>
    /// Throws unless every size is positive and x <c>[B·T, F]</c>, W_ih <c>[F, width]</c> and W_hh <c>[H, width]</c>
    /// hold enough floats (width = gates × H).
    /// </summary>
    public static void RequireInputs(int batch, int steps, int inputs, int hidden, int width,
        ArrayView<float> x, ArrayView<float> wIh, ArrayView<float> wHh)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hidden);
        Views.Require(x, (long)(batch * steps) * inputs, nameof(x));
        RequireWeights(inputs, hidden, width, wIh, wHh);
    }

    /// <summary>Throws unless the weights <c>[F, width]</c>, <c>[H, width]</c> (or their gradients) hold enough floats.</summary>
    public static void RequireWeights(int inputs, int hidden, int width, ArrayView<float> wIh, ArrayView<float> wHh,
        [CallerArgumentExpression(nameof(wIh))] string wIhName = "", [CallerArgumentExpression(nameof(wHh))] string wHhName = "")
    {
        Views.Require(wIh, (long)inputs * width, wIhName);
        Views.Require(wHh, (long)hidden * width, wHhName);
    }

    /// <summary>Throws unless both biases (or their gradients) hold <paramref name="width"/> floats.</summary>
    public static void RequireBiases(int width, ArrayView<float> bIh, ArrayView<float> bHh,
        [CallerArgumentExpression(nameof(bIh))] string bIhName = "", [CallerArgumentExpression(nameof(bHh))] string bHhName = "")
    {
        Views.Require(bIh, width, bIhName);
        Views.Require(bHh, width, bHhName);
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

    /// <summary>target[0..count) = source[0..count) when <paramref name="target"/> is not empty (an output nobody asked for).</summary>
    public static void CopyIfWanted(GpuDevice device, ArrayView<float> source, ArrayView<float> target, int count)
    {
        if (target.Length != 0) CopyOrClear(device, source, target, count);
    }

    /// <summary>
    /// The recurrent half of step t back from the pre-activation gradients <paramref name="dz"/> <c>[B, G·H]</c>:
    /// <c>dW_hh += h_{t−1}ᵀ·dz</c> (overwritten at the last step, where backward starts) and <c>dh = dz·W_hhᵀ</c>,
    /// the gradient w.r.t. h_{t−1}.
    /// </summary>
    public static void RecurrentGradients(GpuDevice device, int batch, int hidden, int width, int t, int steps,
        ArrayView<float> hPrev, ArrayView<float> dz, ArrayView<float> wHh, ArrayView<float> dwHh, ArrayView<float> dh)
    {
        GpuGemm.MatMulTransA(device, hidden, width, batch, hPrev, dz, dwHh, accumulate: t != steps - 1);
        GpuGemm.MatMulTransB(device, batch, hidden, width, dz, wHh, dh, accumulate: false);
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
