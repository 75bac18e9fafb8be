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
}
