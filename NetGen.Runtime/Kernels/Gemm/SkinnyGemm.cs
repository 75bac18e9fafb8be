using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels.GemmCore;

/// <summary>
/// Products with fewer rows than a micro-kernel tile (batch-1 inference, the last rows of a tiny batch), where an
/// MR-row kernel would waste most of its multiply-adds on zero padding and a packed B would be used only once.
/// Row-major B: one row of C at a time, 4 vectors of columns per pass over k. Transposed B: C(i,j) as dot products
/// of two contiguous rows, 4 rows of B per pass.
/// </summary>
internal static unsafe class SkinnyGemm
{
    /// <summary>Rows below which <see cref="TryRun{TAct}"/> takes the product.</summary>
    public const int MaxRows = 4;

    /// <summary>Runs <paramref name="g"/> (M ≤ <see cref="MaxRows"/>) if its layout suits a skinny path; false otherwise.</summary>
    public static bool TryRun<TAct>(in GemmArgs g, int lanes) where TAct : struct, IActivation
    {
        if (g.M > MaxRows || lanes < 8) return false;
        if (g.CsB == 1)
            for (int i = 0; i < g.M; i++) RowTimesB(g, i, lanes);
        else if (g.RsB == 1 && g.CsA == 1)
            for (int i = 0; i < g.M; i++) RowDotRows(g, i, lanes);
        else
            return false;
        if (typeof(TAct) != typeof(Identity) || g.Bias != null)
            for (int i = 0; i < g.M; i++) Elementwise.BiasActivate<TAct>(g.C + i * g.Ldc, g.N, g.Bias, lanes);
        return true;
    }

    private static void Store(float* c, float value, bool accumulate) => *c = accumulate ? *c + value : value;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowTimesB(in GemmArgs g, int i, int lanes)
    {
        float* a = g.A + i * g.RsA, c = g.C + i * g.Ldc;
        int j = 0;
        if (lanes >= 16 && Vector512.IsHardwareAccelerated)
        {
            for (; j <= g.N - 64; j += 64)
            {
                // Two sets of accumulators (even and odd p) give 8 independent FMA chains to cover FMA latency.
                Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
                Vector512<float> d0 = default, d1 = default, d2 = default, d3 = default;
                float* b = g.B + j;
                int p = 0;
                for (; p < g.K - 1; p += 2, b += 2 * g.RsB)
                {
                    var ap = Vector512.Create(a[p * g.CsA]);
                    c0 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b), c0);
                    c1 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 16), c1);
                    c2 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 32), c2);
                    c3 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 48), c3);
                    var aq = Vector512.Create(a[(p + 1) * g.CsA]);
                    d0 = Vector512.FusedMultiplyAdd(aq, Vector512.Load(b + g.RsB), d0);
                    d1 = Vector512.FusedMultiplyAdd(aq, Vector512.Load(b + g.RsB + 16), d1);
                    d2 = Vector512.FusedMultiplyAdd(aq, Vector512.Load(b + g.RsB + 32), d2);
                    d3 = Vector512.FusedMultiplyAdd(aq, Vector512.Load(b + g.RsB + 48), d3);
                }
                if (p < g.K)
                {
                    var ap = Vector512.Create(a[p * g.CsA]);
                    c0 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b), c0);
                    c1 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 16), c1);
                    c2 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 32), c2);
                    c3 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 48), c3);
                }
                c0 += d0; c1 += d1; c2 += d2; c3 += d3;
                if (g.Accumulate) { c0 += Vector512.Load(c + j); c1 += Vector512.Load(c + j + 16); c2 += Vector512.Load(c + j + 32); c3 += Vector512.Load(c + j + 48); }
                c0.Store(c + j); c1.Store(c + j + 16); c2.Store(c + j + 32); c3.Store(c + j + 48);
            }
            for (; j <= g.N - 16; j += 16)
            {
                Vector512<float> c0 = default;
                float* b = g.B + j;
                for (int p = 0; p < g.K; p++, b += g.RsB) c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[p * g.CsA]), Vector512.Load(b), c0);
                if (g.Accumulate) c0 += Vector512.Load(c + j);
                c0.Store(c + j);
            }
        }
        for (; j <= g.N - 32; j += 32)
        {
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
            float* b = g.B + j;
            for (int p = 0; p < g.K; p++, b += g.RsB)
            {
                var ap = Vector256.Create(a[p * g.CsA]);
                c0 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b), c0);
                c1 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b + 8), c1);
                c2 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b + 16), c2);
                c3 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b + 24), c3);
            }
            if (g.Accumulate) { c0 += Vector256.Load(c + j); c1 += Vector256.Load(c + j + 8); c2 += Vector256.Load(c + j + 16); c3 += Vector256.Load(c + j + 24); }
            c0.Store(c + j); c1.Store(c + j + 8); c2.Store(c + j + 16); c3.Store(c + j + 24);
        }
        for (; j <= g.N - 8; j += 8)
        {
            Vector256<float> c0 = default;
            float* b = g.B + j;
            for (int p = 0; p < g.K; p++, b += g.RsB) c0 = Vector256.FusedMultiplyAdd(Vector256.Create(a[p * g.CsA]), Vector256.Load(b), c0);
            if (g.Accumulate) c0 += Vector256.Load(c + j);
            c0.Store(c + j);
        }
        for (; j < g.N; j++)
        {
            float s = 0f;
            for (int p = 0; p < g.K; p++) s += a[p * g.CsA] * g.B[p * g.RsB + j];
            Store(c + j, s, g.Accumulate);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowDotRows(in GemmArgs g, int i, int lanes)
    {
        float* a = g.A + i * g.RsA, c = g.C + i * g.Ldc;
        int j = 0;
        for (; j <= g.N - 4; j += 4)
        {
            float* b0 = g.B + j * g.CsB, b1 = b0 + g.CsB, b2 = b1 + g.CsB, b3 = b2 + g.CsB;
            var (s0, s1, s2, s3) = Dot4(a, b0, b1, b2, b3, g.K, lanes);
            Store(c + j, s0, g.Accumulate); Store(c + j + 1, s1, g.Accumulate); Store(c + j + 2, s2, g.Accumulate); Store(c + j + 3, s3, g.Accumulate);
        }
        for (; j < g.N; j++)
        {
            float* b = g.B + j * g.CsB;
            float s = Dot4(a, b, b, b, b, g.K, lanes).Item1;
            Store(c + j, s, g.Accumulate);
        }
    }

    /// <summary>The dot products of a with b0..b3 over k contiguous floats.</summary>
    private static (float, float, float, float) Dot4(float* a, float* b0, float* b1, float* b2, float* b3, int k, int lanes)
    {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int p = 0;
        if (lanes >= 16 && Vector512.IsHardwareAccelerated && k >= 16)
        {
            Vector512<float> d0 = default, d1 = default, d2 = default, d3 = default;
            for (; p <= k - 16; p += 16)
            {
                var ap = Vector512.Load(a + p);
                d0 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b0 + p), d0);
                d1 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b1 + p), d1);
                d2 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b2 + p), d2);
                d3 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b3 + p), d3);
            }
            (s0, s1, s2, s3) = (Vector512.Sum(d0), Vector512.Sum(d1), Vector512.Sum(d2), Vector512.Sum(d3));
        }
        if (k - p >= 8)
        {
            Vector256<float> d0 = default, d1 = default, d2 = default, d3 = default;
            for (; p <= k - 8; p += 8)
            {
                var ap = Vector256.Load(a + p);
                d0 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b0 + p), d0);
                d1 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b1 + p), d1);
                d2 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b2 + p), d2);
                d3 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b3 + p), d3);
            }
            s0 += Vector256.Sum(d0); s1 += Vector256.Sum(d1); s2 += Vector256.Sum(d2); s3 += Vector256.Sum(d3);
        }
        for (; p < k; p++)
        {
            s0 += a[p] * b0[p]; s1 += a[p] * b1[p]; s2 += a[p] * b2[p]; s3 += a[p] * b3[p];
        }
        return (s0, s1, s2, s3);
    }
}
