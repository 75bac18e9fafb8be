using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Kernels.GemmCore;

/// <summary>
/// Products with fewer rows than a micro-kernel tile (batch-1 inference, the last rows of a tiny batch), where an
/// MR-row kernel would waste most of its multiply-adds on zero padding and a packed B would be used only once.
/// One row of C at a time, up to 16 zmm (8 ymm) vectors of columns per pass over k: as many independent FMA chains,
/// and each row of B read as one contiguous run. A partial last vector is read and written through a lane mask.
/// <para>
/// Every element is summed in the same order as <see cref="GemmDriver"/> sums it: per k-block of
/// <see cref="GemmTiling.KC"/> (the product's tiling), one fused multiply-add chain in increasing p starting from zero, and the block's
/// sum added to C (or stored, for the first block without accumulate). A sample computed alone is therefore
/// bit-identical to the same sample inside a batch. A row-major B is read in place; a transposed B is packed per
/// k-block first.
/// </para>
/// </summary>
internal static unsafe class SkinnyGemm
{
    /// <summary>Rows below which <see cref="TryRun{TAct}"/> takes the product.</summary>
    public const int MaxRows = 4;

    /// <summary>Runs <paramref name="g"/> (M ≤ <see cref="MaxRows"/>, K ≥ 1) on a vector path; false otherwise.</summary>
    public static bool TryRun<TAct>(in GemmArgs g, int lanes) where TAct : struct, IActivation
    {
        if (g.M > MaxRows || g.K == 0 || lanes < 8 || !Avx.IsSupported) return false;
        if (g.M == 0 || g.N == 0) return true;
        bool wide = lanes >= 16 && Vector512.IsHardwareAccelerated;
        int vec = wide ? 16 : 8, chunk = wide ? 256 : 64;
        int KC = g.Tiling.BlockK;
        float* packed = g.CsB == 1 ? null : Scratch.Get(KC * chunk);
        for (int jc = 0; jc < g.N; jc += chunk)
        {
            int w = Math.Min(chunk, g.N - jc);
            for (int pc = 0; pc < g.K; pc += KC)
            {
                int kc = Math.Min(KC, g.K - pc);
                bool overwrite = pc == 0 && !g.Accumulate;
                float* panel = g.B + pc * g.RsB + jc * g.CsB;
                nint ldb = g.RsB;
                if (packed != null)
                {
                    int padded = (w + vec - 1) / vec * vec;
                    Packing.PackB(kc, w, padded, panel, g.RsB, g.CsB, packed);
                    panel = packed;
                    ldb = padded;
                }
                for (int i = 0; i < g.M; i++)
                    Pass(kc, g.A + i * g.RsA + pc * g.CsA, g.CsA, panel, ldb, g.C + i * g.Ldc + jc, w, overwrite, wide);
            }
        }
        if (typeof(TAct) != typeof(Identity) || g.Bias != null)
            for (int i = 0; i < g.M; i++) Elementwise.BiasActivate<TAct>(g.C + i * g.Ldc, g.N, g.Bias, lanes);
        return true;
    }

    /// <summary>c[j] (+)= Σ_{p&lt;kc} a[p·csA]·b[p·ldb + j] for j &lt; w, in 16-, 8-, 4- and 1-vector passes and a masked last vector.</summary>
    private static void Pass(int kc, float* a, nint csA, float* b, nint ldb, float* c, int w, bool overwrite, bool wide)
    {
        int j = 0;
        if (wide)
        {
            for (; j <= w - 256; j += 256) Pass512<N16>(kc, a, csA, b + j, ldb, c + j, overwrite);
            for (; j <= w - 128; j += 128) Pass512<N8>(kc, a, csA, b + j, ldb, c + j, overwrite);
            for (; j <= w - 64; j += 64) Pass512<N4>(kc, a, csA, b + j, ldb, c + j, overwrite);
            for (; j <= w - 16; j += 16) Pass512<N1>(kc, a, csA, b + j, ldb, c + j, overwrite);
            if (j < w) PassMasked512(kc, a, csA, b + j, ldb, c + j, w - j, overwrite);
        }
        else
        {
            for (; j <= w - 64; j += 64) Pass256<N8>(kc, a, csA, b + j, ldb, c + j, overwrite);
            for (; j <= w - 32; j += 32) Pass256<N4>(kc, a, csA, b + j, ldb, c + j, overwrite);
            for (; j <= w - 8; j += 8) Pass256<N1>(kc, a, csA, b + j, ldb, c + j, overwrite);
            if (j < w) PassMasked256(kc, a, csA, b + j, ldb, c + j, w - j, overwrite);
        }
    }

    /// <summary>The first <paramref name="count"/> (&lt; 16) columns; lanes past them are neither read nor written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PassMasked512(int kc, float* a, nint csA, float* b, nint ldb, float* c, int count, bool overwrite)
    {
        var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();
        Vector512<float> c0 = default;
        for (int p = 0; p < kc; p++, a += csA, b += ldb)
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(*a), Avx512F.MaskLoad(b, mask, Vector512<float>.Zero), c0);
        if (!overwrite) c0 = Avx512F.MaskLoad(c, mask, Vector512<float>.Zero) + c0;
        Avx512F.MaskStore(c, mask, c0);
    }

    /// <summary>The first <paramref name="count"/> (&lt; 8) columns; lanes past them are neither read nor written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PassMasked256(int kc, float* a, nint csA, float* b, nint ldb, float* c, int count, bool overwrite)
    {
        var mask = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle();
        Vector256<float> c0 = default;
        for (int p = 0; p < kc; p++, a += csA, b += ldb)
            c0 = Vector256.FusedMultiplyAdd(Vector256.Create(*a), Avx.MaskLoad(b, mask), c0);
        if (!overwrite) c0 = Avx.MaskLoad(c, mask) + c0;
        Avx.MaskStore(c, mask, c0);
    }

    /// <summary>c[j] (+)= Σ_{p&lt;kc} a[p·csA]·b[p·ldb + j] for N zmm vectors of columns (N = 1, 4, 8 or 16: 32
    /// registers hold 16), each in its own local (MicroKernels.cs says why each width is written out), one chain per
    /// column in increasing p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass512<N>(int kc, float* a, nint csA, float* b, nint ldb, float* c, bool overwrite) where N : struct, ICount
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        Vector512<float> c8 = default, c9 = default, c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        for (int p = 0; p < kc; p++, a += csA, b += ldb)
        {
            var ap = Vector512.Create(*a);
            c0 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b), c0);
            if (N.Count > 1) c1 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 16), c1);
            if (N.Count > 2) c2 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 32), c2);
            if (N.Count > 3) c3 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 48), c3);
            if (N.Count > 4) c4 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 64), c4);
            if (N.Count > 5) c5 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 80), c5);
            if (N.Count > 6) c6 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 96), c6);
            if (N.Count > 7) c7 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 112), c7);
            if (N.Count > 8) c8 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 128), c8);
            if (N.Count > 9) c9 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 144), c9);
            if (N.Count > 10) c10 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 160), c10);
            if (N.Count > 11) c11 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 176), c11);
            if (N.Count > 12) c12 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 192), c12);
            if (N.Count > 13) c13 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 208), c13);
            if (N.Count > 14) c14 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 224), c14);
            if (N.Count > 15) c15 = Vector512.FusedMultiplyAdd(ap, Vector512.Load(b + 240), c15);
        }
        Put(c, c0, overwrite);
        if (N.Count > 1) Put(c + 16, c1, overwrite);
        if (N.Count > 2) Put(c + 32, c2, overwrite);
        if (N.Count > 3) Put(c + 48, c3, overwrite);
        if (N.Count > 4) Put(c + 64, c4, overwrite);
        if (N.Count > 5) Put(c + 80, c5, overwrite);
        if (N.Count > 6) Put(c + 96, c6, overwrite);
        if (N.Count > 7) Put(c + 112, c7, overwrite);
        if (N.Count > 8) Put(c + 128, c8, overwrite);
        if (N.Count > 9) Put(c + 144, c9, overwrite);
        if (N.Count > 10) Put(c + 160, c10, overwrite);
        if (N.Count > 11) Put(c + 176, c11, overwrite);
        if (N.Count > 12) Put(c + 192, c12, overwrite);
        if (N.Count > 13) Put(c + 208, c13, overwrite);
        if (N.Count > 14) Put(c + 224, c14, overwrite);
        if (N.Count > 15) Put(c + 240, c15, overwrite);
    }

    /// <summary>The same as <see cref="Pass512{N}"/> for N ymm vectors (N = 1, 4 or 8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass256<N>(int kc, float* a, nint csA, float* b, nint ldb, float* c, bool overwrite) where N : struct, ICount
    {
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int p = 0; p < kc; p++, a += csA, b += ldb)
        {
            var ap = Vector256.Create(*a);
            c0 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b), c0);
            if (N.Count > 1) c1 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b + 8), c1);
            if (N.Count > 2) c2 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b + 16), c2);
            if (N.Count > 3) c3 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b + 24), c3);
            if (N.Count > 4) c4 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b + 32), c4);
            if (N.Count > 5) c5 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b + 40), c5);
            if (N.Count > 6) c6 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b + 48), c6);
            if (N.Count > 7) c7 = Vector256.FusedMultiplyAdd(ap, Vector256.Load(b + 56), c7);
        }
        Put(c, c0, overwrite);
        if (N.Count > 1) Put(c + 8, c1, overwrite);
        if (N.Count > 2) Put(c + 16, c2, overwrite);
        if (N.Count > 3) Put(c + 24, c3, overwrite);
        if (N.Count > 4) Put(c + 32, c4, overwrite);
        if (N.Count > 5) Put(c + 40, c5, overwrite);
        if (N.Count > 6) Put(c + 48, c6, overwrite);
        if (N.Count > 7) Put(c + 56, c7, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, Vector512<float> x, bool overwrite)
    {
        if (!overwrite) x = Vector512.Load(c) + x;
        x.Store(c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, Vector256<float> x, bool overwrite)
    {
        if (!overwrite) x = Vector256.Load(c) + x;
        x.Store(c);
    }
}
