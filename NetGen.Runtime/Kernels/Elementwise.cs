using System.Runtime.Intrinsics;

namespace NetGen.Kernels;

/// <summary>
/// Element-wise loops shared by the GEMM epilogue, Dense backward and the losses. Each loop runs 16-lane chunks,
/// then an 8-lane chunk, then a scalar tail; <c>lanes</c> caps the width (16, 8 or 1) so that a test can force the
/// narrower paths on a machine that has the wider ones.
/// </summary>
internal static unsafe class Elementwise
{
    /// <summary>The widest accelerated vector width: 16, 8 or 1.</summary>
    public static readonly int BestLanes = Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 1;

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

    /// <summary>dy[i] = dy[i]·act′(y[i]) for i &lt; n, act′ written through the output y.</summary>
    public static void MultiplyDerivative<TAct>(float* dy, float* y, int n, int lanes) where TAct : struct, IActivation
    {
        int i = 0;
        if (lanes >= 16 && Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16)
                (Vector512.Load(dy + i) * TAct.Derivative(Vector512.Load(y + i))).Store(dy + i);
        if (lanes >= 8 && Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8)
                (Vector256.Load(dy + i) * TAct.Derivative(Vector256.Load(y + i))).Store(dy + i);
        for (; i < n; i++)
            dy[i] *= TAct.Derivative(y[i]);
    }

    /// <summary>sum[j] += x[j] for j &lt; n.</summary>
    public static void AddTo(float* sum, float* x, int n, int lanes)
    {
        int j = 0;
        if (lanes >= 16 && Vector512.IsHardwareAccelerated)
            for (; j <= n - 16; j += 16)
                (Vector512.Load(sum + j) + Vector512.Load(x + j)).Store(sum + j);
        if (lanes >= 8 && Vector256.IsHardwareAccelerated)
            for (; j <= n - 8; j += 8)
                (Vector256.Load(sum + j) + Vector256.Load(x + j)).Store(sum + j);
        for (; j < n; j++)
            sum[j] += x[j];
    }

    /// <summary>max_j x[j] for j &lt; n (n ≥ 1).</summary>
    public static float Max(float* x, int n, int lanes)
    {
        float max = x[0];
        int j = 0;
        if (lanes >= 16 && Vector512.IsHardwareAccelerated && n >= 16)
        {
            var m = Vector512.Load(x);
            for (j = 16; j <= n - 16; j += 16) m = Vector512.Max(m, Vector512.Load(x + j));
            for (int l = 0; l < 16; l++) max = MathF.Max(max, m.GetElement(l));
        }
        else if (lanes >= 8 && Vector256.IsHardwareAccelerated && n >= 8)
        {
            var m = Vector256.Load(x);
            for (j = 8; j <= n - 8; j += 8) m = Vector256.Max(m, Vector256.Load(x + j));
            for (int l = 0; l < 8; l++) max = MathF.Max(max, m.GetElement(l));
        }
        for (; j < n; j++) max = MathF.Max(max, x[j]);
        return max;
    }

    /// <summary>Σ_j exp(x[j] − shift) for j &lt; n; with <paramref name="dst"/> not null also dst[j] = exp(x[j] − shift)·scale.</summary>
    public static float SumExp(float* x, int n, float shift, float* dst, float scale, int lanes)
    {
        float sum = 0f;
        int j = 0;
        if (lanes >= 16 && Vector512.IsHardwareAccelerated)
        {
            var acc = Vector512<float>.Zero;
            for (; j <= n - 16; j += 16)
            {
                var e = Vector512.Exp(Vector512.Load(x + j) - Vector512.Create(shift));
                acc += e;
                if (dst != null) (e * scale).Store(dst + j);
            }
            sum += Vector512.Sum(acc);
        }
        if (lanes >= 8 && Vector256.IsHardwareAccelerated)
        {
            var acc = Vector256<float>.Zero;
            for (; j <= n - 8; j += 8)
            {
                var e = Vector256.Exp(Vector256.Load(x + j) - Vector256.Create(shift));
                acc += e;
                if (dst != null) (e * scale).Store(dst + j);
            }
            sum += Vector256.Sum(acc);
        }
        for (; j < n; j++)
        {
            float e = MathF.Exp(x[j] - shift);
            sum += e;
            if (dst != null) dst[j] = e * scale;
        }
        return sum;
    }

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
}
