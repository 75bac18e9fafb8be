using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NetGen.Kernels.GemmCore;

namespace NetGen.Kernels;

/// <summary>
/// The compile-time shape of one 2-D pooling layer: a per-sample input <c>[Channels, Height, Width]</c>, a square
/// window, no padding, and an output <c>[Channels, OutHeight, OutWidth]</c> with
/// <c>OutHeight = ⌊(Height − Window) / Stride⌋ + 1</c> (likewise the width).
/// </summary>
public readonly struct Pool2DShape
{
    /// <summary>Pooling of <paramref name="channels"/> planes of <paramref name="height"/> × <paramref name="width"/> by square windows.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive or the window is larger than the input.</exception>
    public Pool2DShape(int channels, int height, int width, int window, int stride)
    {
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Pooling: the channel count must be positive.");
        Channels = channels; Height = height; Width = width; Window = window; Stride = stride;
        OutHeight = Conv2D.OutputSize(height, window, stride, 0);
        OutWidth = Conv2D.OutputSize(width, window, stride, 0);
    }

    /// <summary>Channels (pooled independently).</summary>
    public int Channels { get; }
    /// <summary>Input height.</summary>
    public int Height { get; }
    /// <summary>Input width.</summary>
    public int Width { get; }
    /// <summary>Side of the square window.</summary>
    public int Window { get; }
    /// <summary>Step between windows, in both directions.</summary>
    public int Stride { get; }
    /// <summary>Output height, ⌊(Height − Window) / Stride⌋ + 1.</summary>
    public int OutHeight { get; }
    /// <summary>Output width, ⌊(Width − Window) / Stride⌋ + 1.</summary>
    public int OutWidth { get; }
    /// <summary>Floats per input sample, Channels·Height·Width.</summary>
    public int InputSize => Channels * Height * Width;
    /// <summary>Floats per output sample, Channels·OutHeight·OutWidth.</summary>
    public int OutputSize => Channels * OutHeight * OutWidth;

    /// <inheritdoc />
    public override string ToString() =>
        $"[{Channels},{Height},{Width}] → [{Channels},{OutHeight},{OutWidth}] (window {Window}, stride {Stride})";

    internal void Check(string kernel, int batch, int x, int y)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, $"{kernel}: the batch size must be zero or positive.");
        Elementwise.Require(x, (long)batch * InputSize, nameof(x), kernel);
        Elementwise.Require(y, (long)batch * OutputSize, nameof(y), kernel);
    }
}

/// <summary>
/// Max pooling over batches laid out <c>[B, C, H, W]</c>; the gradient goes to each window's maximum. Large batches
/// are split over samples on up to <see cref="Threading.MaxThreads"/> threads (every output is computed the same way
/// whatever their number).
/// </summary>
public static class MaxPool2D
{
    // Below this many input floats per call (≈ 15–30 µs of one core for the 2×2 kernels; LeNet-5's S4 at batch 64,
    // 102,400 floats, takes ~45 µs forward) a call stays on one thread.
    internal const long ParallelInputs = 1L << 16;

    /// <summary>
    /// y[b,c,i,j] = max_{u,v &lt; window} x[b, c, i·stride + u, j·stride + v]. When <paramref name="argmax"/> is not empty it
    /// receives, per output, the index of the chosen input within its sample (<c>(c·H + h)·W + w</c>; the first one on ties),
    /// which <see cref="Backward"/> needs; inference can pass an empty span. Allocates nothing.
    /// </summary>
    public static unsafe void Forward(in Pool2DShape shape, int batch, ReadOnlySpan<float> x, Span<float> y, Span<int> argmax)
    {
        shape.Check(nameof(MaxPool2D), batch, x.Length, y.Length);
        if (!argmax.IsEmpty) Elementwise.Require(argmax.Length, (long)batch * shape.OutputSize, nameof(argmax), nameof(MaxPool2D));
        fixed (float* px = x, py = y)
        fixed (int* pa = argmax)
            Run(new PoolArgs { Shape = shape, Batch = batch, Parts = Parts(shape, batch), X = px, Y = py, Argmax = pa, Record = !argmax.IsEmpty });
    }

    /// <summary>dx[b, argmax[b,o]] += dy[b,o] with dx cleared first (overlapping windows add up). Allocates nothing.</summary>
    public static unsafe void Backward(in Pool2DShape shape, int batch, ReadOnlySpan<int> argmax, ReadOnlySpan<float> dy, Span<float> dx)
    {
        shape.Check(nameof(MaxPool2D), batch, dx.Length, dy.Length);
        Elementwise.Require(argmax.Length, (long)batch * shape.OutputSize, nameof(argmax), nameof(MaxPool2D));
        fixed (float* pdx = dx, pdy = dy)
        fixed (int* pa = argmax)
            Run(new PoolArgs { Shape = shape, Batch = batch, Parts = Parts(shape, batch), X = pdx, Y = pdy, Argmax = pa, Backward = true });
    }

    private static int Parts(in Pool2DShape shape, int batch) =>
        (long)batch * shape.InputSize < ParallelInputs ? 1 : Math.Max(1, Math.Min(batch, Threading.Available));

    /// <summary>One pooling call's arguments: x and y, or dx and dy for the backward pass (pointers into buffers the
    /// caller keeps fixed while it runs).</summary>
    private unsafe struct PoolArgs
    {
        public Pool2DShape Shape;
        public int Batch, Parts;
        public float* X, Y;
        public int* Argmax;
        public bool Record, Backward;
    }

    /// <summary>Runs the call's parts on the worker pool, or all of it on this thread when it is small or the pool is busy.</summary>
    private static void Run(PoolArgs a)
    {
        if (WorkerPool.TryRun(PoolJob.Instance, a, a.Parts, (long)a.Batch * a.Shape.InputSize, ((long)a.Shape.InputSize << 32 | (uint)a.Shape.OutputSize) * 2 + (a.Backward ? 1 : 0))) return;
        a.Parts = 1;
        RunPart(a, 0);
    }

    /// <summary>Pooling split over samples for <see cref="WorkerPool"/>; one instance, whose fields the pool's gate guards.</summary>
    private sealed class PoolJob : ParallelJob<PoolArgs>
    {
        public static readonly PoolJob Instance = new();

        public override void RunPart(int part) => MaxPool2D.RunPart(Args, part);
    }

    private static unsafe void RunPart(in PoolArgs a, int part)
    {
        int b0 = (int)((long)a.Batch * part / a.Parts), b1 = (int)((long)a.Batch * (part + 1) / a.Parts), n = b1 - b0;
        int inputs = a.Shape.InputSize, outputs = a.Shape.OutputSize;
        var argmax = new Span<int>(a.Argmax + (nint)b0 * outputs, a.Record || a.Backward ? n * outputs : 0);
        if (a.Backward)
            BackwardSamples(a.Shape, n, argmax, new ReadOnlySpan<float>(a.Y + (nint)b0 * outputs, n * outputs),
                new Span<float>(a.X + (nint)b0 * inputs, n * inputs));
        else
            ForwardSamples(a.Shape, n, new ReadOnlySpan<float>(a.X + (nint)b0 * inputs, n * inputs),
                new Span<float>(a.Y + (nint)b0 * outputs, n * outputs), argmax);
    }

    // Forward of batch samples whose buffers were checked by the caller.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardSamples(in Pool2DShape shape, int batch, ReadOnlySpan<float> x, Span<float> y, Span<int> argmax)
    {
        // Windows are a few floats each, so the loops index through references rather than slicing spans per window;
        // every offset lies inside the lengths checked above.
        int k = shape.Window, s = shape.Stride, width = shape.Width, plane = shape.Height * width;
        bool record = !argmax.IsEmpty;
        ref float py = ref MemoryMarshal.GetReference(y);
        ref int pa = ref MemoryMarshal.GetReference(argmax);
        int o = 0;
        for (int b = 0; b < batch; b++)
        {
            ref float xb = ref Unsafe.Add(ref MemoryMarshal.GetReference(x), b * shape.InputSize);
            for (int c = 0; c < shape.Channels; c++)
            for (int i = 0; i < shape.OutHeight; i++)
            {
                int rowStart = c * plane + i * s * width;
                int j = VectorColumns(shape, ref xb, rowStart, ref Unsafe.Add(ref py, o), ref Unsafe.Add(ref pa, o), record);
                for (o += j; j < shape.OutWidth; j++, o++)
                {
                    int start = rowStart + j * s;
                    int best = start;
                    float max = Unsafe.Add(ref xb, start);
                    for (int u = 0; u < k; u++)
                    for (int at = start + u * width, end = at + k; at < end; at++)
                    {
                        float value = Unsafe.Add(ref xb, at);
                        if (value > max) { max = value; best = at; }
                    }
                    Unsafe.Add(ref py, o) = max;
                    if (record) Unsafe.Add(ref pa, o) = best;
                }
            }
        }
    }

    // 2×2 windows with stride 2, the usual case: 8 outputs of one row at a time from 16 columns of two input rows,
    // split into even and odd columns by an in-lane shuffle and a cross-lane permute (4 outputs from 8 columns with
    // 128-bit vectors for rows of 4–7 outputs, such as LeNet-5's 5-wide S4). The four candidates are compared in the
    // scalar loop's order with strict >, so ties go to the same (first) position. The last step is shifted back to end
    // on the row's edge (rewriting a few outputs with the same values) so no row needs a scalar tail. Returns how many
    // leading columns it wrote (all of them, or none). The scalar loop's comparisons mispredict about half the time
    // on real activations, which made S4 take 20 times as long per output as S2.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int VectorColumns(in Pool2DShape shape, ref float xb, int rowStart, ref float y, ref int argmax, bool record)
    {
        int outW = shape.OutWidth, width = shape.Width;
        if (!Avx2.IsSupported || shape.Window != 2 || shape.Stride != 2 || outW < 4) return 0;
        if (outW < 8)
        {
            var even4 = Vector128<int>.Indices * 2;
            for (int run = 0; run < outW; run += 4)
            {
                int j = Math.Min(run, outW - 4);
                ref float top = ref Unsafe.Add(ref xb, rowStart + 2 * j);
                ref float bottom = ref Unsafe.Add(ref top, width);
                Vector128<float> t0 = Vector128.LoadUnsafe(ref top), t1 = Vector128.LoadUnsafe(ref top, 4);
                Vector128<float> b0 = Vector128.LoadUnsafe(ref bottom), b1 = Vector128.LoadUnsafe(ref bottom, 4);
                var max = Sse.Shuffle(t0, t1, 0b10_00_10_00);
                var offset = Vector128<int>.Zero;
                Take128(ref max, ref offset, Sse.Shuffle(t0, t1, 0b11_01_11_01), 1);
                Take128(ref max, ref offset, Sse.Shuffle(b0, b1, 0b10_00_10_00), width);
                Take128(ref max, ref offset, Sse.Shuffle(b0, b1, 0b11_01_11_01), width + 1);
                max.StoreUnsafe(ref y, (nuint)j);
                if (record) (Vector128.Create(rowStart + 2 * j) + even4 + offset).StoreUnsafe(ref argmax, (nuint)j);
            }
            return outW;
        }
        var even = Vector256<int>.Indices * 2;
        for (int run = 0; run < outW; run += 8)
        {
            int j = Math.Min(run, outW - 8);
            ref float top = ref Unsafe.Add(ref xb, rowStart + 2 * j);
            ref float bottom = ref Unsafe.Add(ref top, width);
            Vector256<float> t0 = Vector256.LoadUnsafe(ref top), t1 = Vector256.LoadUnsafe(ref top, 8);
            Vector256<float> b0 = Vector256.LoadUnsafe(ref bottom), b1 = Vector256.LoadUnsafe(ref bottom, 8);
            var max = Evens(t0, t1);
            var offset = Vector256<int>.Zero;
            Take(ref max, ref offset, Odds(t0, t1), 1);
            Take(ref max, ref offset, Evens(b0, b1), width);
            Take(ref max, ref offset, Odds(b0, b1), width + 1);
            max.StoreUnsafe(ref y, (nuint)j);
            if (record) (Vector256.Create(rowStart + 2 * j) + even + offset).StoreUnsafe(ref argmax, (nuint)j);
        }
        return outW;

        // shuffle gives [a0 a2 b0 b2 | a4 a6 b4 b6]; swapping the middle 64-bit pairs orders it as a0 a2 a4 a6 b0 b2 b4 b6.
        static Vector256<float> Evens(Vector256<float> a, Vector256<float> b) =>
            Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
        static Vector256<float> Odds(Vector256<float> a, Vector256<float> b) =>
            Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();

        static void Take(ref Vector256<float> max, ref Vector256<int> offset, Vector256<float> candidate, int at)
        {
            var greater = Vector256.GreaterThan(candidate, max);
            max = Vector256.ConditionalSelect(greater, candidate, max);
            offset = Vector256.ConditionalSelect(greater.AsInt32(), Vector256.Create(at), offset);
        }

        static void Take128(ref Vector128<float> max, ref Vector128<int> offset, Vector128<float> candidate, int at)
        {
            var greater = Vector128.GreaterThan(candidate, max);
            max = Vector128.ConditionalSelect(greater, candidate, max);
            offset = Vector128.ConditionalSelect(greater.AsInt32(), Vector128.Create(at), offset);
        }
    }

    // Backward of batch samples whose buffers were checked by the caller.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardSamples(in Pool2DShape shape, int batch, ReadOnlySpan<int> argmax, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int outputs = shape.OutputSize;
        if (Avx2.IsSupported && shape.Window == 2 && shape.Stride == 2 && shape.OutWidth >= 8)
        {
            for (int b = 0; b < batch; b++)
                WriteWindows(shape, argmax.Slice(b * outputs, outputs), dy.Slice(b * outputs, outputs), dx.Slice(b * shape.InputSize, shape.InputSize));
            return;
        }
        dx.Slice(0, batch * shape.InputSize).Clear();
        for (int b = 0; b < batch; b++)
        {
            var dxb = dx.Slice(b * shape.InputSize, shape.InputSize);
            var ab = argmax.Slice(b * outputs, outputs);
            var dyb = dy.Slice(b * outputs, outputs);
            for (int o = 0; o < outputs; o++) dxb[ab[o]] += dyb[o];
        }
    }

    // 2×2 windows with stride 2 tile the input without overlap, so each window's four inputs are written outright — dy
    // where the argmax points, zero elsewhere — instead of clearing dx and scattering: 8 windows per step, the four
    // candidates' values interleaved back into two rows of 16 inputs (LeNet-5's S2: 78 → 48 µs at batch 64; on S4's
    // 5-wide rows a 4-window version was slower than the scatter). Steps are shifted back to end on the row's edge, as
    // in the forward pass; a last odd row or column, which no window reads, is cleared.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteWindows(in Pool2DShape shape, ReadOnlySpan<int> argmax, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int outH = shape.OutHeight, outW = shape.OutWidth, width = shape.Width, height = shape.Height, plane = height * width;
        ref int pa = ref MemoryMarshal.GetReference(argmax);
        ref float pdy = ref MemoryMarshal.GetReference(dy);
        ref float pdx = ref MemoryMarshal.GetReference(dx);
        for (int c = 0; c < shape.Channels; c++)
        {
            for (int i = 0; i < outH; i++)
            {
                int rowStart = c * plane + 2 * i * width, o = (c * outH + i) * outW;
                ref float top = ref Unsafe.Add(ref pdx, rowStart);
                ref float bottom = ref Unsafe.Add(ref top, width);
                var twice = Vector256<int>.Indices * 2;
                for (int run = 0; run < outW; run += 8)
                {
                    int j = Math.Min(run, outW - 8);
                    var at = Vector256.LoadUnsafe(ref pa, (nuint)(o + j)) - (Vector256.Create(rowStart + 2 * j) + twice);
                    var g = Vector256.LoadUnsafe(ref pdy, (nuint)(o + j));
                    Interleave(Pick(at, 0, g), Pick(at, 1, g), ref top, 2 * j);
                    Interleave(Pick(at, width, g), Pick(at, width + 1, g), ref bottom, 2 * j);
                }
                if ((width & 1) != 0)
                {
                    Unsafe.Add(ref top, width - 1) = 0f;
                    Unsafe.Add(ref bottom, width - 1) = 0f;
                }
            }
            if ((height & 1) != 0) MemoryMarshal.CreateSpan(ref Unsafe.Add(ref pdx, c * plane + (height - 1) * width), width).Clear();
        }

        static Vector256<float> Pick(Vector256<int> at, int offset, Vector256<float> g) =>
            Vector256.ConditionalSelect(Vector256.Equals(at, Vector256.Create(offset)).AsSingle(), g, Vector256<float>.Zero);

        // [l0 r0 l1 r1 … l7 r7] into row[start .. start + 16): unpack within 128-bit lanes, then put the lanes in order.
        static void Interleave(Vector256<float> left, Vector256<float> right, ref float row, int start)
        {
            var low = Avx.UnpackLow(left, right);
            var high = Avx.UnpackHigh(left, right);
            Avx.Permute2x128(low, high, 0x20).StoreUnsafe(ref row, (nuint)start);
            Avx.Permute2x128(low, high, 0x31).StoreUnsafe(ref row, (nuint)(start + 8));
        }
    }
}

/// <summary>Average pooling over batches laid out <c>[B, C, H, W]</c>; every window divides by Window².</summary>
public static class AvgPool2D
{
    /// <summary>y[b,c,i,j] = (1 / window²) · Σ_{u,v &lt; window} x[b, c, i·stride + u, j·stride + v]. Allocates nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in Pool2DShape shape, int batch, ReadOnlySpan<float> x, Span<float> y)
    {
        shape.Check(nameof(AvgPool2D), batch, x.Length, y.Length);
        int k = shape.Window, s = shape.Stride, width = shape.Width, plane = shape.Height * width;
        float scale = 1f / (k * k);
        ref float py = ref MemoryMarshal.GetReference(y);
        int o = 0;
        for (int b = 0; b < batch; b++)
        {
            ref float xb = ref Unsafe.Add(ref MemoryMarshal.GetReference(x), b * shape.InputSize);
            for (int c = 0; c < shape.Channels; c++)
            for (int i = 0; i < shape.OutHeight; i++)
            for (int j = 0; j < shape.OutWidth; j++, o++)
            {
                int start = c * plane + i * s * width + j * s;
                float sum = 0f;
                for (int u = 0; u < k; u++)
                for (int at = start + u * width, end = at + k; at < end; at++) sum += Unsafe.Add(ref xb, at);
                Unsafe.Add(ref py, o) = sum * scale;
            }
        }
    }

    /// <summary>dx[b, c, i·stride + u, j·stride + v] += dy[b,c,i,j] / window² with dx cleared first. Allocates nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(in Pool2DShape shape, int batch, ReadOnlySpan<float> dy, Span<float> dx)
    {
        shape.Check(nameof(AvgPool2D), batch, dx.Length, dy.Length);
        int k = shape.Window, s = shape.Stride, width = shape.Width, plane = shape.Height * width;
        float scale = 1f / (k * k);
        dx.Slice(0, batch * shape.InputSize).Clear();
        ref float pdy = ref MemoryMarshal.GetReference(dy);
        int o = 0;
        for (int b = 0; b < batch; b++)
        {
            ref float dxb = ref Unsafe.Add(ref MemoryMarshal.GetReference(dx), b * shape.InputSize);
            for (int c = 0; c < shape.Channels; c++)
            for (int i = 0; i < shape.OutHeight; i++)
            for (int j = 0; j < shape.OutWidth; j++, o++)
            {
                int start = c * plane + i * s * width + j * s;
                float g = Unsafe.Add(ref pdy, o) * scale;
                for (int u = 0; u < k; u++)
                for (int at = start + u * width, end = at + k; at < end; at++) Unsafe.Add(ref dxb, at) += g;
            }
        }
    }
}
