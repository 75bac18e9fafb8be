using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NetGen.Kernels.GemmCore;

namespace NetGen.Kernels;

/// <summary>
/// The parts the recurrent cells share: argument checks and the strided product (all three), and, for
/// <see cref="Rnn"/> and <see cref="Gru"/>, the start of each pass (scratch layout, initial state), the state copies
/// between the batch-major sequence buffers and the contiguous per-step matrices the GEMMs need, the weight-gradient
/// products and vectorised element-wise loops (<see cref="Lstm"/> keeps its own contiguous state and packed weights).
/// </summary>
/// <remarks>
/// Sequences are <c>[B, T, F]</c> with the batch outermost, so the input projection of every step is one
/// <c>[B·T, F] × [F, G·H]</c> GEMM and so is each input-side gradient product. The recurrent product of step t needs
/// <c>h_{t−1}</c> of every sample as one contiguous <c>[B, H]</c> matrix: the cells keep it in scratch and copy the
/// rows out to the <c>[B, T, H]</c> buffer (a copy of B·H floats per step against a B·H·G·H product).
/// </remarks>
internal static class Recurrent
{
    /// <summary>Throws unless <paramref name="span"/> holds at least <paramref name="needed"/> floats.</summary>
    public static void Require(ReadOnlySpan<float> span, int needed, string name, string kernel)
    {
        if (span.Length < needed)
            throw new ArgumentException(
                $"{kernel}: '{name}' has {span.Length} floats but needs {needed} for the sizes given; allocate it from the documented shape.", name);
    }

    /// <summary>Like <see cref="Require"/>, but an empty span (meaning "none") is accepted.</summary>
    public static void RequireOptional(ReadOnlySpan<float> span, int needed, string name, string kernel)
    {
        if (!span.IsEmpty) Require(span, needed, name, kernel);
    }

    /// <summary>Throws unless every size is positive (batch, steps, inputs, hidden).</summary>
    private static void RequireSizes(int batch, int steps, int inputs, int hidden, string kernel)
    {
        RequirePositive(batch, nameof(batch), kernel);
        RequirePositive(steps, nameof(steps), kernel);
        RequirePositive(inputs, nameof(inputs), kernel);
        RequirePositive(hidden, nameof(hidden), kernel);
    }

    /// <summary>Throws unless <paramref name="size"/> is positive.</summary>
    public static void RequirePositive(int size, string name, string kernel)
    {
        if (size <= 0)
            throw new ArgumentOutOfRangeException(name, size, $"{kernel}: '{name}' must be positive.");
    }

    /// <summary>
    /// Checks what every cell's forward takes, for <c>G·H</c> = <paramref name="width"/> gate columns: what
    /// <see cref="RequireBackward"/> checks too (sizes, weights, initial state, saved buffers, scratch), the biases
    /// <c>[G·H]</c> and the optional final state <paramref name="hLast"/> <c>[B, H]</c>. The input and each cell's own
    /// buffers are the caller's to check.
    /// </summary>
    public static void RequireForward(string kernel, int batch, int steps, int inputs, int hidden, int width,
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh, ReadOnlySpan<float> h0,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> hs, ReadOnlySpan<float> hLast, ReadOnlySpan<float> scratch, int scratchLength)
    {
        RequireBoth(kernel, batch, steps, inputs, hidden, width, wIh, wHh, h0, gates, hs, scratch, scratchLength);
        Require(bIh, width, nameof(bIh), kernel);
        Require(bHh, width, nameof(bHh), kernel);
        RequireOptional(hLast, batch * hidden, nameof(hLast), kernel);
    }

    /// <summary>
    /// Checks what every cell's backward takes, for <c>G·H</c> = <paramref name="width"/> gate columns: what
    /// <see cref="RequireForward"/> checks too (sizes, weights, initial state, saved buffers, scratch), the optional
    /// output and final-state gradients, the weight and bias gradients and the optional <paramref name="dh0"/>
    /// <c>[B, H]</c>. The input, its gradient and each cell's own buffers are the caller's to check.
    /// </summary>
    public static void RequireBackward(string kernel, int batch, int steps, int inputs, int hidden, int width,
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> h0, ReadOnlySpan<float> gates, ReadOnlySpan<float> hs,
        ReadOnlySpan<float> dy, ReadOnlySpan<float> dhLast, ReadOnlySpan<float> dwIh, ReadOnlySpan<float> dwHh,
        ReadOnlySpan<float> dbIh, ReadOnlySpan<float> dbHh, ReadOnlySpan<float> dh0, ReadOnlySpan<float> scratch, int scratchLength)
    {
        int bh = batch * hidden;
        RequireBoth(kernel, batch, steps, inputs, hidden, width, wIh, wHh, h0, gates, hs, scratch, scratchLength);
        RequireOptional(dy, batch * steps * hidden, nameof(dy), kernel);
        RequireOptional(dhLast, bh, nameof(dhLast), kernel);
        Require(dwIh, inputs * width, nameof(dwIh), kernel);
        Require(dwHh, hidden * width, nameof(dwHh), kernel);
        Require(dbIh, width, nameof(dbIh), kernel);
        Require(dbHh, width, nameof(dbHh), kernel);
        RequireOptional(dh0, bh, nameof(dh0), kernel);
    }

    // What both passes take: positive sizes, W_ih [F, G·H], W_hh [H, G·H], the optional h0 [B, H], the saved gates
    // [B, T, G·H] and hs [B, T, H], and scratch.
    private static void RequireBoth(string kernel, int batch, int steps, int inputs, int hidden, int width,
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> h0, ReadOnlySpan<float> gates, ReadOnlySpan<float> hs,
        ReadOnlySpan<float> scratch, int scratchLength)
    {
        int rows = batch * steps;
        RequireSizes(batch, steps, inputs, hidden, kernel);
        Require(wIh, inputs * width, nameof(wIh), kernel);
        Require(wHh, hidden * width, nameof(wHh), kernel);
        RequireOptional(h0, batch * hidden, nameof(h0), kernel);
        Require(gates, rows * width, nameof(gates), kernel);
        Require(hs, rows * hidden, nameof(hs), kernel);
        Require(scratch, scratchLength, nameof(scratch), kernel);
    }

    /// <summary>state = initial, or zeros when <paramref name="initial"/> is empty; <c>count</c> floats.</summary>
    public static void LoadState(ReadOnlySpan<float> initial, Span<float> state, int count)
    {
        if (initial.IsEmpty) state.Slice(0, count).Clear();
        else initial.Slice(0, count).CopyTo(state);
    }

    /// <summary>
    /// The start of <see cref="Rnn"/>'s and <see cref="Gru"/>'s forward: <paramref name="scratch"/> split into the
    /// step's recurrent product <paramref name="recurrent"/> <c>[B, G·H]</c> and the state <paramref name="h"/>
    /// <c>[B, H]</c>, loaded from <paramref name="h0"/> (zeros when empty), and the input projection of every step,
    /// <c>gates = x·W_ih</c>.
    /// </summary>
    public static void StartForward(int batch, int steps, int inputs, int hidden, int width,
        ReadOnlySpan<float> x, ReadOnlySpan<float> wIh, ReadOnlySpan<float> h0, Span<float> gates, Span<float> scratch,
        out Span<float> recurrent, out Span<float> h)
    {
        int bh = batch * hidden;
        recurrent = scratch.Slice(0, batch * width);
        h = scratch.Slice(batch * width, bh);
        LoadState(h0, h, bh);
        Gemm.MatMul(batch * steps, width, inputs, x, wIh, gates, accumulate: false);
    }

    /// <summary>
    /// The start of <see cref="Rnn"/>'s and <see cref="Gru"/>'s backward: <paramref name="scratch"/> split into the
    /// step's hidden-side pre-activation gradients <paramref name="dHid"/> <c>[B, G·H]</c>, <paramref name="dh"/>
    /// <c>[B, H]</c>, loaded from <paramref name="dhLast"/> (zeros when empty), and <paramref name="hPrev"/>
    /// <c>[B, H]</c>; dW_hh and db_hh cleared for <see cref="HiddenGradients"/> to add into.
    /// </summary>
    public static void StartBackward(int batch, int hidden, int width, ReadOnlySpan<float> dhLast, Span<float> dwHh, Span<float> dbHh,
        Span<float> scratch, out Span<float> dHid, out Span<float> dh, out Span<float> hPrev)
    {
        int bh = batch * hidden, bw = batch * width;
        dHid = scratch.Slice(0, bw);
        dh = scratch.Slice(bw, bh);
        hPrev = scratch.Slice(bw + bh, bh);
        LoadState(dhLast, dh, bh);
        dwHh.Slice(0, hidden * width).Clear();
        dbHh.Slice(0, width).Clear();
    }

    /// <summary>
    /// The state row of sample <paramref name="b"/> before step <paramref name="t"/>: row <c>[b, t−1]</c> of
    /// <paramref name="states"/>, or row b of <paramref name="initial"/> at t = 0 (empty when that is empty: zeros).
    /// </summary>
    public static ReadOnlySpan<float> Previous(ReadOnlySpan<float> states, ReadOnlySpan<float> initial, int b, int t, int steps, int hidden) =>
        t > 0 ? states.Slice((b * steps + t - 1) * hidden, hidden)
        : initial.IsEmpty ? default : initial.Slice(b * hidden, hidden);

    /// <summary>Gathers <c>h_{t−1}</c> of every sample into the contiguous <c>[B, H]</c> matrix <paramref name="hPrev"/>.</summary>
    public static void GatherPrevious(ReadOnlySpan<float> hs, ReadOnlySpan<float> h0, Span<float> hPrev, int t, int batch, int steps, int hidden)
    {
        for (int b = 0; b < batch; b++)
        {
            var row = Previous(hs, h0, b, t, steps, hidden);
            var dst = hPrev.Slice(b * hidden, hidden);
            if (row.IsEmpty) dst.Clear();
            else row.CopyTo(dst);
        }
    }

    /// <summary>
    /// The recurrent half of one backward step, from the hidden-side pre-activation gradients
    /// <paramref name="dHid"/> <c>[B, G·H]</c>: <c>dW_hh += h_{t−1}ᵀ·dHid</c>, <c>db_hh += Σ_b dHid</c> and
    /// <c>dh = dHid·W_hhᵀ</c> (added to <paramref name="dh"/> when <paramref name="accumulateDh"/>).
    /// </summary>
    public static void HiddenGradients(int batch, int hidden, int width,
        ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dHid, ReadOnlySpan<float> wHh,
        Span<float> dwHh, Span<float> dbHh, Span<float> dh, bool accumulateDh)
    {
        Gemm.MatMulTransA(hidden, width, batch, hPrev, dHid, dwHh, accumulate: true);
        for (int b = 0; b < batch; b++) Elementwise.AddTo(dbHh.Slice(0, width), dHid.Slice(b * width, width));
        Gemm.MatMulTransB(batch, hidden, width, dHid, wHh, dh, accumulate: accumulateDh);
    }

    /// <summary>
    /// The input half of backward, once for the whole sequence, from the input-side pre-activation gradients
    /// <paramref name="dGates"/> <c>[B·T, G·H]</c>: <c>dW_ih = xᵀ·dGates</c>, <c>db_ih = Σ_rows dGates</c> and, when
    /// <paramref name="dx"/> is not empty, <c>dx = dGates·W_ihᵀ</c>.
    /// </summary>
    public static void InputGradients(int rows, int inputs, int width,
        ReadOnlySpan<float> x, ReadOnlySpan<float> wIh, ReadOnlySpan<float> dGates,
        Span<float> dwIh, Span<float> dbIh, Span<float> dx)
    {
        Gemm.MatMulTransA(inputs, width, rows, x, dGates, dwIh, accumulate: false);
        var db = dbIh.Slice(0, width);
        db.Clear();
        for (int r = 0; r < rows; r++) Elementwise.AddTo(db, dGates.Slice(r * width, width));
        if (!dx.IsEmpty) Gemm.MatMulTransB(rows, inputs, width, dGates, wIh, dx, accumulate: false);
    }

    /// <summary>
    /// <c>C[m,n] (+)= A·B</c> on strided operands, <c>A(i,p) = a[i·rsA + p·csA]</c>, <c>B(p,j) = b[p·rsB + j]</c>,
    /// <c>C(i,j) = c[i·ldc + j]</c>, then <c>C += bias</c> per column when <paramref name="bias"/> is not null, on the path <paramref name="isa"/> (strided
    /// operands let a product read one time step's rows of a <c>[B, T, ·]</c> buffer in place); on the calling thread
    /// alone when <paramref name="onCaller"/> (inside a part of a job on the worker pool).
    /// </summary>
    public static unsafe void Product(int m, int n, int k, float* a, nint rsA, nint csA, float* b, nint rsB,
        float* c, nint ldc, bool accumulate, GemmIsa isa, float* bias = null, bool onCaller = false) =>
        Gemm.Run<Identity>(new GemmArgs
        {
            M = m, N = n, K = k, A = a, RsA = rsA, CsA = csA, B = b, RsB = rsB, CsB = 1, C = c, Ldc = ldc,
            Bias = bias, Accumulate = accumulate,
        }, isa, onCaller);

    /// <summary>PyTorch's default recurrent initialisation: every weight and bias U(−1/√H, 1/√H).</summary>
    public static void InitializeUniform(int hidden, Span<float> wIh, Span<float> wHh, Span<float> bIh, Span<float> bHh, ref Rng rng)
    {
        float k = 1f / MathF.Sqrt(hidden);
        Uniform(wIh, k, ref rng);
        Uniform(wHh, k, ref rng);
        Uniform(bIh, k, ref rng);
        Uniform(bHh, k, ref rng);
    }

    private static void Uniform(Span<float> values, float k, ref Rng rng)
    {
        for (int i = 0; i < values.Length; i++) values[i] = k * (2f * rng.NextFloat() - 1f);
    }

    /// <summary>Whether the cells' element-wise loops run 8 lanes at a time (then a scalar tail) or all scalar.</summary>
    public static bool Vectorized => Vector256.IsHardwareAccelerated;

    /// <summary>8 floats from <c>s[j..j+8)</c>; the caller's loop bound guarantees they are inside the span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ReadOnlySpan<float> s, int j) =>
        Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)j);

    /// <summary>Writes 8 floats to <c>s[j..j+8)</c>; the caller's loop bound guarantees they are inside the span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> v, Span<float> s, int j) =>
        v.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)j);
}

/// <summary>
/// Sigmoid and tanh for the whole runtime (the <see cref="NetGen.Kernels.Sigmoid"/> and <see cref="NetGen.Kernels.Tanh"/> activations call these, and
/// the recurrent cells' fused element-wise passes inline them), with the exponential inlined instead of a library call
/// per element: e^x by Cody–Waite reduction x = n·ln 2 + r, |r| ≤ ln 2 / 2, and a degree-6 polynomial
/// for e^r (relative error ≈ 1e−7), scaled by 2^n with AVX-512's scalef where there is one (one instruction instead
/// of four that build 2^n from its bits; the same exact product), the argument clamped to [−80, 80] so that every result, and every sigmoid and
/// tanh built on it, stays a normal float (no subnormal values to slow the passes that read them). The x86-64 vector
/// forms divide through the hardware's reciprocal estimate refined by one Newton step (relative error ≈ 1e−7): a
/// full-width division takes several times the throughput cost of the whole exponential, and the LSTM's gate pass makes
/// five per unit; ARM64's 4-lane form divides. The scalar forms (row tails, machines without vectors) use
/// <see cref="MathF"/>, with the same clamp. Each width (16, 8, 4 lanes) is written with its own vector type, as the
/// GEMM micro-kernels are (MicroKernels.cs says why).
/// </summary>
internal static class CellMath
{
    private const float Bound = 80f, Log2E = 1.44269504f, Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f;
    private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f,
        P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    /// <summary>e^x, 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(-Bound)), Vector512.Create(Bound));
        var n = Vector512.Round(x * Vector512.Create(Log2E));
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Hi), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Lo), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(P0), r, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P5));
        p = Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
        if (Avx512F.IsSupported) return Avx512F.Scale(p, n);
        return p * (Vector512.ConvertToInt32(n) + Vector512.Create(127) << 23).AsSingle();
    }

    /// <summary>e^x, 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(-Bound)), Vector256.Create(Bound));
        var n = Vector256.Round(x * Vector256.Create(Log2E));
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Hi), x);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Lo), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(P0), r, Vector256.Create(P1));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P5));
        p = Vector256.FusedMultiplyAdd(p, r * r, r + Vector256<float>.One);
        if (Avx512F.VL.IsSupported) return Avx512F.VL.Scale(p, n);
        return p * (Vector256.ConvertToInt32(n) + Vector256.Create(127) << 23).AsSingle();
    }

    /// <summary>e^x, 4 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x)
    {
        x = Vector128.Min(Vector128.Max(x, Vector128.Create(-Bound)), Vector128.Create(Bound));
        var n = Vector128.Round(x * Vector128.Create(Log2E));
        var r = Vector128.FusedMultiplyAdd(n, Vector128.Create(-Ln2Hi), x);
        r = Vector128.FusedMultiplyAdd(n, Vector128.Create(-Ln2Lo), r);
        var p = Vector128.FusedMultiplyAdd(Vector128.Create(P0), r, Vector128.Create(P1));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(P2));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(P3));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(P4));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(P5));
        p = Vector128.FusedMultiplyAdd(p, r * r, r + Vector128<float>.One);
        if (Avx512F.VL.IsSupported) return Avx512F.VL.Scale(p, n);
        return p * (Vector128.ConvertToInt32(n) + Vector128.Create(127) << 23).AsSingle();
    }

    /// <summary>1 / d for d ≥ 1 (what the sigmoid and tanh divide by), 16 lanes: the 14-bit estimate and one Newton step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Reciprocal(Vector512<float> d)
    {
        if (!Avx512F.IsSupported) return Vector512<float>.One / d;
        var r = Avx512F.Reciprocal14(d);
        return Vector512.FusedMultiplyAdd(r, Vector512.FusedMultiplyAdd(-d, r, Vector512<float>.One), r);
    }

    /// <summary>1 / d for d ≥ 1, 8 lanes: the 14-bit (AVX-512) or 12-bit (AVX) estimate and one Newton step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Reciprocal(Vector256<float> d)
    {
        Vector256<float> r;
        if (Avx512F.VL.IsSupported) r = Avx512F.VL.Reciprocal14(d);
        else if (Avx.IsSupported) r = Avx.Reciprocal(d);
        else return Vector256<float>.One / d;
        return Vector256.FusedMultiplyAdd(r, Vector256.FusedMultiplyAdd(-d, r, Vector256<float>.One), r);
    }

    /// <summary>1 / d for d ≥ 1, 4 lanes: the 14-bit (AVX-512) or 12-bit (SSE) estimate and one Newton step, as the
    /// 8-lane form; elsewhere (ARM64) the quotient itself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Reciprocal(Vector128<float> d)
    {
        Vector128<float> r;
        if (Avx512F.VL.IsSupported) r = Avx512F.VL.Reciprocal14(d);
        else if (Sse.IsSupported) r = Sse.Reciprocal(d);
        else return Vector128<float>.One / d;
        return Vector128.FusedMultiplyAdd(r, Vector128.FusedMultiplyAdd(-d, r, Vector128<float>.One), r);
    }

    /// <summary>1 / (1 + e^−x), 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) => Reciprocal(Vector512<float>.One + Exp(-x));

    /// <summary>1 / (1 + e^−x), 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) => Reciprocal(Vector256<float>.One + Exp(-x));

    /// <summary>1 / (1 + e^−x), 4 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sigmoid(Vector128<float> x) => Reciprocal(Vector128<float>.One + Exp(-x));

    /// <summary>1 / (1 + e^−x), the exponent clamped like the vector forms'.</summary>
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(Math.Clamp(-x, -Bound, Bound)));

    /// <summary>tanh x = 1 − 2 / (e^{2x} + 1), 16 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x) =>
        Vector512.FusedMultiplyAdd(Vector512.Create(-2f), Reciprocal(Exp(x + x) + Vector512<float>.One), Vector512<float>.One);

    /// <summary>tanh x = 1 − 2 / (e^{2x} + 1), 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x) =>
        Vector256.FusedMultiplyAdd(Vector256.Create(-2f), Reciprocal(Exp(x + x) + Vector256<float>.One), Vector256<float>.One);

    /// <summary>tanh x = 1 − 2 / (e^{2x} + 1), 4 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x) =>
        Vector128.FusedMultiplyAdd(Vector128.Create(-2f), Reciprocal(Exp(x + x) + Vector128<float>.One), Vector128<float>.One);

    /// <summary>tanh x.</summary>
    public static float Tanh(float x) => MathF.Tanh(x);
}
