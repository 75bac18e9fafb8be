using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Kernels;

/// <summary>
/// The element-wise loops every kernel shares (GEMM epilogue, Dense, losses, convolution, pooling, dropout,
/// recurrent cells), and the buffer-length check of the convolution-family kernels. Each loop runs 16-lane chunks,
/// then an 8-lane chunk, then a scalar tail; where a <c>lanes</c> argument exists it caps the width (16, 8 or 1) so
/// that a test can force the narrower paths on a machine that has the wider ones (16, the default, means the widest
/// accelerated).
/// </summary>
internal static unsafe class Elementwise
{
    /// <summary>The widest accelerated vector width: 16, 8, 4 or 1 (the rules written over ILanes use 4; the passes
    /// written per width here run on 1 lane below 8).</summary>
    public static readonly int BestLanes = Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : Lanes4.IsAccelerated ? 4 : 1;

    /// <summary>x[j] = act(x[j] + bias[j]) for j &lt; n; <paramref name="bias"/> may be null (no bias).</summary>
    public static void BiasActivate<TAct>(float* x, int n, float* bias, int lanes) where TAct : struct, IActivation
    {
        int j = 0;
        if (lanes >= 16 && Vector512.IsHardwareAccelerated)
            for (; j <= n - 16; j += 16)
            {
                var v = Vector512.Load(x + j);
                if (bias != null) v += Vector512.Load(bias + j);
                TAct.Apply(v).Store(x + j);
            }
        if (lanes >= 8 && Vector256.IsHardwareAccelerated)
            for (; j <= n - 8; j += 8)
            {
                var v = Vector256.Load(x + j);
                if (bias != null) v += Vector256.Load(bias + j);
                TAct.Apply(v).Store(x + j);
            }
        for (; j < n; j++)
            x[j] = TAct.Apply(bias != null ? x[j] + bias[j] : x[j]);
    }

    /// <summary>x[j] = act(x[j] + bias) for j &lt; x.Length, one scalar bias: the fused convolution epilogue over one output channel.</summary>
    public static void BiasActivate<TAct>(Span<float> x, float bias) where TAct : struct, IActivation
    {
        int n = x.Length, i = 0;
        ref float p = ref MemoryMarshal.GetReference(x);
        if (Vector512.IsHardwareAccelerated)
        {
            var b = Vector512.Create(bias);
            for (; i <= n - 16; i += 16) TAct.Apply(Vector512.LoadUnsafe(ref p, (nuint)i) + b).StoreUnsafe(ref p, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var b = Vector256.Create(bias);
            for (; i <= n - 8; i += 8) TAct.Apply(Vector256.LoadUnsafe(ref p, (nuint)i) + b).StoreUnsafe(ref p, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref p, i) = TAct.Apply(Unsafe.Add(ref p, i) + bias);
    }

    /// <summary>v[j] = act(v[j]) in place for j &lt; v.Length (the recurrent gates' non-linearities).</summary>
    public static void Activate<TAct>(Span<float> v) where TAct : struct, IActivation
    {
        fixed (float* p = v) BiasActivate<TAct>(p, v.Length, null, 16);
    }

    /// <summary>dy[i] = dy[i]·act′(y[i]) for i &lt; dy.Length, act′ written through the output y.</summary>
    public static void MultiplyDerivative<TAct>(Span<float> dy, ReadOnlySpan<float> y, int lanes = 16) where TAct : struct, IActivation
    {
        int n = dy.Length, i = 0;
        ref float d = ref MemoryMarshal.GetReference(dy);
        ref float py = ref MemoryMarshal.GetReference(y.Slice(0, n));
        if (lanes >= 16 && Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16)
                (Vector512.LoadUnsafe(ref d, (nuint)i) * TAct.Derivative(Vector512.LoadUnsafe(ref py, (nuint)i))).StoreUnsafe(ref d, (nuint)i);
        if (lanes >= 8 && Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8)
                (Vector256.LoadUnsafe(ref d, (nuint)i) * TAct.Derivative(Vector256.LoadUnsafe(ref py, (nuint)i))).StoreUnsafe(ref d, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref d, i) *= TAct.Derivative(Unsafe.Add(ref py, i));
    }

    /// <summary>
    /// Over a rows × cols block: dy ← dy ⊙ act′(y) in place (nothing for <see cref="Identity"/>), and with
    /// <paramref name="sums"/> not null also sums[j] = Σ_r dy[r, j], added row after row in increasing r: a dense
    /// layer's activation derivative and bias gradient in one pass over dy.
    /// </summary>
    public static void DerivativeAndColumnSums<TAct>(float* dy, float* y, int rows, int cols, float* sums, int lanes) where TAct : struct, IActivation
    {
        bool derivative = typeof(TAct) != typeof(Identity);
        if (sums != null) new Span<float>(sums, cols).Clear();
        for (int r = 0; r < rows; r++)
        {
            float* d = dy + (nint)r * cols, o = y + (nint)r * cols;
            int j = 0;
            if (lanes >= 16 && Vector512.IsHardwareAccelerated)
                for (; j <= cols - 16; j += 16)
                {
                    var v = Vector512.Load(d + j);
                    if (derivative) (v *= TAct.Derivative(Vector512.Load(o + j))).Store(d + j);
                    if (sums != null) (Vector512.Load(sums + j) + v).Store(sums + j);
                }
            if (lanes >= 8 && Vector256.IsHardwareAccelerated)
                for (; j <= cols - 8; j += 8)
                {
                    var v = Vector256.Load(d + j);
                    if (derivative) (v *= TAct.Derivative(Vector256.Load(o + j))).Store(d + j);
                    if (sums != null) (Vector256.Load(sums + j) + v).Store(sums + j);
                }
            for (; j < cols; j++)
            {
                float v = d[j];
                if (derivative) d[j] = v *= TAct.Derivative(o[j]);
                if (sums != null) sums[j] += v;
            }
        }
    }

    /// <summary>sum[j] += x[j] for j &lt; n: inlined, for the short rows of col2im and the GEMM edge tiles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddTo(ref float sum, ref readonly float x, int n, int lanes = 16)
    {
        int j = 0;
        ref float a = ref Unsafe.AsRef(in x);
        if (lanes >= 16 && Vector512.IsHardwareAccelerated)
            for (; j <= n - 16; j += 16)
                (Vector512.LoadUnsafe(ref sum, (nuint)j) + Vector512.LoadUnsafe(ref a, (nuint)j)).StoreUnsafe(ref sum, (nuint)j);
        if (lanes >= 8 && Vector256.IsHardwareAccelerated)
            for (; j <= n - 8; j += 8)
                (Vector256.LoadUnsafe(ref sum, (nuint)j) + Vector256.LoadUnsafe(ref a, (nuint)j)).StoreUnsafe(ref sum, (nuint)j);
        for (; j < n; j++)
            Unsafe.Add(ref sum, j) += Unsafe.Add(ref a, j);
    }

    /// <summary>sum[j] += x[j] for j &lt; sum.Length; throws when x is shorter than sum.</summary>
    public static void AddTo(Span<float> sum, ReadOnlySpan<float> x)
    {
        if (x.Length < sum.Length)
            throw new ArgumentException($"The addend has {x.Length} floats but the sum has {sum.Length}; pass an addend at least as long as the sum.", nameof(x));
        AddTo(ref MemoryMarshal.GetReference(sum), in MemoryMarshal.GetReference(x), sum.Length);
    }

    /// <summary>dst[i] = src[i] for i &lt; n: an inlined copy for the short rows of im2col, where a Memmove call costs more than the copy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(ref float src, ref float dst, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16) Vector512.LoadUnsafe(ref src, (nuint)i).StoreUnsafe(ref dst, (nuint)i);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8) Vector256.LoadUnsafe(ref src, (nuint)i).StoreUnsafe(ref dst, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref dst, i) = Unsafe.Add(ref src, i);
    }

    /// <summary>max_j x[j] for j &lt; n (n ≥ 1); a partial last vector is read through a lane mask.</summary>
    public static float Max(float* x, int n, int lanes)
    {
        int j = 0;
        if (lanes >= 16 && Vector512.IsHardwareAccelerated)
        {
            var m = Vector512.Create(float.NegativeInfinity);
            for (; j <= n - 16; j += 16) m = Vector512.Max(m, Vector512.Load(x + j));
            if (j < n) m = Vector512.Max(m, Avx512F.MaskLoad(x + j, TailMask512(n - j), Vector512.Create(float.NegativeInfinity)));
            return Max(Vector256.Max(m.GetLower(), m.GetUpper()));
        }
        if (lanes >= 8 && Vector256.IsHardwareAccelerated)
        {
            var m = Vector256.Create(float.NegativeInfinity);
            for (; j <= n - 8; j += 8) m = Vector256.Max(m, Vector256.Load(x + j));
            if (j < n)
            {
                var mask = TailMask256(n - j);
                m = Vector256.Max(m, Vector256.ConditionalSelect(mask, Avx.MaskLoad(x + j, mask), Vector256.Create(float.NegativeInfinity)));
            }
            return Max(m);
        }
        float max = x[0];
        for (; j < n; j++) max = MathF.Max(max, x[j]);
        return max;
    }

    private static float Max(Vector256<float> m)
    {
        var q = Vector128.Max(m.GetLower(), m.GetUpper());
        return MathF.Max(MathF.Max(q.GetElement(0), q.GetElement(1)), MathF.Max(q.GetElement(2), q.GetElement(3)));
    }

    /// <summary>
    /// Σ_j exp(x[j] − shift) for j &lt; n; with <paramref name="dst"/> not null also dst[j] = exp(x[j] − shift).
    /// A partial last vector is read and written through a lane mask, so a short row (a few classes) costs one vector
    /// exponential. The exponential is <see cref="CellMath"/>'s inlined one (relative error ≈ 1e−7): softmax
    /// cross-entropy over the char-LSTM's 2048×65 logits took 151–194 µs with it against 194–243 µs with
    /// <c>Vector512.Exp</c> (probe, builds alternating).
    /// </summary>
    public static float SumExp(float* x, int n, float shift, float* dst, int lanes)
    {
        int j = 0;
        if (lanes >= 16 && Vector512.IsHardwareAccelerated)
        {
            var s = Vector512.Create(shift);
            var acc = Vector512<float>.Zero;
            for (; j <= n - 16; j += 16)
            {
                var e = CellMath.Exp(Vector512.Load(x + j) - s);
                acc += e;
                if (dst != null) e.Store(dst + j);
            }
            if (j < n)
            {
                // Lanes past n read shift itself; their exp(0) is then masked to zero.
                var mask = TailMask512(n - j);
                var e = Vector512.ConditionalSelect(mask, CellMath.Exp(Avx512F.MaskLoad(x + j, mask, s) - s), Vector512<float>.Zero);
                acc += e;
                if (dst != null) Avx512F.MaskStore(dst + j, mask, e);
            }
            return Vector512.Sum(acc);
        }
        if (lanes >= 8 && Vector256.IsHardwareAccelerated)
        {
            var s = Vector256.Create(shift);
            var acc = Vector256<float>.Zero;
            for (; j <= n - 8; j += 8)
            {
                var e = CellMath.Exp(Vector256.Load(x + j) - s);
                acc += e;
                if (dst != null) e.Store(dst + j);
            }
            if (j < n)
            {
                var mask = TailMask256(n - j);
                var e = Vector256.ConditionalSelect(mask, CellMath.Exp(Avx.MaskLoad(x + j, mask) - s), Vector256<float>.Zero);
                acc += e;
                if (dst != null) Avx.MaskStore(dst + j, mask, e);
            }
            return Vector256.Sum(acc);
        }
        float sum = 0f;
        for (; j < n; j++)
        {
            float e = MathF.Exp(x[j] - shift);
            sum += e;
            if (dst != null) dst[j] = e;
        }
        return sum;
    }

    /// <summary>x[j] ·= scale for j &lt; n, a partial last vector through a lane mask.</summary>
    public static void Scale(float* x, int n, float scale, int lanes)
    {
        int j = 0;
        if (lanes >= 16 && Vector512.IsHardwareAccelerated)
        {
            for (; j <= n - 16; j += 16) (Vector512.Load(x + j) * scale).Store(x + j);
            if (j < n)
            {
                var mask = TailMask512(n - j);
                Avx512F.MaskStore(x + j, mask, Avx512F.MaskLoad(x + j, mask, Vector512<float>.Zero) * scale);
            }
            return;
        }
        if (lanes >= 8 && Vector256.IsHardwareAccelerated)
        {
            for (; j <= n - 8; j += 8) (Vector256.Load(x + j) * scale).Store(x + j);
            if (j < n)
            {
                var mask = TailMask256(n - j);
                Avx.MaskStore(x + j, mask, Avx.MaskLoad(x + j, mask) * scale);
            }
            return;
        }
        for (; j < n; j++) x[j] *= scale;
    }

    /// <summary>All bits set in the first <paramref name="count"/> (1…15) lanes.</summary>
    private static Vector512<float> TailMask512(int count) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    /// <summary>All bits set in the first <paramref name="count"/> (1…7) lanes.</summary>
    private static Vector256<float> TailMask256(int count) => Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle();

    /// <summary>Σ_j (y[j] − t[j])² for j &lt; n; with <paramref name="dst"/> not null also dst[j] = (y[j] − t[j])·scale.</summary>
    public static float SumSquaredDifference(float* y, float* t, int n, float* dst, float scale, int lanes)
    {
        float sum = 0f;
        int j = 0;
        if (lanes >= 16 && Vector512.IsHardwareAccelerated)
        {
            var acc = Vector512<float>.Zero;
            for (; j <= n - 16; j += 16)
            {
                var d = Vector512.Load(y + j) - Vector512.Load(t + j);
                acc = Vector512.FusedMultiplyAdd(d, d, acc);
                if (dst != null) (d * scale).Store(dst + j);
            }
            sum += Vector512.Sum(acc);
        }
        if (lanes >= 8 && Vector256.IsHardwareAccelerated)
        {
            var acc = Vector256<float>.Zero;
            for (; j <= n - 8; j += 8)
            {
                var d = Vector256.Load(y + j) - Vector256.Load(t + j);
                acc = Vector256.FusedMultiplyAdd(d, d, acc);
                if (dst != null) (d * scale).Store(dst + j);
            }
            sum += Vector256.Sum(acc);
        }
        for (; j < n; j++)
        {
            float d = y[j] - t[j];
            sum += d * d;
            if (dst != null) dst[j] = d * scale;
        }
        return sum;
    }

    /// <summary>dst[i] = a[i] · b[i] for i &lt; a.Length; dst may be a or b.</summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst)
    {
        int n = a.Length, i = 0;
        ref float pa = ref MemoryMarshal.GetReference(a);
        ref float pb = ref MemoryMarshal.GetReference(b.Slice(0, n));
        ref float d = ref MemoryMarshal.GetReference(dst.Slice(0, n));
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16)
                (Vector512.LoadUnsafe(ref pa, (nuint)i) * Vector512.LoadUnsafe(ref pb, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8)
                (Vector256.LoadUnsafe(ref pa, (nuint)i) * Vector256.LoadUnsafe(ref pb, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref d, i) = Unsafe.Add(ref pa, i) * Unsafe.Add(ref pb, i);
    }

    /// <summary>Σ x[i], accumulated in vector lanes.</summary>
    public static float Sum(ReadOnlySpan<float> x)
    {
        int n = x.Length, i = 0;
        ref float p = ref MemoryMarshal.GetReference(x);
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var acc = Vector512<float>.Zero;
            for (; i <= n - 16; i += 16) acc += Vector512.LoadUnsafe(ref p, (nuint)i);
            sum = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8) acc += Vector256.LoadUnsafe(ref p, (nuint)i);
            sum = Vector256.Sum(acc);
        }
        for (; i < n; i++) sum += Unsafe.Add(ref p, i);
        return sum;
    }

    /// <summary>Σ a[i]·b[i] for i &lt; a.Length, with four independent vector accumulators to cover the FMA latency.</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = a.Length, i = 0;
        ref float pa = ref MemoryMarshal.GetReference(a);
        ref float pb = ref MemoryMarshal.GetReference(b.Slice(0, n));
        float sum = 0f;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; i <= n - 64; i += 64)
            {
                s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref pa, (nuint)i), Vector512.LoadUnsafe(ref pb, (nuint)i), s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref pa, (nuint)i + 16), Vector512.LoadUnsafe(ref pb, (nuint)i + 16), s1);
                s2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref pa, (nuint)i + 32), Vector512.LoadUnsafe(ref pb, (nuint)i + 32), s2);
                s3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref pa, (nuint)i + 48), Vector512.LoadUnsafe(ref pb, (nuint)i + 48), s3);
            }
            for (; i <= n - 16; i += 16)
                s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref pa, (nuint)i), Vector512.LoadUnsafe(ref pb, (nuint)i), s0);
            sum = Vector512.Sum((s0 + s1) + (s2 + s3));
        }
        else if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            Vector256<float> s0 = default, s1 = default;
            for (; i <= n - 16; i += 16)
            {
                s0 += Vector256.LoadUnsafe(ref pa, (nuint)i) * Vector256.LoadUnsafe(ref pb, (nuint)i);
                s1 += Vector256.LoadUnsafe(ref pa, (nuint)i + 8) * Vector256.LoadUnsafe(ref pb, (nuint)i + 8);
            }
            for (; i <= n - 8; i += 8)
                s0 += Vector256.LoadUnsafe(ref pa, (nuint)i) * Vector256.LoadUnsafe(ref pb, (nuint)i);
            sum = Vector256.Sum(s0 + s1);
        }
        for (; i < n; i++) sum += Unsafe.Add(ref pa, i) * Unsafe.Add(ref pb, i);
        return sum;
    }

    /// <summary>Throws when a buffer is shorter than the kernel needs, naming the argument and the size to allocate.</summary>
    public static void Require(int length, long needed, string argument, string kernel)
    {
        if (length < needed)
            throw new ArgumentException(
                $"{kernel}: '{argument}' holds {length} elements but this call needs {needed}; size it from the shape's *Size properties for the batch.",
                argument);
    }
}
