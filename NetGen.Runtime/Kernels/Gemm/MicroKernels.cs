using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels.GemmCore;

/// <summary>
/// A register-tiled micro-kernel: one MR×NR tile of C from a k-slice of A (any strides) and a B panel whose rows
/// hold NR contiguous floats.
/// </summary>
internal unsafe interface IMicroKernel
{
    /// <summary>Rows of the C tile.</summary>
    static abstract int MR { get; }
    /// <summary>Columns of the C tile (a multiple of the vector width).</summary>
    static abstract int NR { get; }
    /// <summary>Floats per vector, also the width the epilogue uses (so a forced narrower path stays narrow).</summary>
    static abstract int Lanes { get; }

    /// <summary>
    /// tile = Σ_{p&lt;kc} A(i,p)·B(p,j) with A(i,p) = a[i·rsA + p·csA] and B(p,j) = b[p·ldb + j], for i &lt; MR and
    /// j &lt; NR; then C[i·ldc + j] = tile (<paramref name="overwrite"/>) or C += tile. Reads exactly MR rows of A
    /// and NR columns of B: callers clamp or pad at the edges.
    /// </summary>
    static abstract void Run(int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite);

    /// <summary>
    /// The same contract as <see cref="Run"/> for an MR×Lanes tile (one vector of columns): the edge panel of a
    /// narrow product (the 10 logits of a classifier) costs one vector of multiply-adds per row, not NR / Lanes.
    /// The sums are formed in the same order as in <see cref="Run"/>, so results do not depend on which ran.
    /// </summary>
    static abstract void RunNarrow(int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite);
}

// The kernels below keep every accumulator in its own local: the JIT then holds all of them in registers
// (8×2 zmm + 2 for B + 1 broadcast fits in 32; 6×2 ymm + 3 fits in AVX2's 16). AggressiveOptimization skips
// tier 0, which would keep every vector on the stack.

/// <summary>8×32 tile with 16 zmm accumulators (AVX-512).</summary>
internal readonly unsafe struct Vector512Kernel : IMicroKernel
{
    public static int MR => 8;
    public static int NR => 32;
    public static int Lanes => 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite)
    {
        nint o1 = rsA;
        nint o2 = 2 * rsA;
        nint o3 = 3 * rsA;
        nint o4 = 4 * rsA;
        nint o5 = 5 * rsA;
        nint o6 = 6 * rsA;
        nint o7 = 7 * rsA;
        var c00 = Vector512<float>.Zero; var c01 = Vector512<float>.Zero;
        var c10 = Vector512<float>.Zero; var c11 = Vector512<float>.Zero;
        var c20 = Vector512<float>.Zero; var c21 = Vector512<float>.Zero;
        var c30 = Vector512<float>.Zero; var c31 = Vector512<float>.Zero;
        var c40 = Vector512<float>.Zero; var c41 = Vector512<float>.Zero;
        var c50 = Vector512<float>.Zero; var c51 = Vector512<float>.Zero;
        var c60 = Vector512<float>.Zero; var c61 = Vector512<float>.Zero;
        var c70 = Vector512<float>.Zero; var c71 = Vector512<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b); var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(a[o1]); c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(a[o2]); c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(a[o3]); c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(a[o4]); c40 = Vector512.FusedMultiplyAdd(a4, b0, c40); c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(a[o5]); c50 = Vector512.FusedMultiplyAdd(a5, b0, c50); c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            var a6 = Vector512.Create(a[o6]); c60 = Vector512.FusedMultiplyAdd(a6, b0, c60); c61 = Vector512.FusedMultiplyAdd(a6, b1, c61);
            var a7 = Vector512.Create(a[o7]); c70 = Vector512.FusedMultiplyAdd(a7, b0, c70); c71 = Vector512.FusedMultiplyAdd(a7, b1, c71);
            a += csA;
            b += ldb;
        }
        if (overwrite)
        {
            c00.Store(c); c01.Store(c + 16);
            c10.Store(c + ldc); c11.Store(c + ldc + 16);
            c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 16);
            c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 16);
            c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 16);
            c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 16);
            c60.Store(c + 6 * ldc); c61.Store(c + 6 * ldc + 16);
            c70.Store(c + 7 * ldc); c71.Store(c + 7 * ldc + 16);
        }
        else
        {
            (Vector512.Load(c) + c00).Store(c); (Vector512.Load(c + 16) + c01).Store(c + 16);
            (Vector512.Load(c + ldc) + c10).Store(c + ldc); (Vector512.Load(c + ldc + 16) + c11).Store(c + ldc + 16);
            (Vector512.Load(c + 2 * ldc) + c20).Store(c + 2 * ldc); (Vector512.Load(c + 2 * ldc + 16) + c21).Store(c + 2 * ldc + 16);
            (Vector512.Load(c + 3 * ldc) + c30).Store(c + 3 * ldc); (Vector512.Load(c + 3 * ldc + 16) + c31).Store(c + 3 * ldc + 16);
            (Vector512.Load(c + 4 * ldc) + c40).Store(c + 4 * ldc); (Vector512.Load(c + 4 * ldc + 16) + c41).Store(c + 4 * ldc + 16);
            (Vector512.Load(c + 5 * ldc) + c50).Store(c + 5 * ldc); (Vector512.Load(c + 5 * ldc + 16) + c51).Store(c + 5 * ldc + 16);
            (Vector512.Load(c + 6 * ldc) + c60).Store(c + 6 * ldc); (Vector512.Load(c + 6 * ldc + 16) + c61).Store(c + 6 * ldc + 16);
            (Vector512.Load(c + 7 * ldc) + c70).Store(c + 7 * ldc); (Vector512.Load(c + 7 * ldc + 16) + c71).Store(c + 7 * ldc + 16);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunNarrow(int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite)
    {
        nint o1 = rsA, o2 = 2 * rsA, o3 = 3 * rsA, o4 = 4 * rsA, o5 = 5 * rsA, o6 = 6 * rsA, o7 = 7 * rsA;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), b0, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a[o1]), b0, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a[o2]), b0, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a[o3]), b0, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a[o4]), b0, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a[o5]), b0, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(a[o6]), b0, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(a[o7]), b0, c7);
            a += csA;
            b += ldb;
        }
        if (!overwrite)
        {
            c0 = Vector512.Load(c) + c0; c1 = Vector512.Load(c + ldc) + c1; c2 = Vector512.Load(c + 2 * ldc) + c2; c3 = Vector512.Load(c + 3 * ldc) + c3;
            c4 = Vector512.Load(c + 4 * ldc) + c4; c5 = Vector512.Load(c + 5 * ldc) + c5; c6 = Vector512.Load(c + 6 * ldc) + c6; c7 = Vector512.Load(c + 7 * ldc) + c7;
        }
        c0.Store(c); c1.Store(c + ldc); c2.Store(c + 2 * ldc); c3.Store(c + 3 * ldc);
        c4.Store(c + 4 * ldc); c5.Store(c + 5 * ldc); c6.Store(c + 6 * ldc); c7.Store(c + 7 * ldc);
    }
}

/// <summary>6×16 tile with 12 ymm accumulators (AVX2 + FMA).</summary>
internal readonly unsafe struct Vector256Kernel : IMicroKernel
{
    public static int MR => 6;
    public static int NR => 16;
    public static int Lanes => 8;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite)
    {
        nint o1 = rsA;
        nint o2 = 2 * rsA;
        nint o3 = 3 * rsA;
        nint o4 = 4 * rsA;
        nint o5 = 5 * rsA;
        var c00 = Vector256<float>.Zero; var c01 = Vector256<float>.Zero;
        var c10 = Vector256<float>.Zero; var c11 = Vector256<float>.Zero;
        var c20 = Vector256<float>.Zero; var c21 = Vector256<float>.Zero;
        var c30 = Vector256<float>.Zero; var c31 = Vector256<float>.Zero;
        var c40 = Vector256<float>.Zero; var c41 = Vector256<float>.Zero;
        var c50 = Vector256<float>.Zero; var c51 = Vector256<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b); var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(a0, b0, c00); c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(a[o1]); c10 = Vector256.FusedMultiplyAdd(a1, b0, c10); c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(a[o2]); c20 = Vector256.FusedMultiplyAdd(a2, b0, c20); c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(a[o3]); c30 = Vector256.FusedMultiplyAdd(a3, b0, c30); c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(a[o4]); c40 = Vector256.FusedMultiplyAdd(a4, b0, c40); c41 = Vector256.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(a[o5]); c50 = Vector256.FusedMultiplyAdd(a5, b0, c50); c51 = Vector256.FusedMultiplyAdd(a5, b1, c51);
            a += csA;
            b += ldb;
        }
        if (overwrite)
        {
            c00.Store(c); c01.Store(c + 8);
            c10.Store(c + ldc); c11.Store(c + ldc + 8);
            c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 8);
            c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 8);
            c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 8);
            c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 8);
        }
        else
        {
            (Vector256.Load(c) + c00).Store(c); (Vector256.Load(c + 8) + c01).Store(c + 8);
            (Vector256.Load(c + ldc) + c10).Store(c + ldc); (Vector256.Load(c + ldc + 8) + c11).Store(c + ldc + 8);
            (Vector256.Load(c + 2 * ldc) + c20).Store(c + 2 * ldc); (Vector256.Load(c + 2 * ldc + 8) + c21).Store(c + 2 * ldc + 8);
            (Vector256.Load(c + 3 * ldc) + c30).Store(c + 3 * ldc); (Vector256.Load(c + 3 * ldc + 8) + c31).Store(c + 3 * ldc + 8);
            (Vector256.Load(c + 4 * ldc) + c40).Store(c + 4 * ldc); (Vector256.Load(c + 4 * ldc + 8) + c41).Store(c + 4 * ldc + 8);
            (Vector256.Load(c + 5 * ldc) + c50).Store(c + 5 * ldc); (Vector256.Load(c + 5 * ldc + 8) + c51).Store(c + 5 * ldc + 8);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunNarrow(int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite)
    {
        nint o1 = rsA, o2 = 2 * rsA, o3 = 3 * rsA, o4 = 4 * rsA, o5 = 5 * rsA;
        Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            c0 = Vector256.FusedMultiplyAdd(Vector256.Create(a[0]), b0, c0);
            c1 = Vector256.FusedMultiplyAdd(Vector256.Create(a[o1]), b0, c1);
            c2 = Vector256.FusedMultiplyAdd(Vector256.Create(a[o2]), b0, c2);
            c3 = Vector256.FusedMultiplyAdd(Vector256.Create(a[o3]), b0, c3);
            c4 = Vector256.FusedMultiplyAdd(Vector256.Create(a[o4]), b0, c4);
            c5 = Vector256.FusedMultiplyAdd(Vector256.Create(a[o5]), b0, c5);
            a += csA;
            b += ldb;
        }
        if (!overwrite)
        {
            c0 = Vector256.Load(c) + c0; c1 = Vector256.Load(c + ldc) + c1; c2 = Vector256.Load(c + 2 * ldc) + c2;
            c3 = Vector256.Load(c + 3 * ldc) + c3; c4 = Vector256.Load(c + 4 * ldc) + c4; c5 = Vector256.Load(c + 5 * ldc) + c5;
        }
        c0.Store(c); c1.Store(c + ldc); c2.Store(c + 2 * ldc); c3.Store(c + 3 * ldc); c4.Store(c + 4 * ldc); c5.Store(c + 5 * ldc);
    }
}
