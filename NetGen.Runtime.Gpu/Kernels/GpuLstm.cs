using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using NetGen.Kernels;

namespace NetGen.Gpu;

/// <summary>
/// LSTM on the device, the twin of <see cref="Lstm"/>: same formulas, gate order <c>[i, f, g, o]</c>, layouts
/// (x <c>[B, T, F]</c>, W_ih <c>[F, 4H]</c>, W_hh <c>[H, 4H]</c>), saved buffers (gates, cells, hs), argument order and
/// scratch length (<see cref="Lstm.ScratchLength"/>), with views instead of spans and <c>default</c> for "none".
/// Per step: one <c>[B, H] × [H, 4H]</c> GEMM, then one fused element-wise launch (one thread per (b, j)) for the gates
/// and the state update; the input projection and the input-side gradients are one GEMM each over all B·T rows.
/// </summary>
public static class GpuLstm
{
    /// <summary>
    /// Forward over the sequence (formulas on <see cref="Lstm"/>). <paramref name="h0"/>, <paramref name="c0"/>
    /// <c>[B, H]</c> or empty (zeros); writes gates (activated), cells, hs, and when not empty hLast, cLast.
    /// </summary>
    public static void Forward(GpuDevice device, int batch, int steps, int inputs, int hidden,
        ArrayView<float> x, ArrayView<float> wIh, ArrayView<float> wHh, ArrayView<float> bIh, ArrayView<float> bHh,
        ArrayView<float> h0, ArrayView<float> c0,
        ArrayView<float> gates, ArrayView<float> cells, ArrayView<float> hs, ArrayView<float> hLast, ArrayView<float> cLast,
        ArrayView<float> scratch)
    {
        int width = Lstm.Gates * hidden, bh = batch * hidden, rows = batch * steps;
        GpuRecurrent.RequireInputs(batch, steps, inputs, hidden, width, x, wIh, wHh);
        GpuRecurrent.RequireBiases(width, bIh, bHh);
        RequireSaved(batch, steps, hidden, h0, c0, gates, cells, hs);
        RequireOptionalState(bh, hLast, cLast);
        var (recurrent, h, c, _) = SplitScratch(batch, hidden, scratch);

        var kernels = device.Kernels<LstmKernels>();
        GpuRecurrent.CopyOrClear(device, h0, h, bh);
        GpuRecurrent.CopyOrClear(device, c0, c, bh);

        GpuGemm.MatMul(device, rows, width, inputs, x, wIh, gates, accumulate: false);
        for (int t = 0; t < steps; t++)
        {
            GpuGemm.MatMul(device, batch, width, hidden, h, wHh, recurrent, accumulate: false);
            kernels.StepForward(device.Stream, bh, t, steps, hidden, recurrent, bIh, bHh, gates, cells, hs, h, c);
        }
        GpuRecurrent.CopyIfWanted(device, h, hLast, bh);
        GpuRecurrent.CopyIfWanted(device, c, cLast, bh);
    }

    /// <summary>
    /// Backpropagation through time over what <see cref="Forward"/> saved, the formulas of <see cref="Lstm.Backward"/>:
    /// dy <c>[B, T, H]</c> and/or dhLast, dcLast <c>[B, H]</c> (empty: zero) in; overwrites dwIh, dwHh, dbIh, dbHh and,
    /// when not empty, dx, dh0, dc0; <paramref name="gates"/> ends holding the pre-activation gradients. dbHh equals dbIh
    /// (both biases enter every step's sum z alike), so it is computed once and copied.
    /// </summary>
    public static void Backward(GpuDevice device, int batch, int steps, int inputs, int hidden,
        ArrayView<float> x, ArrayView<float> wIh, ArrayView<float> wHh,
        ArrayView<float> h0, ArrayView<float> c0,
        ArrayView<float> gates, ArrayView<float> cells, ArrayView<float> hs,
        ArrayView<float> dy, ArrayView<float> dhLast, ArrayView<float> dcLast,
        ArrayView<float> dx, ArrayView<float> dwIh, ArrayView<float> dwHh, ArrayView<float> dbIh, ArrayView<float> dbHh,
        ArrayView<float> dh0, ArrayView<float> dc0, ArrayView<float> scratch)
    {
        int width = Lstm.Gates * hidden, bh = batch * hidden, rows = batch * steps;
        GpuRecurrent.RequireInputs(batch, steps, inputs, hidden, width, x, wIh, wHh);
        RequireSaved(batch, steps, hidden, h0, c0, gates, cells, hs);
        GpuRecurrent.RequireOptional(dy, (long)rows * hidden, nameof(dy));
        RequireOptionalState(bh, dhLast, dcLast);
        GpuRecurrent.RequireOptional(dx, (long)rows * inputs, nameof(dx));
        GpuRecurrent.RequireWeights(inputs, hidden, width, dwIh, dwHh);
        GpuRecurrent.RequireBiases(width, dbIh, dbHh);
        RequireOptionalState(bh, dh0, dc0);
        var (dz, dh, dc, hPrev) = SplitScratch(batch, hidden, scratch);

        var kernels = device.Kernels<LstmKernels>();
        GpuRecurrent.CopyOrClear(device, dhLast, dh, bh);
        GpuRecurrent.CopyOrClear(device, dcLast, dc, bh);
        var noState = hs.SubView(0, 0);
        for (int t = steps - 1; t >= 0; t--)
        {
            kernels.StepBackward(device.Stream, bh, t, steps, hidden, Views.OrEmptyOf(h0, noState), Views.OrEmptyOf(c0, noState),
                cells, hs, Views.OrEmptyOf(dy, noState), gates, dz, dh, dc, hPrev);
            GpuRecurrent.RecurrentGradients(device, batch, hidden, width, t, steps, hPrev, dz, wHh, dwHh, dh);
        }
        GpuRecurrent.CopyIfWanted(device, dh, dh0, bh);
        GpuRecurrent.CopyIfWanted(device, dc, dc0, bh);
        GpuRecurrent.InputGradients(device, rows, inputs, width, x, wIh, gates, dwIh, dbIh, dbHh, dx);
    }

    /// <summary>Throws unless h0, c0 (optional) <c>[B, H]</c> and the saved gates <c>[B·T, 4H]</c>, cells and hs <c>[B·T, H]</c> hold enough floats.</summary>
    private static void RequireSaved(int batch, int steps, int hidden, ArrayView<float> h0, ArrayView<float> c0,
        ArrayView<float> gates, ArrayView<float> cells, ArrayView<float> hs)
    {
        int rows = batch * steps;
        RequireOptionalState(batch * hidden, h0, c0);
        Views.Require(gates, (long)rows * Lstm.Gates * hidden, nameof(gates));
        Views.Require(cells, (long)rows * hidden, nameof(cells));
        Views.Require(hs, (long)rows * hidden, nameof(hs));
    }

    /// <summary>Throws unless the (h, c) pair <paramref name="h"/>, <paramref name="c"/> (each <c>[B, H]</c> or empty: none) holds enough floats.</summary>
    private static void RequireOptionalState(int bh, ArrayView<float> h, ArrayView<float> c,
        [CallerArgumentExpression(nameof(h))] string hName = "", [CallerArgumentExpression(nameof(c))] string cName = "")
    {
        GpuRecurrent.RequireOptional(h, bh, hName);
        GpuRecurrent.RequireOptional(c, bh, cName);
    }

    /// <summary>
    /// Checks <paramref name="scratch"/> (<see cref="Lstm.ScratchLength"/> floats) and splits it as both passes use it:
    /// the step's <c>[B, 4H]</c> product (forward's recurrent term, backward's dz), then three <c>[B, H]</c> states
    /// (forward's h, c; backward's dh, dc, h_{t−1}).
    /// </summary>
    private static (ArrayView<float> Product, ArrayView<float> First, ArrayView<float> Second, ArrayView<float> Third) SplitScratch(
        int batch, int hidden, ArrayView<float> scratch)
    {
        Views.Require(scratch, Lstm.ScratchLength(batch, hidden), nameof(scratch));
        int product = batch * Lstm.Gates * hidden, bh = batch * hidden;
        return (scratch.SubView(0, product), scratch.SubView(product, bh), scratch.SubView(product + bh, bh), scratch.SubView(product + 2 * bh, bh));
    }
}

internal sealed class LstmKernels : IKernelSet<LstmKernels>
{
    public required Action<AcceleratorStream, Index1D, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> StepForward { get; init; }
    public required Action<AcceleratorStream, Index1D, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> StepBackward { get; init; }

    public static LstmKernels Load(Accelerator accelerator) => new()
    {
        StepForward = accelerator.LoadAutoGroupedKernel<Index1D, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(StepForwardKernel),
        StepBackward = accelerator.LoadAutoGroupedKernel<Index1D, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(StepBackwardKernel),
    };

    // Thread e = b·H + j: the four gates of unit j of sample b at step t, then c and h (kept in c, h and saved).
    [Kernel(explicitlyGrouped: false)]
    internal static void StepForwardKernel(Index1D e, int t, int steps, int hidden, ArrayView<float> recurrent,
        ArrayView<float> bIh, ArrayView<float> bHh, ArrayView<float> gates, ArrayView<float> cells, ArrayView<float> hs,
        ArrayView<float> h, ArrayView<float> c)
    {
        int b = e / hidden, j = e - b * hidden, width = 4 * hidden, row = b * steps + t;
        int z = row * width + j, r = b * width + j;
        float i = GpuSigmoid.Apply(gates[z] + recurrent[r] + bIh[j] + bHh[j]);
        float f = GpuSigmoid.Apply(gates[z + hidden] + recurrent[r + hidden] + bIh[j + hidden] + bHh[j + hidden]);
        float g = GpuTanh.Apply(gates[z + 2 * hidden] + recurrent[r + 2 * hidden] + bIh[j + 2 * hidden] + bHh[j + 2 * hidden]);
        float o = GpuSigmoid.Apply(gates[z + 3 * hidden] + recurrent[r + 3 * hidden] + bIh[j + 3 * hidden] + bHh[j + 3 * hidden]);
        gates[z] = i;
        gates[z + hidden] = f;
        gates[z + 2 * hidden] = g;
        gates[z + 3 * hidden] = o;
        float cv = f * c[e] + i * g, hv = o * GpuTanh.Apply(cv);
        c[e] = cv;
        h[e] = hv;
        cells[row * hidden + j] = cv;
        hs[row * hidden + j] = hv;
    }

    // Thread e = b·H + j: one step back through unit j of sample b (formulas on Lstm.Backward). Writes dz to both the
    // per-step matrix and the saved gates, turns dc into the gradient w.r.t. c_{t−1}, and gathers h_{t−1} into hPrev.
    [Kernel(explicitlyGrouped: false)]
    internal static void StepBackwardKernel(Index1D e, int t, int steps, int hidden, ArrayView<float> h0, ArrayView<float> c0,
        ArrayView<float> cells, ArrayView<float> hs, ArrayView<float> dy, ArrayView<float> gates,
        ArrayView<float> dz, ArrayView<float> dh, ArrayView<float> dc, ArrayView<float> hPrev)
    {
        int b = e / hidden, j = e - b * hidden, width = 4 * hidden, row = b * steps + t;
        int z = row * width + j, d = b * width + j, s = row * hidden + j;
        float i = gates[z], f = gates[z + hidden], g = gates[z + 2 * hidden], o = gates[z + 3 * hidden];
        float tc = GpuTanh.Apply(cells[s]);
        float dhv = dh[e] + (dy.Length != 0 ? dy[s] : 0f);
        float dcv = dc[e] + dhv * o * (1f - tc * tc);
        float cp = t > 0 ? cells[s - hidden] : c0.Length != 0 ? c0[e] : 0f;
        float di = dcv * g * i * (1f - i), df = dcv * cp * f * (1f - f), dg = dcv * i * (1f - g * g), dout = dhv * tc * o * (1f - o);
        dz[d] = di; dz[d + hidden] = df; dz[d + 2 * hidden] = dg; dz[d + 3 * hidden] = dout;
        gates[z] = di; gates[z + hidden] = df; gates[z + 2 * hidden] = dg; gates[z + 3 * hidden] = dout;
        dc[e] = dcv * f;
        hPrev[e] = t > 0 ? hs[s - hidden] : h0.Length != 0 ? h0[e] : 0f;
    }
}
