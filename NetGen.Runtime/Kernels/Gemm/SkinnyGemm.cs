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
            for (; j <= w - 256; j += 256) Pass16<Lanes16>(kc, a, csA, b + j, ldb, c + j, overwrite);
            for (; j <= w - 128; j += 128) Pass8<Lanes16>(kc, a, csA, b + j, ldb, c + j, overwrite);
            for (; j <= w - 64; j += 64) Pass4<Lanes16>(kc, a, csA, b + j, ldb, c + j, overwrite);
            for (; j <= w - 16; j += 16) Pass1<Lanes16>(kc, a, csA, b + j, ldb, c + j, overwrite);
            if (j < w) PassMasked512(kc, a, csA, b + j, ldb, c + j, w - j, overwrite);
        }
        else
        {
            for (; j <= w - 64; j += 64) Pass8<Lanes8>(kc, a, csA, b + j, ldb, c + j, overwrite);
            for (; j <= w - 32; j += 32) Pass4<Lanes8>(kc, a, csA, b + j, ldb, c + j, overwrite);
            for (; j <= w - 8; j += 8) Pass1<Lanes8>(kc, a, csA, b + j, ldb, c + j, overwrite);
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

    // The passes below hold 16, 8, 4 or 1 vectors of C in registers, each in its own local (see MicroKernels.cs); the
    // 16-vector pass runs only at 16 lanes, where 32 zmm registers hold it.

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass16<V>(int kc, float* a, nint csA, float* b, nint ldb, float* c, bool overwrite) where V : struct, ILanes<V>
    {
        int n = V.Count;
        V c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        V c8 = default, c9 = default, c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        for (int p = 0; p < kc; p++, a += csA, b += ldb)
        {
            var ap = V.Create(*a);
            c0 = V.FusedMultiplyAdd(ap, V.Load(b), c0);
            c1 = V.FusedMultiplyAdd(ap, V.Load(b + n), c1);
            c2 = V.FusedMultiplyAdd(ap, V.Load(b + 2 * n), c2);
            c3 = V.FusedMultiplyAdd(ap, V.Load(b + 3 * n), c3);
            c4 = V.FusedMultiplyAdd(ap, V.Load(b + 4 * n), c4);
            c5 = V.FusedMultiplyAdd(ap, V.Load(b + 5 * n), c5);
            c6 = V.FusedMultiplyAdd(ap, V.Load(b + 6 * n), c6);
            c7 = V.FusedMultiplyAdd(ap, V.Load(b + 7 * n), c7);
            c8 = V.FusedMultiplyAdd(ap, V.Load(b + 8 * n), c8);
            c9 = V.FusedMultiplyAdd(ap, V.Load(b + 9 * n), c9);
            c10 = V.FusedMultiplyAdd(ap, V.Load(b + 10 * n), c10);
            c11 = V.FusedMultiplyAdd(ap, V.Load(b + 11 * n), c11);
            c12 = V.FusedMultiplyAdd(ap, V.Load(b + 12 * n), c12);
            c13 = V.FusedMultiplyAdd(ap, V.Load(b + 13 * n), c13);
            c14 = V.FusedMultiplyAdd(ap, V.Load(b + 14 * n), c14);
            c15 = V.FusedMultiplyAdd(ap, V.Load(b + 15 * n), c15);
        }
        Put(c, c0, overwrite); Put(c + n, c1, overwrite); Put(c + 2 * n, c2, overwrite); Put(c + 3 * n, c3, overwrite);
        Put(c + 4 * n, c4, overwrite); Put(c + 5 * n, c5, overwrite); Put(c + 6 * n, c6, overwrite); Put(c + 7 * n, c7, overwrite);
        Put(c + 8 * n, c8, overwrite); Put(c + 9 * n, c9, overwrite); Put(c + 10 * n, c10, overwrite); Put(c + 11 * n, c11, overwrite);
        Put(c + 12 * n, c12, overwrite); Put(c + 13 * n, c13, overwrite); Put(c + 14 * n, c14, overwrite); Put(c + 15 * n, c15, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass8<V>(int kc, float* a, nint csA, float* b, nint ldb, float* c, bool overwrite) where V : struct, ILanes<V>
    {
        int n = V.Count;
        V c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int p = 0; p < kc; p++, a += csA, b += ldb)
        {
            var ap = V.Create(*a);
            c0 = V.FusedMultiplyAdd(ap, V.Load(b), c0);
            c1 = V.FusedMultiplyAdd(ap, V.Load(b + n), c1);
            c2 = V.FusedMultiplyAdd(ap, V.Load(b + 2 * n), c2);
            c3 = V.FusedMultiplyAdd(ap, V.Load(b + 3 * n), c3);
            c4 = V.FusedMultiplyAdd(ap, V.Load(b + 4 * n), c4);
            c5 = V.FusedMultiplyAdd(ap, V.Load(b + 5 * n), c5);
            c6 = V.FusedMultiplyAdd(ap, V.Load(b + 6 * n), c6);
            c7 = V.FusedMultiplyAdd(ap, V.Load(b + 7 * n), c7);
        }
        Put(c, c0, overwrite); Put(c + n, c1, overwrite); Put(c + 2 * n, c2, overwrite); Put(c + 3 * n, c3, overwrite);
        Put(c + 4 * n, c4, overwrite); Put(c + 5 * n, c5, overwrite); Put(c + 6 * n, c6, overwrite); Put(c + 7 * n, c7, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass4<V>(int kc, float* a, nint csA, float* b, nint ldb, float* c, bool overwrite) where V : struct, ILanes<V>
    {
        int n = V.Count;
        V c0 = default, c1 = default, c2 = default, c3 = default;
        for (int p = 0; p < kc; p++, a += csA, b += ldb)
        {
            var ap = V.Create(*a);
            c0 = V.FusedMultiplyAdd(ap, V.Load(b), c0);
            c1 = V.FusedMultiplyAdd(ap, V.Load(b + n), c1);
            c2 = V.FusedMultiplyAdd(ap, V.Load(b + 2 * n), c2);
            c3 = V.FusedMultiplyAdd(ap, V.Load(b + 3 * n), c3);
        }
        Put(c, c0, overwrite); Put(c + n, c1, overwrite); Put(c + 2 * n, c2, overwrite); Put(c + 3 * n, c3, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass1<V>(int kc, float* a, nint csA, float* b, nint ldb, float* c, bool overwrite) where V : struct, ILanes<V>
    {
        V c0 = default;
        for (int p = 0; p < kc; p++, a += csA, b += ldb) c0 = V.FusedMultiplyAdd(V.Create(*a), V.Load(b), c0);
        Put(c, c0, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put<V>(float* c, V x, bool overwrite) where V : struct, ILanes<V> => MicroKernel<V>.Put(c, x, overwrite);
}
