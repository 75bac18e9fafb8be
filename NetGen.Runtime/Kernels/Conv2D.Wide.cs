using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NetGen.Kernels.GemmCore;

namespace NetGen.Kernels;

// The "wide" path for stride-1 convolutions with few input channels: every kernel indexes one sample's zero-padded
// input planes (row stride Wp = W + 2·pW) by the wide position q = i·Wp + j of output pixel (i, j), so that the input
// a tap (c, u, v) reads for output q is at c·plane + u·Wp + v + q — a contiguous run of 16 outputs reads 16
// contiguous inputs whatever the output width. Positions with j ≥ OutWidth are garbage: the forward computes and
// drops them, and the backward keeps zeros there in its widened output gradient, so they add nothing. This costs
// (Wp − OutWidth) / Wp of the lanes (29% for LeNet-5's C3, 10 of 14) but needs no im2col copy, no edge handling and
// no per-sample GEMM, whose 16×100×150 products run far below the GEMM's speed.
public static partial class Conv2D
{
    // Register blocks: forward 4, 6 or 8 output channels × 3 vectors of positions (up to 24 accumulators); weight
    // gradient 3 output channels × 5 taps (15), or 6 taps × 16 output channels per vector; input gradient 3 or 6 input
    // channels × 3 vectors (up to 18). Position counts are rounded up to a multiple of 3 vectors, output channels (in
    // the gradient buffers) to a multiple of 3, taps to multiples of 5 (or 6), and input channels (in the
    // input-gradient planes) to a multiple of 3 (up to 3 channels) or 6; the padding is zero or feeds sums nobody
    // reads, so no block needs a tail.
    private const int Lanes = 16, PositionBlock = 3 * Lanes, ChannelBlock = 3, TapBlock = 5, ChannelTapBlock = 6;

    // With 16 or more output channels the weight gradient is accumulated with vectors over output channels instead
    // (ChannelWeightGradientSample): no lane is spent on the wide layout's garbage positions, and its partial sums
    // fit in L1, where the wide kernel's (one vector per weight) spill to L2 and it ran at a third of the FMA peak
    // on LeNet-5's C3.
    private static bool UsesChannelWeightGradient(in Conv2DShape s) => s.OutChannels >= Lanes;

    /// <summary>Whether the wide (direct) path can run the backward pass: AVX-512 and <see cref="Conv2DRules.DirectUnsupported"/>.</summary>
    internal static bool UsesWide(in Conv2DShape s) => Isa == VectorIsa.Avx512 && s.DirectUnsupported(forward: false) is null;

    /// <summary>Whether the wide forward kernel applies: as <see cref="UsesWide"/>, and at least 4 output channels.</summary>
    internal static bool UsesWideForward(in Conv2DShape s) => Isa == VectorIsa.Avx512 && s.DirectUnsupported(forward: true) is null;

    /// <summary>Sizes of the wide layout of one shape; see the comment at the top of this file.</summary>
    private readonly struct WideLayout
    {
        public WideLayout(in Conv2DShape s)
        {
            RowStride = s.Width + 2 * s.PaddingWidth;
            Plane = RowStride * (s.Height + 2 * s.PaddingHeight);
            int valid = (s.OutHeight - 1) * RowStride + s.OutWidth;
            Positions = RoundUp(valid, PositionBlock);
            Channels = RoundUp(s.InChannels, s.InChannels > 3 ? 6 : 3);
            int reach = (s.KernelHeight - 1) * RowStride + s.KernelWidth - 1;
            InputLength = RoundUp(Math.Max(Channels * Plane, (Channels - 1) * Plane + reach + Positions), Lanes);
            GradientRows = RoundUp(s.OutChannels, ChannelBlock);
            Taps = RoundUp(s.PatchSize, TapBlock);
            Groups = RoundUp(s.OutChannels, Lanes) / Lanes;
            ChannelTaps = RoundUp(s.PatchSize, ChannelTapBlock);
            TransposedWeights = RoundUp(Channels * s.KernelHeight * s.KernelWidth * s.OutChannels, Lanes);
            int pixels = s.OutHeight * s.OutWidth;
            bool channels = UsesChannelWeightGradient(s);
            Partial = channels ? ChannelTaps * Groups * Lanes : GradientRows * Taps * Lanes;
            BiasPartial = RoundUp(s.OutChannels, Lanes);
            TapTable = RoundUp(Math.Max(Taps, ChannelTaps), Lanes);
            GroupSums = Partial + BiasPartial;
            Shared = TransposedWeights + MaxWideThreads * GroupSums + TapTable;
            // Every part is a whole number of vectors, so each starts on a 64-byte boundary after the aligned base; the
            // last vector of a slot is slack for the tails of the wide output.
            Slot = Math.Max(InputLength + s.OutChannels * Positions,
                2 * InputLength + GradientRows * Positions + (channels ? pixels * Groups * Lanes : 0)) + Lanes;
            WorkspaceSize = Lanes + Shared + MaxWideThreads * Slot; // Aligned moves the base up to one vector on
        }

        /// <summary>Row stride of the padded planes, W + 2·pW.</summary>
        public int RowStride { get; }
        /// <summary>Floats per padded plane.</summary>
        public int Plane { get; }
        /// <summary>Wide positions computed per output channel (the valid ones rounded up to whole blocks).</summary>
        public int Positions { get; }
        /// <summary>Input channels rounded up to the input-gradient block (3 up to 3 channels, else 6).</summary>
        public int Channels { get; }
        /// <summary>Floats of a padded input copy, with room for every block's reads and writes past the last plane.</summary>
        public int InputLength { get; }
        /// <summary>Output channels rounded up to the channel block (rows of the widened output gradient).</summary>
        public int GradientRows { get; }
        /// <summary>Taps (PatchSize) rounded up to the tap block.</summary>
        public int Taps { get; }
        /// <summary>Floats of the transposed weights, rounded up to whole vectors.</summary>
        public int TransposedWeights { get; }
        /// <summary>Vectors of 16 output channels (the channel-vector weight gradient's lanes).</summary>
        public int Groups { get; }
        /// <summary>Taps rounded up to the channel-vector weight gradient's tap block.</summary>
        public int ChannelTaps { get; }
        /// <summary>Floats of one sample group's weight-gradient partial sums (one vector per weight, or per tap and
        /// vector of output channels).</summary>
        public int Partial { get; }
        /// <summary>Floats of one sample group's bias-gradient sums (output channels rounded up to whole vectors).</summary>
        public int BiasPartial { get; }
        /// <summary>Floats of one sample group's sums: its weight-gradient sums, then its bias-gradient sums.</summary>
        public int GroupSums { get; }
        /// <summary>Floats (ints) of the taps' offsets in the padded planes (<see cref="TapOffset"/>), made once per backward
        /// call: the weight-gradient kernels look them up instead of dividing per block of taps.</summary>
        public int TapTable { get; }
        /// <summary>Workspace floats past the alignment slack and before the slots: the transposed weights, the
        /// weight- and bias-gradient sums of up to <see cref="MaxWideThreads"/> sample groups, then the tap table.</summary>
        public int Shared { get; }
        /// <summary>Workspace floats of one thread's scratch: a padded input copy and the wide output (forward), or a
        /// padded input, a widened output gradient, a padded input gradient and a transposed output gradient (backward).</summary>
        public int Slot { get; }
        /// <summary>Workspace floats of the wide path: alignment slack, the shared part and <see cref="MaxWideThreads"/> slots.</summary>
        public int WorkspaceSize { get; }
    }

    /// <summary>
    /// The most threads one wide-path call uses (fewer when <see cref="Threading.MaxThreads"/> says so): the workspace
    /// holds one scratch slot per thread, so <see cref="WorkspaceSize"/> is sized for this many.
    /// </summary>
    internal const int MaxWideThreads = 8;

    // Below about this many multiply-adds ×2 (≈ 40 µs of one core at the wide kernels' speed) a call stays on one
    // thread: waking a worker and sharing the caches costs more than it saves.
    internal const long WideParallelFlops = 1L << 22;

    /// <summary>Threads for a wide-path stage of <paramref name="flops"/> work cut into <paramref name="units"/> parts.</summary>
    private static int WideParts(long flops, int units) =>
        flops < WideParallelFlops ? 1 : Math.Max(1, Math.Min(units, Math.Min(Threading.Available, MaxWideThreads)));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void WideForward<TAct>(in Conv2DShape s, int batch, float* x, float* w, float* bias, float* y, float* workspace)
        where TAct : struct, IActivation
    {
        var g = new WideLayout(s);
        float* wt = Aligned(workspace);
        TransposeWeights(s, g, w, wt);
        var a = new WideArgs
        {
            Shape = s, Layout = g, Batch = batch, Stage = WideStage.Forward,
            Parts = WideParts(2L * batch * s.OutputSize * s.PatchSize, batch),
            X = x, Bias = bias, Y = y, Weights = wt, Slots = wt + g.Shared,
        };
        RunWide<TAct>(ref a, a.Parts);
    }

    // A backward pass cuts its batch into groups of at least this many samples (at most MaxWideThreads groups).
    private const int MinGroupSamples = 4;

    /// <summary>Sample groups of a backward pass over <paramref name="batch"/> samples: they depend on the batch alone, so
    /// the gradients are the same bit for bit whatever the number of threads that runs them.</summary>
    internal static int WideGroups(int batch) => Math.Clamp(batch / MinGroupSamples, 1, MaxWideThreads);

    /// <summary>
    /// Backward in one stage over groups of samples (<see cref="WideGroups"/>), each a chunk of the worker pool. A group
    /// takes its samples in order and touches each once: it widens g = dy ⊙ act′(y), adds g's products with the input
    /// into its own weight- and bias-gradient sums, computes the input gradient from g, and writes g back into dy.
    /// The groups' sums are then added in group order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void WideBackward<TAct>(in Conv2DShape s, int batch, float* x, float* w, float* y,
        float* dy, float* dw, float* dbias, float* dx, float* workspace)
        where TAct : struct, IActivation
    {
        var g = new WideLayout(s);
        float* wt = Aligned(workspace), sums = wt + g.TransposedWeights;
        int* taps = (int*)(sums + MaxWideThreads * g.GroupSums);
        for (int t = 0; t < g.TapTable; t++) taps[t] = (int)TapOffset(s, g, t);
        if (dx != null) TransposeWeights(s, g, w, wt);
        int groups = WideGroups(batch);
        long flops = (dx != null ? 4L : 2L) * batch * s.OutputSize * s.PatchSize;
        var a = new WideArgs
        {
            Shape = s, Layout = g, Batch = batch, Stage = WideStage.Backward, Parts = groups,
            X = x, Y = y, Dy = dy, Dbias = dbias, Dx = dx, Weights = wt, Partial = sums, Taps = taps, Slots = wt + g.Shared,
        };
        RunWide<TAct>(ref a, flops < WideParallelFlops ? 1 : Math.Min(Threading.Available, MaxWideThreads));

        for (int k = 1; k < groups; k++) Elementwise.AddTo(ref *sums, in sums[(nint)k * g.GroupSums], g.GroupSums);
        bool channels = UsesChannelWeightGradient(s);
        for (int o = 0; o < s.OutChannels; o++)
        for (int t = 0; t < s.PatchSize; t++)
            dw[o * s.PatchSize + t] = channels
                ? sums[((nint)t * g.Groups + o / Lanes) * Lanes + o % Lanes]
                : Vector512.Sum(Vector512.Load(sums + ((nint)o * g.Taps + t) * Lanes));
        if (dbias != null) new ReadOnlySpan<float>(sums + g.Partial, s.OutChannels).CopyTo(new Span<float>(dbias, s.OutChannels));
    }

    private enum WideStage { Forward, Backward }

    /// <summary>One wide-path stage's arguments (pointers into buffers the caller keeps fixed while it runs).</summary>
    private unsafe struct WideArgs
    {
        public Conv2DShape Shape;
        public WideLayout Layout;
        public int Batch, Parts;
        public WideStage Stage;
        public float* X, Bias, Y, Dy, Dbias, Dx, Weights, Partial, Slots;
        public int* Taps;
    }

    /// <summary>Runs a stage's parts on up to <paramref name="threads"/> threads of the worker pool, or all of them in
    /// order on this thread when that is one thread or the pool is busy (the results are the same either way).</summary>
    private static void RunWide<TAct>(ref WideArgs a, int threads) where TAct : struct, IActivation
    {
        var s = a.Shape;
        long kind = ((long)s.InputSize << 40 | (long)s.OutputSize << 20 | (uint)s.PatchSize) * 4 + (int)a.Stage;
        if (WorkerPool.TryRun(WideJob<TAct>.Instance, a, a.Parts, (long)a.Batch * s.OutputSize * s.PatchSize, kind, threads)) return;
        for (int part = 0; part < a.Parts; part++) WidePart<TAct>(a, part);
    }

    /// <summary>A wide-path stage for <see cref="WorkerPool"/>; one instance per activation, whose fields the pool's gate
    /// guards.</summary>
    private sealed class WideJob<TAct> : ParallelJob<WideArgs> where TAct : struct, IActivation
    {
        public static readonly WideJob<TAct> Instance = new();

        public override void RunPart(int part) => WidePart<TAct>(Args, part);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void WidePart<TAct>(in WideArgs a, int part) where TAct : struct, IActivation
    {
        var s = a.Shape;
        var g = a.Layout;
        float* xw = a.Slots + (nint)part * g.Slot, dyw = xw + g.InputLength;
        new Span<float>(xw, g.InputLength).Clear();
        var (b0, b1) = Share(a.Batch, part, a.Parts);
        if (a.Stage == WideStage.Forward)
        {
            for (int b = b0; b < b1; b++)
            {
                ToWide(s, g, a.X + (nint)b * s.InputSize, xw);
                switch (ForwardBlock(s.OutChannels))
                {
                    case 8: WideForwardSample<EightChannels>(s, g, xw, a.Weights, a.Bias, dyw); break;
                    case 6: WideForwardSample<SixChannels>(s, g, xw, a.Weights, a.Bias, dyw); break;
                    default: WideForwardSample<FourChannels>(s, g, xw, a.Weights, a.Bias, dyw); break;
                }
                FromWideOutput<TAct>(s, g, dyw, a.Y + (nint)b * s.OutputSize);
            }
            return;
        }

        int pixels = s.OutHeight * s.OutWidth;
        float* dxw = dyw + g.GradientRows * g.Positions, dyt = dxw + g.InputLength;
        float* partial = a.Partial + (nint)part * g.GroupSums, biasSums = a.Dbias != null ? partial + g.Partial : null;
        new Span<float>(partial, g.GroupSums).Clear();
        new Span<float>(dyw, g.GradientRows * g.Positions).Clear();
        bool channels = UsesChannelWeightGradient(s);
        if (channels) new Span<float>(dyt, pixels * g.Groups * Lanes).Clear();
        // The channel-vector kernel reads g transposed, straight from dy and y where it has whole vectors of pixels: the
        // widened g is made only for what else needs it.
        bool widen = !channels || a.Dbias != null || a.Dx != null || pixels < Lanes;
        for (int b = b0; b < b1; b++)
        {
            float* yb = a.Y + (nint)b * s.OutputSize, dyb = a.Dy + (nint)b * s.OutputSize;
            ToWide(s, g, a.X + (nint)b * s.InputSize, xw);
            if (widen) WidenOutputGradient<TAct>(s, g, yb, dyb, dyw, biasSums, 0, s.OutChannels);
            if (channels)
            {
                TransposeOutputGradient<TAct>(s, g, yb, dyb, dyw, dyt);
                ChannelWeightGradientSample(s, g, xw, dyt, a.Taps, partial, 0, g.Groups * (g.ChannelTaps / ChannelTapBlock));
            }
            else WideWeightGradientSample(s, g, xw, dyw, a.Taps, partial, 0, g.GradientRows);
            if (typeof(TAct) != typeof(Identity))
                Elementwise.MultiplyDerivative<TAct>(new Span<float>(dyb, s.OutputSize), new ReadOnlySpan<float>(yb, s.OutputSize));
            if (a.Dx == null) continue;
            new Span<float>(dxw, g.InputLength).Clear();
            if (g.Channels % 6 == 0) WideInputGradientSample<SixChannels>(s, g, dyw, a.Weights, dxw);
            else WideInputGradientSample<ThreeChannels>(s, g, dyw, a.Weights, dxw);
            FromWideInput(s, g, dxw, a.Dx + (nint)b * s.InputSize);
        }
    }

    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/> equal shares of 0..<paramref name="count"/>.</summary>
    private static (int From, int To) Share(int count, int part, int parts) =>
        ((int)((long)count * part / parts), (int)((long)count * (part + 1) / parts));

    // dyt[pixel, o] = g[o, pixel] = dy ⊙ act′(y), 16 output channels per vector (lanes past OutChannels zero): 16×16
    // blocks transposed in registers (unpack 32-bit, unpack 64-bit, two 128-bit lane shuffles: 64 shuffles per block),
    // the last run of pixels shifted back to end on the last pixel. Outputs of fewer than 16 pixels are copied one by
    // one from dy_wide.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void TransposeOutputGradient<TAct>(in Conv2DShape s, in WideLayout g, float* yb, float* dyb, float* dyw, float* dyt)
        where TAct : struct, IActivation
    {
        int outC = s.OutChannels, pixels = s.OutHeight * s.OutWidth;
        nint step = (nint)g.Groups * Lanes;
        if (pixels < Lanes)
        {
            for (int o = 0; o < outC; o++)
            {
                float* dst = dyt + (nint)(o / Lanes) * Lanes + o % Lanes;
                for (int i = 0; i < s.OutHeight; i++)
                {
                    float* src = dyw + (nint)o * g.Positions + i * g.RowStride;
                    for (int j = 0; j < s.OutWidth; j++, dst += step) *dst = src[j];
                }
            }
            return;
        }
        for (int group = 0; group < g.Groups; group++)
        for (int run = 0; run < pixels; run += Lanes)
        {
            int p = Math.Min(run, pixels - Lanes), o = group * Lanes;
            var r0 = Row(o); var r1 = Row(o + 1); var r2 = Row(o + 2); var r3 = Row(o + 3);
            var r4 = Row(o + 4); var r5 = Row(o + 5); var r6 = Row(o + 6); var r7 = Row(o + 7);
            var r8 = Row(o + 8); var r9 = Row(o + 9); var r10 = Row(o + 10); var r11 = Row(o + 11);
            var r12 = Row(o + 12); var r13 = Row(o + 13); var r14 = Row(o + 14); var r15 = Row(o + 15);
            Quad(r0, r1, r2, r3, out var a0, out var a1, out var a2, out var a3);
            Quad(r4, r5, r6, r7, out var b0, out var b1, out var b2, out var b3);
            Quad(r8, r9, r10, r11, out var c0, out var c1, out var c2, out var c3);
            Quad(r12, r13, r14, r15, out var d0, out var d1, out var d2, out var d3);
            float* dst = dyt + (nint)p * step + o;
            Columns(a0, b0, c0, d0, dst, step);
            Columns(a1, b1, c1, d1, dst + step, step);
            Columns(a2, b2, c2, d2, dst + 2 * step, step);
            Columns(a3, b3, c3, d3, dst + 3 * step, step);

            Vector512<float> Row(int channel)
            {
                if (channel >= outC) return Vector512<float>.Zero;
                nint at = (nint)channel * pixels + p;
                return Vector512.Load(dyb + at) * TAct.Derivative(Vector512.Load(yb + at));
            }
        }

        // Four rows → per 128-bit lane L, column 4L + k of the four rows in u_k.
        static void Quad(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d,
            out Vector512<float> u0, out Vector512<float> u1, out Vector512<float> u2, out Vector512<float> u3)
        {
            var t0 = Avx512F.UnpackLow(a, b).AsDouble(); var t1 = Avx512F.UnpackHigh(a, b).AsDouble();
            var t2 = Avx512F.UnpackLow(c, d).AsDouble(); var t3 = Avx512F.UnpackHigh(c, d).AsDouble();
            u0 = Avx512F.UnpackLow(t0, t2).AsSingle(); u1 = Avx512F.UnpackHigh(t0, t2).AsSingle();
            u2 = Avx512F.UnpackLow(t1, t3).AsSingle(); u3 = Avx512F.UnpackHigh(t1, t3).AsSingle();
        }

        // Columns k, k + 4, k + 8, k + 12 of the 16 rows (k = 0 at dst) from the Quad outputs of rows 0–3, 4–7, 8–11, 12–15.
        static void Columns(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d, float* dst, nint step)
        {
            var v0 = Avx512F.Shuffle4x128(a, b, 0x88); var v1 = Avx512F.Shuffle4x128(a, b, 0xDD);
            var w0 = Avx512F.Shuffle4x128(c, d, 0x88); var w1 = Avx512F.Shuffle4x128(c, d, 0xDD);
            Avx512F.Shuffle4x128(v0, w0, 0x88).Store(dst);
            Avx512F.Shuffle4x128(v1, w1, 0x88).Store(dst + 4 * step);
            Avx512F.Shuffle4x128(v0, w0, 0xDD).Store(dst + 8 * step);
            Avx512F.Shuffle4x128(v1, w1, 0xDD).Store(dst + 12 * step);
        }
    }

    // dwt[t, o] += Σ_{i,j} dyt[i·OutWidth + j, o] · xw[offset(t) + i·Wp + j] with 16 output channels per vector: 6 taps at
    // a time hold their vectors in registers over every pixel, even and odd columns in separate accumulators (12
    // chains), for the units from ≤ unit < to of (vector of channels, block of taps). Taps past the patch repeat the last
    // one into rows nobody reads.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ChannelWeightGradientSample(in Conv2DShape s, in WideLayout g, float* xw, float* dyt, int* taps, float* dwt,
        int from, int to)
    {
        int outH = s.OutHeight, outW = s.OutWidth, groups = g.Groups, rowStride = g.RowStride, blocks = g.ChannelTaps / ChannelTapBlock;
        nint step = (nint)groups * Lanes;
        for (int unit = from; unit < to; unit++)
        {
            int group = unit / blocks, t = unit % blocks * ChannelTapBlock;
            nint k0 = taps[t], k1 = taps[t + 1], k2 = taps[t + 2], k3 = taps[t + 3], k4 = taps[t + 4], k5 = taps[t + 5];
            float* acc = dwt + ((nint)t * groups + group) * Lanes;
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
            Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
            for (int i = 0; i < outH; i++)
            {
                float* xi = xw + (nint)i * rowStride;
                float* d = dyt + ((nint)i * outW * groups + group) * Lanes;
                int j = 0;
                for (; j + 1 < outW; j += 2, xi += 2, d += 2 * step)
                {
                    var e = Vector512.Load(d);
                    var f = Vector512.Load(d + step);
                    a0 = Vector512.FusedMultiplyAdd(e, Vector512.Create(xi[k0]), a0);
                    a1 = Vector512.FusedMultiplyAdd(e, Vector512.Create(xi[k1]), a1);
                    a2 = Vector512.FusedMultiplyAdd(e, Vector512.Create(xi[k2]), a2);
                    a3 = Vector512.FusedMultiplyAdd(e, Vector512.Create(xi[k3]), a3);
                    a4 = Vector512.FusedMultiplyAdd(e, Vector512.Create(xi[k4]), a4);
                    a5 = Vector512.FusedMultiplyAdd(e, Vector512.Create(xi[k5]), a5);
                    c0 = Vector512.FusedMultiplyAdd(f, Vector512.Create(xi[k0 + 1]), c0);
                    c1 = Vector512.FusedMultiplyAdd(f, Vector512.Create(xi[k1 + 1]), c1);
                    c2 = Vector512.FusedMultiplyAdd(f, Vector512.Create(xi[k2 + 1]), c2);
                    c3 = Vector512.FusedMultiplyAdd(f, Vector512.Create(xi[k3 + 1]), c3);
                    c4 = Vector512.FusedMultiplyAdd(f, Vector512.Create(xi[k4 + 1]), c4);
                    c5 = Vector512.FusedMultiplyAdd(f, Vector512.Create(xi[k5 + 1]), c5);
                }
                if (j < outW)
                {
                    var e = Vector512.Load(d);
                    a0 = Vector512.FusedMultiplyAdd(e, Vector512.Create(xi[k0]), a0);
                    a1 = Vector512.FusedMultiplyAdd(e, Vector512.Create(xi[k1]), a1);
                    a2 = Vector512.FusedMultiplyAdd(e, Vector512.Create(xi[k2]), a2);
                    a3 = Vector512.FusedMultiplyAdd(e, Vector512.Create(xi[k3]), a3);
                    a4 = Vector512.FusedMultiplyAdd(e, Vector512.Create(xi[k4]), a4);
                    a5 = Vector512.FusedMultiplyAdd(e, Vector512.Create(xi[k5]), a5);
                }
            }
            (Vector512.Load(acc) + a0 + c0).Store(acc);
            (Vector512.Load(acc + step) + a1 + c1).Store(acc + step);
            (Vector512.Load(acc + 2 * step) + a2 + c2).Store(acc + 2 * step);
            (Vector512.Load(acc + 3 * step) + a3 + c3).Store(acc + 3 * step);
            (Vector512.Load(acc + 4 * step) + a4 + c4).Store(acc + 4 * step);
            (Vector512.Load(acc + 5 * step) + a5 + c5).Store(acc + 5 * step);
        }
    }

    // y_wide[o, q] = bias[o] + Σ_{c,u,v} w[o,c,u,v] · xw[c·plane + u·Wp + v + q] for TBlock.Channels (4, 6 or 8) output
    // channels × 48 positions at a time (up to 24 accumulators; per tap 3 loads of x and one broadcast per channel from
    // the transposed weights, which lie side by side). The JIT drops the statements of channels past the block, so
    // each block size compiles to its own kernel. The last block is shifted back to end on the last channel,
    // recomputing a few (hence OutChannels ≥ 4, and the block chosen by ForwardBlock).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void WideForwardSample<TBlock>(in Conv2DShape s, in WideLayout g, float* xw, float* wt, float* bias, float* yw)
        where TBlock : struct, IChannelBlock
    {
        int outC = s.OutChannels, kh = s.KernelHeight, kw = s.KernelWidth, inC = s.InChannels, n = TBlock.Channels;
        int rowStride = g.RowStride, plane = g.Plane, positions = g.Positions;
        for (int block = 0; block < outC; block += n)
        {
            int o = Math.Min(block, outC - n);
            var b0 = Bias(bias, o); var b1 = Bias(bias, o + 1); var b2 = Bias(bias, o + 2); var b3 = Bias(bias, o + 3);
            var b4 = n > 4 ? Bias(bias, o + 4) : default; var b5 = n > 5 ? Bias(bias, o + 5) : default;
            var b6 = n > 6 ? Bias(bias, o + 6) : default; var b7 = n > 7 ? Bias(bias, o + 7) : default;
            for (int q = 0; q < positions; q += PositionBlock)
            {
                Vector512<float> a00 = b0, a01 = b0, a02 = b0, a10 = b1, a11 = b1, a12 = b1, a20 = b2, a21 = b2, a22 = b2;
                Vector512<float> a30 = b3, a31 = b3, a32 = b3, a40 = b4, a41 = b4, a42 = b4, a50 = b5, a51 = b5, a52 = b5;
                Vector512<float> a60 = b6, a61 = b6, a62 = b6, a70 = b7, a71 = b7, a72 = b7;
                float* k = wt + o;
                for (int c = 0; c < inC; c++)
                for (int u = 0; u < kh; u++)
                {
                    float* row = xw + (nint)c * plane + u * rowStride + q;
                    for (int v = 0; v < kw; v++, k += outC)
                    {
                        var x0 = Vector512.Load(row + v);
                        var x1 = Vector512.Load(row + v + Lanes);
                        var x2 = Vector512.Load(row + v + 2 * Lanes);
                        var k0 = Vector512.Create(k[0]);
                        a00 = Vector512.FusedMultiplyAdd(x0, k0, a00); a01 = Vector512.FusedMultiplyAdd(x1, k0, a01); a02 = Vector512.FusedMultiplyAdd(x2, k0, a02);
                        var k1 = Vector512.Create(k[1]);
                        a10 = Vector512.FusedMultiplyAdd(x0, k1, a10); a11 = Vector512.FusedMultiplyAdd(x1, k1, a11); a12 = Vector512.FusedMultiplyAdd(x2, k1, a12);
                        var k2 = Vector512.Create(k[2]);
                        a20 = Vector512.FusedMultiplyAdd(x0, k2, a20); a21 = Vector512.FusedMultiplyAdd(x1, k2, a21); a22 = Vector512.FusedMultiplyAdd(x2, k2, a22);
                        var k3 = Vector512.Create(k[3]);
                        a30 = Vector512.FusedMultiplyAdd(x0, k3, a30); a31 = Vector512.FusedMultiplyAdd(x1, k3, a31); a32 = Vector512.FusedMultiplyAdd(x2, k3, a32);
                        if (n > 4)
                        {
                            var k4 = Vector512.Create(k[4]);
                            a40 = Vector512.FusedMultiplyAdd(x0, k4, a40); a41 = Vector512.FusedMultiplyAdd(x1, k4, a41); a42 = Vector512.FusedMultiplyAdd(x2, k4, a42);
                            var k5 = Vector512.Create(k[5]);
                            a50 = Vector512.FusedMultiplyAdd(x0, k5, a50); a51 = Vector512.FusedMultiplyAdd(x1, k5, a51); a52 = Vector512.FusedMultiplyAdd(x2, k5, a52);
                        }
                        if (n > 6)
                        {
                            var k6 = Vector512.Create(k[6]);
                            a60 = Vector512.FusedMultiplyAdd(x0, k6, a60); a61 = Vector512.FusedMultiplyAdd(x1, k6, a61); a62 = Vector512.FusedMultiplyAdd(x2, k6, a62);
                            var k7 = Vector512.Create(k[7]);
                            a70 = Vector512.FusedMultiplyAdd(x0, k7, a70); a71 = Vector512.FusedMultiplyAdd(x1, k7, a71); a72 = Vector512.FusedMultiplyAdd(x2, k7, a72);
                        }
                    }
                }
                float* y = yw + (nint)o * positions + q;
                Store(y, a00, a01, a02); Store(y + positions, a10, a11, a12);
                Store(y + 2 * positions, a20, a21, a22); Store(y + 3 * positions, a30, a31, a32);
                if (n > 4) { Store(y + 4 * positions, a40, a41, a42); Store(y + 5 * positions, a50, a51, a52); }
                if (n > 6) { Store(y + 6 * positions, a60, a61, a62); Store(y + 7 * positions, a70, a71, a72); }
            }
        }

        static Vector512<float> Bias(float* bias, int o) => bias == null ? Vector512<float>.Zero : Vector512.Create(bias[o]);
        static void Store(float* y, Vector512<float> a, Vector512<float> b, Vector512<float> c)
        {
            a.Store(y); b.Store(y + Lanes); c.Store(y + 2 * Lanes);
        }
    }

    /// <summary>Output channels per block of <see cref="WideForwardSample{TBlock}"/>, a constant the JIT folds.</summary>
    private interface IChannelBlock
    {
        static abstract int Channels { get; }
    }

    private readonly struct FourChannels : IChannelBlock { public static int Channels => 4; }

    private readonly struct SixChannels : IChannelBlock { public static int Channels => 6; }

    private readonly struct EightChannels : IChannelBlock { public static int Channels => 8; }

    // The block (4, 6 or 8 output channels) that computes the fewest channels twice, the larger on ties: 6 for
    // LeNet-5's C1, 8 for its C3.
    private static int ForwardBlock(int outChannels)
    {
        int best = 8;
        foreach (int block in (ReadOnlySpan<int>)[6, 4])
            if (outChannels >= block && Computed(outChannels, block) < Computed(outChannels, best)) best = block;
        return best;

        static int Computed(int channels, int block) => channels < block ? int.MaxValue : RoundUp(channels, block);
    }

    // partial[o, t] (16 lanes) += Σ_q dy_wide[o, q] · xw[offset(t) + q] for the gradient rows from ≤ o < to (whole
    // channel blocks), 3 output channels × 5 taps at a time (15
    // accumulators, 8 loads per 15 multiply-adds; 6 channels and 5×5 kernels, LeNet-5's C1, need no padding); the rows
    // of dy_wide beyond OutChannels are zero, and taps beyond PatchSize repeat the last one into partial sums nobody reads.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void WideWeightGradientSample(in Conv2DShape s, in WideLayout g, float* xw, float* dyw, int* offsets, float* partial,
        int from, int to)
    {
        int positions = g.Positions, taps = g.Taps;
        for (int o = from; o < to; o += ChannelBlock)
        {
            float* d0 = dyw + (nint)o * positions, d1 = d0 + positions, d2 = d1 + positions;
            for (int t = 0; t < taps; t += TapBlock)
            {
                float* x0 = xw + offsets[t], x1 = xw + offsets[t + 1], x2 = xw + offsets[t + 2], x3 = xw + offsets[t + 3], x4 = xw + offsets[t + 4];
                float* p0 = partial + ((nint)o * taps + t) * Lanes, p1 = p0 + taps * Lanes, p2 = p1 + taps * Lanes;
                Vector512<float> a00 = Vector512.Load(p0), a01 = Vector512.Load(p0 + Lanes), a02 = Vector512.Load(p0 + 2 * Lanes);
                Vector512<float> a03 = Vector512.Load(p0 + 3 * Lanes), a04 = Vector512.Load(p0 + 4 * Lanes);
                Vector512<float> a10 = Vector512.Load(p1), a11 = Vector512.Load(p1 + Lanes), a12 = Vector512.Load(p1 + 2 * Lanes);
                Vector512<float> a13 = Vector512.Load(p1 + 3 * Lanes), a14 = Vector512.Load(p1 + 4 * Lanes);
                Vector512<float> a20 = Vector512.Load(p2), a21 = Vector512.Load(p2 + Lanes), a22 = Vector512.Load(p2 + 2 * Lanes);
                Vector512<float> a23 = Vector512.Load(p2 + 3 * Lanes), a24 = Vector512.Load(p2 + 4 * Lanes);
                for (int q = 0; q < positions; q += Lanes)
                {
                    var e0 = Vector512.Load(d0 + q); var e1 = Vector512.Load(d1 + q); var e2 = Vector512.Load(d2 + q);
                    var i0 = Vector512.Load(x0 + q);
                    a00 = Vector512.FusedMultiplyAdd(e0, i0, a00); a10 = Vector512.FusedMultiplyAdd(e1, i0, a10); a20 = Vector512.FusedMultiplyAdd(e2, i0, a20);
                    var i1 = Vector512.Load(x1 + q);
                    a01 = Vector512.FusedMultiplyAdd(e0, i1, a01); a11 = Vector512.FusedMultiplyAdd(e1, i1, a11); a21 = Vector512.FusedMultiplyAdd(e2, i1, a21);
                    var i2 = Vector512.Load(x2 + q);
                    a02 = Vector512.FusedMultiplyAdd(e0, i2, a02); a12 = Vector512.FusedMultiplyAdd(e1, i2, a12); a22 = Vector512.FusedMultiplyAdd(e2, i2, a22);
                    var i3 = Vector512.Load(x3 + q);
                    a03 = Vector512.FusedMultiplyAdd(e0, i3, a03); a13 = Vector512.FusedMultiplyAdd(e1, i3, a13); a23 = Vector512.FusedMultiplyAdd(e2, i3, a23);
                    var i4 = Vector512.Load(x4 + q);
                    a04 = Vector512.FusedMultiplyAdd(e0, i4, a04); a14 = Vector512.FusedMultiplyAdd(e1, i4, a14); a24 = Vector512.FusedMultiplyAdd(e2, i4, a24);
                }
                a00.Store(p0); a01.Store(p0 + Lanes); a02.Store(p0 + 2 * Lanes); a03.Store(p0 + 3 * Lanes); a04.Store(p0 + 4 * Lanes);
                a10.Store(p1); a11.Store(p1 + Lanes); a12.Store(p1 + 2 * Lanes); a13.Store(p1 + 3 * Lanes); a14.Store(p1 + 4 * Lanes);
                a20.Store(p2); a21.Store(p2 + Lanes); a22.Store(p2 + 2 * Lanes); a23.Store(p2 + 3 * Lanes); a24.Store(p2 + 4 * Lanes);
            }
        }
    }

    // dxw[c·plane + u·Wp + v + q] += Σ_o w[o,c,u,v] · dy_wide[o, q] for TBlock.Channels (3 or 6) input channels × 48
    // positions per tap (u, v): the channels' writes lie in different planes, so no read of a block overlaps a store of
    // the same block. Channels beyond InChannels have zero weights and land in planes nobody reads.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void WideInputGradientSample<TBlock>(in Conv2DShape s, in WideLayout g, float* dyw, float* wt, float* dxw)
        where TBlock : struct, IChannelBlock
    {
        int outC = s.OutChannels, kh = s.KernelHeight, kw = s.KernelWidth, positions = g.Positions, plane = g.Plane, n = TBlock.Channels;
        nint channelStride = (nint)kh * kw * outC;
        for (int u = 0; u < kh; u++)
        for (int v = 0; v < kw; v++)
        for (int c = 0; c < g.Channels; c += n)
        {
            float* k0 = wt + ((nint)(c * kh + u) * kw + v) * outC;
            float* t0 = dxw + (nint)c * plane + u * g.RowStride + v;
            for (int q = 0; q < positions; q += PositionBlock)
            {
                Vector512<float> a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
                Vector512<float> a20 = default, a21 = default, a22 = default, a30 = default, a31 = default, a32 = default;
                Vector512<float> a40 = default, a41 = default, a42 = default, a50 = default, a51 = default, a52 = default;
                float* d = dyw + q, k = k0;
                for (int o = 0; o < outC; o++, d += positions, k++)
                {
                    var e0 = Vector512.Load(d); var e1 = Vector512.Load(d + Lanes); var e2 = Vector512.Load(d + 2 * Lanes);
                    var m0 = Vector512.Create(k[0]);
                    a00 = Vector512.FusedMultiplyAdd(e0, m0, a00); a01 = Vector512.FusedMultiplyAdd(e1, m0, a01); a02 = Vector512.FusedMultiplyAdd(e2, m0, a02);
                    var m1 = Vector512.Create(k[channelStride]);
                    a10 = Vector512.FusedMultiplyAdd(e0, m1, a10); a11 = Vector512.FusedMultiplyAdd(e1, m1, a11); a12 = Vector512.FusedMultiplyAdd(e2, m1, a12);
                    var m2 = Vector512.Create(k[2 * channelStride]);
                    a20 = Vector512.FusedMultiplyAdd(e0, m2, a20); a21 = Vector512.FusedMultiplyAdd(e1, m2, a21); a22 = Vector512.FusedMultiplyAdd(e2, m2, a22);
                    if (n > 3)
                    {
                        var m3 = Vector512.Create(k[3 * channelStride]);
                        a30 = Vector512.FusedMultiplyAdd(e0, m3, a30); a31 = Vector512.FusedMultiplyAdd(e1, m3, a31); a32 = Vector512.FusedMultiplyAdd(e2, m3, a32);
                        var m4 = Vector512.Create(k[4 * channelStride]);
                        a40 = Vector512.FusedMultiplyAdd(e0, m4, a40); a41 = Vector512.FusedMultiplyAdd(e1, m4, a41); a42 = Vector512.FusedMultiplyAdd(e2, m4, a42);
                        var m5 = Vector512.Create(k[5 * channelStride]);
                        a50 = Vector512.FusedMultiplyAdd(e0, m5, a50); a51 = Vector512.FusedMultiplyAdd(e1, m5, a51); a52 = Vector512.FusedMultiplyAdd(e2, m5, a52);
                    }
                }
                float* t = t0 + q;
                AddStore(t, a00, a01, a02); AddStore(t + plane, a10, a11, a12); AddStore(t + 2 * plane, a20, a21, a22);
                if (n > 3) { AddStore(t + 3 * plane, a30, a31, a32); AddStore(t + 4 * plane, a40, a41, a42); AddStore(t + 5 * plane, a50, a51, a52); }
            }
        }

        static void AddStore(float* at, Vector512<float> a, Vector512<float> b, Vector512<float> c)
        {
            (Vector512.Load(at) + a).Store(at);
            (Vector512.Load(at + Lanes) + b).Store(at + Lanes);
            (Vector512.Load(at + 2 * Lanes) + c).Store(at + 2 * Lanes);
        }
    }

    private readonly struct ThreeChannels : IChannelBlock { public static int Channels => 3; }

    // Offset of tap t = (c·kH + u)·kW + v in the padded planes; taps past the patch repeat the last one.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static nint TapOffset(in Conv2DShape s, in WideLayout g, int t)
    {
        t = Math.Min(t, s.PatchSize - 1);
        int area = s.KernelHeight * s.KernelWidth, c = t / area, r = t - c * area, u = r / s.KernelWidth, v = r - u * s.KernelWidth;
        return (nint)c * g.Plane + u * g.RowStride + v;
    }

    // wt[(c·kH + u)·kW + v, o] = w[o, c, u, v], zero for the padding channels c ≥ InChannels.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void TransposeWeights(in Conv2DShape s, in WideLayout g, float* w, float* wt)
    {
        int outC = s.OutChannels, patch = s.PatchSize;
        new Span<float>(wt + (nint)patch * outC, (g.Channels - s.InChannels) * s.KernelHeight * s.KernelWidth * outC).Clear();
        for (int o = 0; o < outC; o++)
        for (int t = 0; t < patch; t++)
            wt[(nint)t * outC + o] = w[(nint)o * patch + t];
    }

    // Copies one sample into the interior of its padded planes (the border, cleared once per call, stays zero).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ToWide(in Conv2DShape s, in WideLayout g, float* xb, float* xw)
    {
        int width = s.Width;
        var mask = TailMask(width);
        for (int c = 0; c < s.InChannels; c++)
        for (int h = 0; h < s.Height; h++)
        {
            float* src = xb + (nint)(c * s.Height + h) * width;
            float* dst = xw + (nint)c * g.Plane + (h + s.PaddingHeight) * g.RowStride + s.PaddingWidth;
            int j = 0;
            for (; j <= width - Lanes; j += Lanes) Vector512.Load(src + j).Store(dst + j);
            if (j < width) Avx512F.MaskStore(dst + j, mask, Avx512F.MaskLoad(src + j, mask, Vector512<float>.Zero));
        }
    }

    // y[o, i, j] = act(y_wide[o, i·Wp + j]) for j < OutWidth.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void FromWideOutput<TAct>(in Conv2DShape s, in WideLayout g, float* yw, float* yb)
        where TAct : struct, IActivation
    {
        int outW = s.OutWidth;
        var mask = TailMask(outW);
        for (int o = 0; o < s.OutChannels; o++)
        for (int i = 0; i < s.OutHeight; i++)
        {
            float* src = yw + (nint)o * g.Positions + i * g.RowStride;
            float* dst = yb + (nint)(o * s.OutHeight + i) * outW;
            int j = 0;
            for (; j <= outW - Lanes; j += Lanes) TAct.Apply(Vector512.Load(src + j)).Store(dst + j);
            if (j < outW) Avx512F.MaskStore(dst + j, mask, TAct.Apply(Vector512.Load(src + j)));
        }
    }

    // dy_wide[o, i·Wp + j] = g = dy ⊙ act′(y) (its other positions stay zero), dbias[o] += Σ g[o] (when dbias is not
    // null), for output channels from ≤ o < to. g goes back into dy later, in one pass over the sample: here the next
    // row's masked load would overlap this row's masked store and wait for it to retire.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void WidenOutputGradient<TAct>(in Conv2DShape s, in WideLayout g, float* yb, float* dyb, float* dyw, float* dbias,
        int from, int to)
        where TAct : struct, IActivation
    {
        int outW = s.OutWidth;
        var mask = TailMask(outW);
        for (int o = from; o < to; o++)
        {
            var sum = Vector512<float>.Zero;
            for (int i = 0; i < s.OutHeight; i++)
            {
                nint at = (nint)(o * s.OutHeight + i) * outW;
                float* dst = dyw + (nint)o * g.Positions + i * g.RowStride;
                int j = 0;
                for (; j <= outW - Lanes; j += Lanes)
                {
                    var d = Vector512.Load(dyb + at + j) * TAct.Derivative(Vector512.Load(yb + at + j));
                    d.Store(dst + j);
                    sum += d;
                }
                if (j < outW)
                {
                    var d = Avx512F.MaskLoad(dyb + at + j, mask, Vector512<float>.Zero)
                            * TAct.Derivative(Avx512F.MaskLoad(yb + at + j, mask, Vector512<float>.Zero));
                    Avx512F.MaskStore(dst + j, mask, d);
                    sum += d;
                }
            }
            if (dbias != null) dbias[o] += Vector512.Sum(sum);
        }
    }

    // dx[c, h, w] = dxw[c·plane + (h + pH)·Wp + w + pW].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void FromWideInput(in Conv2DShape s, in WideLayout g, float* dxw, float* dxb)
    {
        int width = s.Width;
        var mask = TailMask(width);
        for (int c = 0; c < s.InChannels; c++)
        for (int h = 0; h < s.Height; h++)
        {
            float* src = dxw + (nint)c * g.Plane + (h + s.PaddingHeight) * g.RowStride + s.PaddingWidth;
            float* dst = dxb + (nint)(c * s.Height + h) * width;
            int j = 0;
            for (; j <= width - Lanes; j += Lanes) Vector512.Load(src + j).Store(dst + j);
            if (j < width) Avx512F.MaskStore(dst + j, mask, Avx512F.MaskLoad(src + j, mask, Vector512<float>.Zero));
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    // The first 64-byte boundary at or after p: aligned vectors of the widened output gradient never split a cache line.
    private static unsafe float* Aligned(float* p) => (float*)(((nint)p + 63) & ~(nint)63);

    // Lanes below length % 16 set: the tail of a row whose full vectors were handled first.
    private static Vector512<float> TailMask(int length) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(length % Lanes)).AsSingle();
}
