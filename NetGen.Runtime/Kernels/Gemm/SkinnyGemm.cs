using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels.GemmCore;

/// <summary>
/// Products with fewer rows than a micro-kernel tile (batch-1 inference, the last rows of a tiny batch), where an
/// MR-row kernel would waste most of its multiply-adds on zero padding and a packed B would be used only once.
/// One row of C at a time, 8 vectors of columns per pass over k (8 independent FMA chains hide the FMA latency).
/// <para>
/// Every element is summed in the same order as <see cref="GemmDriver"/> sums it: per k-block of
/// <see cref="GemmDriver.KC"/>, one fused multiply-add chain in increasing p starting from zero, and the block's
/// sum added to C (or stored, for the first block without accumulate). A sample computed alone is therefore
/// bit-identical to the same sample inside a batch. A row-major B is read in place; a transposed B, and the
/// column chunk that ends in a partial vector, are packed per k-block first.
/// </para>
/// </summary>
internal static unsafe class SkinnyGemm
{
    /// <summary>Rows below which <see cref="TryRun{TAct}"/> takes the product.</summary>
    public const int MaxRows = 4;

    /// <summary>Vectors of columns per pass: one FMA chain each.</summary>
    private const int Vectors = 8;

    /// <summary>Runs <paramref name="g"/> (M ≤ <see cref="MaxRows"/>, K ≥ 1) on a vector path; false otherwise.</summary>
    public static bool TryRun<TAct>(in GemmArgs g, int lanes) where TAct : struct, IActivation
    {
        if (g.M > MaxRows || g.K == 0 || lanes < 8) return false;
        if (g.M == 0 || g.N == 0) return true;
        bool wide = lanes >= 16 && Vector512.IsHardwareAccelerated;
        int vec = wide ? 16 : 8, chunk = Vectors * vec;
        const int KC = GemmDriver.KC;
        float* packed = Scratch.Get(KC * chunk + chunk);
        float* tile = packed + KC * chunk;
        for (int jc = 0; jc < g.N; jc += chunk)
        {
            int w = Math.Min(chunk, g.N - jc);
            int vectors = (w + vec - 1) / vec, padded = vectors * vec;
            bool inPlace = g.CsB == 1 && padded == w;
            for (int pc = 0; pc < g.K; pc += KC)
            {
                int kc = Math.Min(KC, g.K - pc);
                bool overwrite = pc == 0 && !g.Accumulate;
                float* panel = g.B + pc * g.RsB + jc * g.CsB;
                nint ldb = g.RsB;
                if (!inPlace)
                {
                    Packing.PackB(kc, w, padded, panel, g.RsB, g.CsB, packed);
                    panel = packed;
                    ldb = padded;
                }
                for (int i = 0; i < g.M; i++)
                {
                    float* a = g.A + i * g.RsA + pc * g.CsA, c = g.C + i * g.Ldc + jc;
                    if (padded == w)
                        Pass(kc, a, g.CsA, panel, ldb, c, vectors, overwrite, wide);
                    else
                    {
                        // Partial last vector: compute the padded row into scratch, keep the valid columns.
                        Pass(kc, a, g.CsA, panel, ldb, tile, vectors, true, wide);
                        if (overwrite) new ReadOnlySpan<float>(tile, w).CopyTo(new Span<float>(c, w));
                        else Elementwise.AddTo(ref *c, in *tile, w, lanes);
                    }
                }
            }
        }
        if (typeof(TAct) != typeof(Identity) || g.Bias != null)
            for (int i = 0; i < g.M; i++) Elementwise.BiasActivate<TAct>(g.C + i * g.Ldc, g.N, g.Bias, lanes);
        return true;
    }

    /// <summary>c[j] (+)= Σ_{p&lt;kc} a[p·csA]·b[p·ldb + j] for j &lt; vectors·width, split into 8-, 4- and 1-vector passes.</summary>
    private static void Pass(int kc, float* a, nint csA, float* b, nint ldb, float* c, int vectors, bool overwrite, bool wide)
    {
        int v = 0;
        if (wide)
        {
            for (; v <= vectors - 8; v += 8) Pass8x512(kc, a, csA, b + v * 16, ldb, c + v * 16, overwrite);
            for (; v <= vectors - 4; v += 4) Pass4x512(kc, a, csA, b + v * 16, ldb, c + v * 16, overwrite);
            for (; v < vectors; v++) Pass1x512(kc, a, csA, b + v * 16, ldb, c + v * 16, overwrite);
        }
        else
        {
            for (; v <= vectors - 8; v += 8) Pass8x256(kc, a, csA, b + v * 8, ldb, c + v * 8, overwrite);
            for (; v <= vectors - 4; v += 4) Pass4x256(kc, a, csA, b + v * 8, ldb, c + v * 8, overwrite);
            for (; v < vectors; v++) Pass1x256(kc, a, csA, b + v * 8, ldb, c + v * 8, overwrite);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass8x512(int kc, float* a, nint csA, float* b, nint ldb, float* c, bool overwrite)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int p = 0; p < kc; p++, a += csA, b += ldb)
        {
            var ap = Vector512.Create(*a);
            c0 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b), c0);
            c1 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 16), c1);
            c2 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 32), c2);
            c3 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 48), c3);
            c4 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 64), c4);
            c5 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 80), c5);
            c6 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 96), c6);
            c7 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 112), c7);
        }
        if (!overwrite)
        {
            c0 = Vector512.Load(c) + c0; c1 = Vector512.Load(c + 16) + c1; c2 = Vector512.Load(c + 32) + c2; c3 = Vector512.Load(c + 48) + c3;
            c4 = Vector512.Load(c + 64) + c4; c5 = Vector512.Load(c + 80) + c5; c6 = Vector512.Load(c + 96) + c6; c7 = Vector512.Load(c + 112) + c7;
        }
        c0.Store(c); c1.Store(c + 16); c2.Store(c + 32); c3.Store(c + 48);
        c4.Store(c + 64); c5.Store(c + 80); c6.Store(c + 96); c7.Store(c + 112);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass4x512(int kc, float* a, nint csA, float* b, nint ldb, float* c, bool overwrite)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int p = 0; p < kc; p++, a += csA, b += ldb)
        {
            var ap = Vector512.Create(*a);
            c0 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b), c0);
            c1 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 16), c1);
            c2 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 32), c2);
            c3 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 48), c3);
        }
        if (!overwrite) { c0 = Vector512.Load(c) + c0; c1 = Vector512.Load(c + 16) + c1; c2 = Vector512.Load(c + 32) + c2; c3 = Vector512.Load(c + 48) + c3; }
        c0.Store(c); c1.Store(c + 16); c2.Store(c + 32); c3.Store(c + 48);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass1x512(int kc, float* a, nint csA, float* b, nint ldb, float* c, bool overwrite)
    {
        Vector512<float> c0 = default;
        for (int p = 0; p < kc; p++, a += csA, b += ldb) c0 = Vector512.FusedMultiplyAdd(Vector512.Create(*a), Vector512.Load(b), c0);
        if (!overwrite) c0 = Vector512.Load(c) + c0;
        c0.Store(c);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass8x256(int kc, float* a, nint csA, float* b, nint ldb, float* c, bool overwrite)
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int p = 0; p < kc; p++, a += csA, b += ldb)
        {
            var ap = Vector256.Create(*a);
            c0 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b), c0);
            c1 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b + 8), c1);
            c2 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b + 16), c2);
            c3 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b + 24), c3);
            c4 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b + 32), c4);
            c5 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b + 40), c5);
            c6 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b + 48), c6);
            c7 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b + 56), c7);
        }
        if (!overwrite)
        {
            c0 = Vector256.Load(c) + c0; c1 = Vector256.Load(c + 8) + c1; c2 = Vector256.Load(c + 16) + c2; c3 = Vector256.Load(c + 24) + c3;
            c4 = Vector256.Load(c + 32) + c4; c5 = Vector256.Load(c + 40) + c5; c6 = Vector256.Load(c + 48) + c6; c7 = Vector256.Load(c + 56) + c7;
        }
        c0.Store(c); c1.Store(c + 8); c2.Store(c + 16); c3.Store(c + 24);
        c4.Store(c + 32); c5.Store(c + 40); c6.Store(c + 48); c7.Store(c + 56);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass4x256(int kc, float* a, nint csA, float* b, nint ldb, float* c, bool overwrite)
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int p = 0; p < kc; p++, a += csA, b += ldb)
        {
            var ap = Vector256.Create(*a);
            c0 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b), c0);
            c1 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b + 8), c1);
            c2 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b + 16), c2);
            c3 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b + 24), c3);
        }
        if (!overwrite) { c0 = Vector256.Load(c) + c0; c1 = Vector256.Load(c + 8) + c1; c2 = Vector256.Load(c + 16) + c2; c3 = Vector256.Load(c + 24) + c3; }
        c0.Store(c); c1.Store(c + 8); c2.Store(c + 16); c3.Store(c + 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass1x256(int kc, float* a, nint csA, float* b, nint ldb, float* c, bool overwrite)
    {
        Vector256<float> c0 = default;
        for (int p = 0; p < kc; p++, a += csA, b += ldb) c0 = Vector256.FusedMultiplyAdd(Vector256.Create(*a), Vector256.Load(b), c0);
        if (!overwrite) c0 = Vector256.Load(c) + c0;
        c0.Store(c);
    }
}
