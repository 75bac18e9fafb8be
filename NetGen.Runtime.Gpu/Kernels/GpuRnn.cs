using ILGPU;
using ILGPU.Runtime;
using NetGen.Kernels;

namespace NetGen.Gpu;

/// <summary>
/// Elman RNN on the device, the twin of <see cref="Rnn"/>: <c>h_t = tanh(x_t·W_ih + b_ih + h_{t−1}·W_hh + b_hh)</c>,
/// same layouts, saved buffers (gates = pre-activations, hs), argument order and scratch (<see cref="Rnn.ScratchLength"/>),
/// with views instead of spans and <c>default</c> for "none". Per step one <c>[B, H] × [H, H]</c> GEMM and one
/// element-wise launch.
/// </summary>
public static class GpuRnn
{
    /// <summary>Forward over the sequence from <paramref name="h0"/> <c>[B, H]</c> (empty: zeros); writes gates, hs and, when not empty, hLast.</summary>
    public static void Forward(GpuDevice device, int batch, int steps, int inputs, int hidden,
        ArrayView<float> x, ArrayView<float> wIh, ArrayView<float> wHh, ArrayView<float> bIh, ArrayView<float> bHh,
        ArrayView<float> h0, ArrayView<float> gates, ArrayView<float> hs, ArrayView<float> hLast, ArrayView<float> scratch)
    {
        int bh = batch * hidden, rows = batch * steps;
        GpuRecurrent.RequireInputs(batch, steps, inputs, hidden, hidden, x, wIh, wHh);
        GpuRecurrent.RequireBiases(hidden, bIh, bHh);
        RequireSaved(batch, steps, hidden, h0, gates, hs);
        GpuRecurrent.RequireOptional(hLast, bh, nameof(hLast));
        Views.Require(scratch, Rnn.ScratchLength(batch, hidden), nameof(scratch));

        var kernels = device.Kernels<RnnKernels>();
        var recurrent = scratch.SubView(0, bh);
        var h = scratch.SubView(bh, bh);
        GpuRecurrent.CopyOrClear(device, h0, h, bh);
        GpuGemm.MatMul(device, rows, hidden, inputs, x, wIh, gates, accumulate: false);
        for (int t = 0; t < steps; t++)
        {
            GpuGemm.MatMul(device, batch, hidden, hidden, h, wHh, recurrent, accumulate: false);
            kernels.StepForward(device.Stream, bh, t, steps, hidden, recurrent, bIh, bHh, gates, hs, h);
        }
        GpuRecurrent.CopyIfWanted(device, h, hLast, bh);
    }

    /// <summary>
    /// Backpropagation through time (formulas on <see cref="Rnn.Backward"/>): dy <c>[B, T, H]</c> and/or dhLast
    /// <c>[B, H]</c> (empty: zero) in; overwrites dwIh, dwHh, dbIh, dbHh (= dbIh) and, when not empty, dx and dh0;
    /// <paramref name="gates"/> ends holding the pre-activation gradients.
    /// </summary>
    public static void Backward(GpuDevice device, int batch, int steps, int inputs, int hidden,
        ArrayView<float> x, ArrayView<float> wIh, ArrayView<float> wHh, ArrayView<float> h0,
        ArrayView<float> gates, ArrayView<float> hs, ArrayView<float> dy, ArrayView<float> dhLast,
        ArrayView<float> dx, ArrayView<float> dwIh, ArrayView<float> dwHh, ArrayView<float> dbIh, ArrayView<float> dbHh,
        ArrayView<float> dh0, ArrayView<float> scratch)
    {
        int bh = batch * hidden, rows = batch * steps;
        GpuRecurrent.RequireInputs(batch, steps, inputs, hidden, hidden, x, wIh, wHh);
        RequireSaved(batch, steps, hidden, h0, gates, hs);
        GpuRecurrent.RequireOptional(dy, (long)rows * hidden, nameof(dy));
        GpuRecurrent.RequireOptional(dhLast, bh, nameof(dhLast));
        GpuRecurrent.RequireOptional(dx, (long)rows * inputs, nameof(dx));
        GpuRecurrent.RequireWeights(inputs, hidden, hidden, dwIh, dwHh);
        GpuRecurrent.RequireBiases(hidden, dbIh, dbHh);
        GpuRecurrent.RequireOptional(dh0, bh, nameof(dh0));
        Views.Require(scratch, Rnn.ScratchLength(batch, hidden), nameof(scratch));

        var kernels = device.Kernels<RnnKernels>();
        var dz = scratch.SubView(0, bh);
        var dh = scratch.SubView(bh, bh);
        var hPrev = scratch.SubView(2 * bh, bh);
        GpuRecurrent.CopyOrClear(device, dhLast, dh, bh);
        var none = hs.SubView(0, 0);
        for (int t = steps - 1; t >= 0; t--)
        {
            kernels.StepBackward(device.Stream, bh, t, steps, hidden, Views.OrEmptyOf(h0, none), hs, Views.OrEmptyOf(dy, none), gates, dz, dh, hPrev);
            GpuRecurrent.RecurrentGradients(device, batch, hidden, hidden, t, steps, hPrev, dz, wHh, dwHh, dh);
        }
        GpuRecurrent.CopyIfWanted(device, dh, dh0, bh);
        GpuRecurrent.InputGradients(device, rows, inputs, hidden, x, wIh, gates, dwIh, dbIh, dbHh, dx);
    }

    /// <summary>Throws unless h0 (optional) <c>[B, H]</c> and the saved gates and hs <c>[B·T, H]</c> hold enough floats.</summary>
    private static void RequireSaved(int batch, int steps, int hidden, ArrayView<float> h0, ArrayView<float> gates, ArrayView<float> hs)
    {
        int rows = batch * steps;
        GpuRecurrent.RequireOptional(h0, batch * hidden, nameof(h0));
        Views.Require(gates, (long)rows * hidden, nameof(gates));
        Views.Require(hs, (long)rows * hidden, nameof(hs));
    }
}

internal sealed class RnnKernels : IKernelSet<RnnKernels>
{
    public required Action<AcceleratorStream, Index1D, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        ArrayView<float>, ArrayView<float>, ArrayView<float>> StepForward { get; init; }
    public required Action<AcceleratorStream, Index1D, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> StepBackward { get; init; }

    public static RnnKernels Load(Accelerator accelerator) => new()
    {
        StepForward = accelerator.LoadAutoGroupedKernel<Index1D, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>>(StepForwardKernel),
        StepBackward = accelerator.LoadAutoGroupedKernel<Index1D, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(StepBackwardKernel),
    };

    // Thread e = b·H + j: z = x-projection + recurrent + both biases (saved), h = tanh z.
    [Kernel(explicitlyGrouped: false)]
    internal static void StepForwardKernel(Index1D e, int t, int steps, int hidden, ArrayView<float> recurrent,
        ArrayView<float> bIh, ArrayView<float> bHh, ArrayView<float> gates, ArrayView<float> hs, ArrayView<float> h)
    {
        int b = e / hidden, j = e - b * hidden, s = (b * steps + t) * hidden + j;
        float z = gates[s] + recurrent[e] + bIh[j] + bHh[j];
        gates[s] = z;
        float hv = GpuTanh.Apply(z);
        h[e] = hv;
        hs[s] = hv;
    }

    // Thread e = b·H + j: dz = (dh + dy) ⊙ (1 − h_t²) into dz and the saved gates; h_{t−1} gathered into hPrev.
    [Kernel(explicitlyGrouped: false)]
    internal static void StepBackwardKernel(Index1D e, int t, int steps, int hidden, ArrayView<float> h0, ArrayView<float> hs,
        ArrayView<float> dy, ArrayView<float> gates, ArrayView<float> dz, ArrayView<float> dh, ArrayView<float> hPrev)
    {
        int b = e / hidden, j = e - b * hidden, s = (b * steps + t) * hidden + j;
        float hv = hs[s];
        float d = (dh[e] + (dy.Length != 0 ? dy[s] : 0f)) * (1f - hv * hv);
        dz[e] = d;
        gates[s] = d;
        hPrev[e] = t > 0 ? hs[s - hidden] : h0.Length != 0 ? h0[e] : 0f;
    }
}
