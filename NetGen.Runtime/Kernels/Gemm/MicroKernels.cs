using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels.GemmCore;

/// <summary>
/// A register-tiled micro-kernel: one rows×NR tile of C (rows ≤ MR) from a k-slice of A (any strides) and a B panel
/// whose rows hold NR contiguous floats.
/// </summary>
internal unsafe interface IMicroKernel
{
    /// <summary>The most rows of a C tile (the height of a full A sliver).</summary>
    static abstract int MR { get; }
    /// <summary>Columns of the C tile (two vectors).</summary>
    static abstract int NR { get; }
    /// <summary>Floats per vector, also the width the epilogue uses (so a forced narrower path stays narrow).</summary>
    static abstract int Lanes { get; }

    /// <summary>
    /// tile = Σ_{p&lt;kc} A(i,p)·B(p,j) with A(i,p) = a[i·rsA + p·csA] and B(p,j) = b[p·ldb + j], for
    /// i &lt; <paramref name="rows"/> (1 ≤ rows ≤ MR) and j &lt; NR, each element one fused multiply-add chain in
    /// increasing p starting from zero; then C[i·ldc + j] = tile (<paramref name="overwrite"/>) or C += tile. Reads
    /// exactly <paramref name="rows"/> rows of A and NR columns of B, writes exactly rows×NR floats of C.
    /// </summary>
    static abstract void Run(int rows, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite);

    /// <summary>
    /// The same contract as <see cref="Run"/> for a rows×Lanes tile (one vector of columns): the edge panel of a
    /// narrow product (the 10 logits of a classifier) costs one vector of multiply-adds per row, not NR / Lanes.
    /// The sums are formed in the same order as in <see cref="Run"/>, so results do not depend on which ran.
    /// </summary>
    static abstract void RunNarrow(int rows, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite);
}

/// <summary>A count known to the JIT (a tile's rows, a skinny pass's vectors of columns): each kernel is compiled once
/// per count, with the rows or vectors past it removed.</summary>
internal interface ICount
{
    static abstract int Count { get; }
}

internal readonly struct N1 : ICount { public static int Count => 1; }
internal readonly struct N2 : ICount { public static int Count => 2; }
internal readonly struct N3 : ICount { public static int Count => 3; }
internal readonly struct N4 : ICount { public static int Count => 4; }
internal readonly struct N5 : ICount { public static int Count => 5; }
internal readonly struct N6 : ICount { public static int Count => 6; }
internal readonly struct N7 : ICount { public static int Count => 7; }
internal readonly struct N8 : ICount { public static int Count => 8; }
internal readonly struct N9 : ICount { public static int Count => 9; }
internal readonly struct N10 : ICount { public static int Count => 10; }
internal readonly struct N11 : ICount { public static int Count => 11; }
internal readonly struct N12 : ICount { public static int Count => 12; }
internal readonly struct N16 : ICount { public static int Count => 16; }

// The kernels below keep every accumulator in its own local: the JIT then holds all of them in registers
// (12×2 zmm + 2 for B + 1 broadcast fits in 32; 6×2 ymm + 3 fits in AVX2's 16; 8×2 + 3 fits in NEON's 32), and it
// drops the rows past R.Count, a constant in each instantiation. Rows are addressed from one pointer per group of four
// (three) rows, so the strides fit in general registers too (one offset per row spilled them to the stack).
// AggressiveOptimization skips tier 0, which would keep every vector on the stack. Each width is written out with the
// vector types themselves: the same tile written once over ILanes (one vector in a struct) measured the same here, but
// the JIT then moves half the accumulators through a scratch register after each multiply-add instead of adding into
// them in place (vfmadd213ps + vmovaps for vfmadd231ps), 12 more instructions per step at 16 lanes, which a 4-wide
// core would pay for.

/// <summary>Up to 12×32 tiles with 24 zmm accumulators (AVX-512): per step 2 vector loads of B, 12 broadcasts of A and 24 multiply-adds, which measured 7–13% faster than 8×32 with the operands in L1.</summary>
internal readonly unsafe struct Vector512Kernel : IMicroKernel
{
    public static int MR => 12;
    public static int NR => 32;
    public static int Lanes => 16;

    public static void Run(int rows, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite)
    {
        switch (rows)
        {
            case 12: Tile<N12>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 11: Tile<N11>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 10: Tile<N10>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 9: Tile<N9>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 8: Tile<N8>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 7: Tile<N7>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 6: Tile<N6>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 5: Tile<N5>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 4: Tile<N4>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 3: Tile<N3>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 2: Tile<N2>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 1: Tile<N1>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows));
        }
    }

    public static void RunNarrow(int rows, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite)
    {
        switch (rows)
        {
            case 12: NarrowTile<N12>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 11: NarrowTile<N11>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 10: NarrowTile<N10>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 9: NarrowTile<N9>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 8: NarrowTile<N8>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 7: NarrowTile<N7>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 6: NarrowTile<N6>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 5: NarrowTile<N5>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 4: NarrowTile<N4>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 3: NarrowTile<N3>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 2: NarrowTile<N2>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 1: NarrowTile<N1>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<R>(int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite) where R : struct, ICount
    {
        nint o2 = 2 * rsA, o3 = 3 * rsA;
        float* a4 = a + 4 * rsA, a8 = a + 8 * rsA;
        Vector512<float> r0a = default, r0b = default;
        Vector512<float> r1a = default, r1b = default;
        Vector512<float> r2a = default, r2b = default;
        Vector512<float> r3a = default, r3b = default;
        Vector512<float> r4a = default, r4b = default;
        Vector512<float> r5a = default, r5b = default;
        Vector512<float> r6a = default, r6b = default;
        Vector512<float> r7a = default, r7b = default;
        Vector512<float> r8a = default, r8b = default;
        Vector512<float> r9a = default, r9b = default;
        Vector512<float> r10a = default, r10b = default;
        Vector512<float> r11a = default, r11b = default;
        for (int p = 0; p < kc; p++, a += csA, a4 += csA, a8 += csA, b += ldb)
        {
            var b0 = Vector512.Load(b); var b1 = Vector512.Load(b + 16);
            if (R.Count > 0) { var x = Vector512.Create(a[0]); r0a = Vector512.FusedMultiplyAdd(x, b0, r0a); r0b = Vector512.FusedMultiplyAdd(x, b1, r0b); }
            if (R.Count > 1) { var x = Vector512.Create(a[rsA]); r1a = Vector512.FusedMultiplyAdd(x, b0, r1a); r1b = Vector512.FusedMultiplyAdd(x, b1, r1b); }
            if (R.Count > 2) { var x = Vector512.Create(a[o2]); r2a = Vector512.FusedMultiplyAdd(x, b0, r2a); r2b = Vector512.FusedMultiplyAdd(x, b1, r2b); }
            if (R.Count > 3) { var x = Vector512.Create(a[o3]); r3a = Vector512.FusedMultiplyAdd(x, b0, r3a); r3b = Vector512.FusedMultiplyAdd(x, b1, r3b); }
            if (R.Count > 4) { var x = Vector512.Create(a4[0]); r4a = Vector512.FusedMultiplyAdd(x, b0, r4a); r4b = Vector512.FusedMultiplyAdd(x, b1, r4b); }
            if (R.Count > 5) { var x = Vector512.Create(a4[rsA]); r5a = Vector512.FusedMultiplyAdd(x, b0, r5a); r5b = Vector512.FusedMultiplyAdd(x, b1, r5b); }
            if (R.Count > 6) { var x = Vector512.Create(a4[o2]); r6a = Vector512.FusedMultiplyAdd(x, b0, r6a); r6b = Vector512.FusedMultiplyAdd(x, b1, r6b); }
            if (R.Count > 7) { var x = Vector512.Create(a4[o3]); r7a = Vector512.FusedMultiplyAdd(x, b0, r7a); r7b = Vector512.FusedMultiplyAdd(x, b1, r7b); }
            if (R.Count > 8) { var x = Vector512.Create(a8[0]); r8a = Vector512.FusedMultiplyAdd(x, b0, r8a); r8b = Vector512.FusedMultiplyAdd(x, b1, r8b); }
            if (R.Count > 9) { var x = Vector512.Create(a8[rsA]); r9a = Vector512.FusedMultiplyAdd(x, b0, r9a); r9b = Vector512.FusedMultiplyAdd(x, b1, r9b); }
            if (R.Count > 10) { var x = Vector512.Create(a8[o2]); r10a = Vector512.FusedMultiplyAdd(x, b0, r10a); r10b = Vector512.FusedMultiplyAdd(x, b1, r10b); }
            if (R.Count > 11) { var x = Vector512.Create(a8[o3]); r11a = Vector512.FusedMultiplyAdd(x, b0, r11a); r11b = Vector512.FusedMultiplyAdd(x, b1, r11b); }
        }
        if (R.Count > 0) Put(c, r0a, r0b, overwrite);
        if (R.Count > 1) Put(c + ldc, r1a, r1b, overwrite);
        if (R.Count > 2) Put(c + 2 * ldc, r2a, r2b, overwrite);
        if (R.Count > 3) Put(c + 3 * ldc, r3a, r3b, overwrite);
        if (R.Count > 4) Put(c + 4 * ldc, r4a, r4b, overwrite);
        if (R.Count > 5) Put(c + 5 * ldc, r5a, r5b, overwrite);
        if (R.Count > 6) Put(c + 6 * ldc, r6a, r6b, overwrite);
        if (R.Count > 7) Put(c + 7 * ldc, r7a, r7b, overwrite);
        if (R.Count > 8) Put(c + 8 * ldc, r8a, r8b, overwrite);
        if (R.Count > 9) Put(c + 9 * ldc, r9a, r9b, overwrite);
        if (R.Count > 10) Put(c + 10 * ldc, r10a, r10b, overwrite);
        if (R.Count > 11) Put(c + 11 * ldc, r11a, r11b, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NarrowTile<R>(int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite) where R : struct, ICount
    {
        nint o2 = 2 * rsA, o3 = 3 * rsA;
        float* a4 = a + 4 * rsA, a8 = a + 8 * rsA;
        Vector512<float> r0a = default;
        Vector512<float> r1a = default;
        Vector512<float> r2a = default;
        Vector512<float> r3a = default;
        Vector512<float> r4a = default;
        Vector512<float> r5a = default;
        Vector512<float> r6a = default;
        Vector512<float> r7a = default;
        Vector512<float> r8a = default;
        Vector512<float> r9a = default;
        Vector512<float> r10a = default;
        Vector512<float> r11a = default;
        for (int p = 0; p < kc; p++, a += csA, a4 += csA, a8 += csA, b += ldb)
        {
            var b0 = Vector512.Load(b);
            if (R.Count > 0) { var x = Vector512.Create(a[0]); r0a = Vector512.FusedMultiplyAdd(x, b0, r0a); }
            if (R.Count > 1) { var x = Vector512.Create(a[rsA]); r1a = Vector512.FusedMultiplyAdd(x, b0, r1a); }
            if (R.Count > 2) { var x = Vector512.Create(a[o2]); r2a = Vector512.FusedMultiplyAdd(x, b0, r2a); }
            if (R.Count > 3) { var x = Vector512.Create(a[o3]); r3a = Vector512.FusedMultiplyAdd(x, b0, r3a); }
            if (R.Count > 4) { var x = Vector512.Create(a4[0]); r4a = Vector512.FusedMultiplyAdd(x, b0, r4a); }
            if (R.Count > 5) { var x = Vector512.Create(a4[rsA]); r5a = Vector512.FusedMultiplyAdd(x, b0, r5a); }
            if (R.Count > 6) { var x = Vector512.Create(a4[o2]); r6a = Vector512.FusedMultiplyAdd(x, b0, r6a); }
            if (R.Count > 7) { var x = Vector512.Create(a4[o3]); r7a = Vector512.FusedMultiplyAdd(x, b0, r7a); }
            if (R.Count > 8) { var x = Vector512.Create(a8[0]); r8a = Vector512.FusedMultiplyAdd(x, b0, r8a); }
            if (R.Count > 9) { var x = Vector512.Create(a8[rsA]); r9a = Vector512.FusedMultiplyAdd(x, b0, r9a); }
            if (R.Count > 10) { var x = Vector512.Create(a8[o2]); r10a = Vector512.FusedMultiplyAdd(x, b0, r10a); }
            if (R.Count > 11) { var x = Vector512.Create(a8[o3]); r11a = Vector512.FusedMultiplyAdd(x, b0, r11a); }
        }
        if (R.Count > 0) Put(c, r0a, overwrite);
        if (R.Count > 1) Put(c + ldc, r1a, overwrite);
        if (R.Count > 2) Put(c + 2 * ldc, r2a, overwrite);
        if (R.Count > 3) Put(c + 3 * ldc, r3a, overwrite);
        if (R.Count > 4) Put(c + 4 * ldc, r4a, overwrite);
        if (R.Count > 5) Put(c + 5 * ldc, r5a, overwrite);
        if (R.Count > 6) Put(c + 6 * ldc, r6a, overwrite);
        if (R.Count > 7) Put(c + 7 * ldc, r7a, overwrite);
        if (R.Count > 8) Put(c + 8 * ldc, r8a, overwrite);
        if (R.Count > 9) Put(c + 9 * ldc, r9a, overwrite);
        if (R.Count > 10) Put(c + 10 * ldc, r10a, overwrite);
        if (R.Count > 11) Put(c + 11 * ldc, r11a, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, Vector512<float> x0, Vector512<float> x1, bool overwrite)
    {
        if (!overwrite)
        {
            x0 += Vector512.Load(c);
            x1 += Vector512.Load(c + 16);
        }
        x0.Store(c);
        x1.Store(c + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, Vector512<float> x, bool overwrite)
    {
        if (!overwrite) x += Vector512.Load(c);
        x.Store(c);
    }
}

/// <summary>Up to 6×16 tiles with 12 ymm accumulators (AVX2 + FMA).</summary>
internal readonly unsafe struct Vector256Kernel : IMicroKernel
{
    public static int MR => 6;
    public static int NR => 16;
    public static int Lanes => 8;

    public static void Run(int rows, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite)
    {
        switch (rows)
        {
            case 6: Tile<N6>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 5: Tile<N5>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 4: Tile<N4>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 3: Tile<N3>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 2: Tile<N2>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 1: Tile<N1>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows));
        }
    }

    public static void RunNarrow(int rows, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite)
    {
        switch (rows)
        {
            case 6: NarrowTile<N6>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 5: NarrowTile<N5>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 4: NarrowTile<N4>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 3: NarrowTile<N3>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 2: NarrowTile<N2>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 1: NarrowTile<N1>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<R>(int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite) where R : struct, ICount
    {
        nint o2 = 2 * rsA;
        float* a3 = a + 3 * rsA;
        Vector256<float> r0a = default, r0b = default;
        Vector256<float> r1a = default, r1b = default;
        Vector256<float> r2a = default, r2b = default;
        Vector256<float> r3a = default, r3b = default;
        Vector256<float> r4a = default, r4b = default;
        Vector256<float> r5a = default, r5b = default;
        for (int p = 0; p < kc; p++, a += csA, a3 += csA, b += ldb)
        {
            var b0 = Vector256.Load(b); var b1 = Vector256.Load(b + 8);
            if (R.Count > 0) { var x = Vector256.Create(a[0]); r0a = Vector256.FusedMultiplyAdd(x, b0, r0a); r0b = Vector256.FusedMultiplyAdd(x, b1, r0b); }
            if (R.Count > 1) { var x = Vector256.Create(a[rsA]); r1a = Vector256.FusedMultiplyAdd(x, b0, r1a); r1b = Vector256.FusedMultiplyAdd(x, b1, r1b); }
            if (R.Count > 2) { var x = Vector256.Create(a[o2]); r2a = Vector256.FusedMultiplyAdd(x, b0, r2a); r2b = Vector256.FusedMultiplyAdd(x, b1, r2b); }
            if (R.Count > 3) { var x = Vector256.Create(a3[0]); r3a = Vector256.FusedMultiplyAdd(x, b0, r3a); r3b = Vector256.FusedMultiplyAdd(x, b1, r3b); }
            if (R.Count > 4) { var x = Vector256.Create(a3[rsA]); r4a = Vector256.FusedMultiplyAdd(x, b0, r4a); r4b = Vector256.FusedMultiplyAdd(x, b1, r4b); }
            if (R.Count > 5) { var x = Vector256.Create(a3[o2]); r5a = Vector256.FusedMultiplyAdd(x, b0, r5a); r5b = Vector256.FusedMultiplyAdd(x, b1, r5b); }
        }
        if (R.Count > 0) Put(c, r0a, r0b, overwrite);
        if (R.Count > 1) Put(c + ldc, r1a, r1b, overwrite);
        if (R.Count > 2) Put(c + 2 * ldc, r2a, r2b, overwrite);
        if (R.Count > 3) Put(c + 3 * ldc, r3a, r3b, overwrite);
        if (R.Count > 4) Put(c + 4 * ldc, r4a, r4b, overwrite);
        if (R.Count > 5) Put(c + 5 * ldc, r5a, r5b, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NarrowTile<R>(int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite) where R : struct, ICount
    {
        nint o2 = 2 * rsA;
        float* a3 = a + 3 * rsA;
        Vector256<float> r0a = default;
        Vector256<float> r1a = default;
        Vector256<float> r2a = default;
        Vector256<float> r3a = default;
        Vector256<float> r4a = default;
        Vector256<float> r5a = default;
        for (int p = 0; p < kc; p++, a += csA, a3 += csA, b += ldb)
        {
            var b0 = Vector256.Load(b);
            if (R.Count > 0) { var x = Vector256.Create(a[0]); r0a = Vector256.FusedMultiplyAdd(x, b0, r0a); }
            if (R.Count > 1) { var x = Vector256.Create(a[rsA]); r1a = Vector256.FusedMultiplyAdd(x, b0, r1a); }
            if (R.Count > 2) { var x = Vector256.Create(a[o2]); r2a = Vector256.FusedMultiplyAdd(x, b0, r2a); }
            if (R.Count > 3) { var x = Vector256.Create(a3[0]); r3a = Vector256.FusedMultiplyAdd(x, b0, r3a); }
            if (R.Count > 4) { var x = Vector256.Create(a3[rsA]); r4a = Vector256.FusedMultiplyAdd(x, b0, r4a); }
            if (R.Count > 5) { var x = Vector256.Create(a3[o2]); r5a = Vector256.FusedMultiplyAdd(x, b0, r5a); }
        }
        if (R.Count > 0) Put(c, r0a, overwrite);
        if (R.Count > 1) Put(c + ldc, r1a, overwrite);
        if (R.Count > 2) Put(c + 2 * ldc, r2a, overwrite);
        if (R.Count > 3) Put(c + 3 * ldc, r3a, overwrite);
        if (R.Count > 4) Put(c + 4 * ldc, r4a, overwrite);
        if (R.Count > 5) Put(c + 5 * ldc, r5a, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, Vector256<float> x0, Vector256<float> x1, bool overwrite)
    {
        if (!overwrite)
        {
            x0 += Vector256.Load(c);
            x1 += Vector256.Load(c + 8);
        }
        x0.Store(c);
        x1.Store(c + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, Vector256<float> x, bool overwrite)
    {
        if (!overwrite) x += Vector256.Load(c);
        x.Store(c);
    }
}

/// <summary>
/// Up to 8×8 tiles with 16 accumulators of 128 bits: the path of machines without 256-bit vectors, above all ARM64
/// (Apple silicon, Graviton, Snapdragon), whose 32 NEON registers hold the tile, two vectors of B and a broadcast. The
/// same multiply-add chains as the wider kernels, so the results are the same bit for bit.
/// </summary>
internal readonly unsafe struct Vector128Kernel : IMicroKernel
{
    public static int MR => 8;
    public static int NR => 8;
    public static int Lanes => 4;

    public static void Run(int rows, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite)
    {
        switch (rows)
        {
            case 8: Tile<N8>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 7: Tile<N7>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 6: Tile<N6>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 5: Tile<N5>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 4: Tile<N4>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 3: Tile<N3>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 2: Tile<N2>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 1: Tile<N1>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows));
        }
    }

    public static void RunNarrow(int rows, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite)
    {
        switch (rows)
        {
            case 8: NarrowTile<N8>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 7: NarrowTile<N7>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 6: NarrowTile<N6>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 5: NarrowTile<N5>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 4: NarrowTile<N4>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 3: NarrowTile<N3>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 2: NarrowTile<N2>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 1: NarrowTile<N1>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<R>(int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite) where R : struct, ICount
    {
        nint o2 = 2 * rsA, o3 = 3 * rsA;
        float* a4 = a + 4 * rsA;
        Vector128<float> r0a = default, r0b = default;
        Vector128<float> r1a = default, r1b = default;
        Vector128<float> r2a = default, r2b = default;
        Vector128<float> r3a = default, r3b = default;
        Vector128<float> r4a = default, r4b = default;
        Vector128<float> r5a = default, r5b = default;
        Vector128<float> r6a = default, r6b = default;
        Vector128<float> r7a = default, r7b = default;
        for (int p = 0; p < kc; p++, a += csA, a4 += csA, b += ldb)
        {
            var b0 = Vector128.Load(b); var b1 = Vector128.Load(b + 4);
            if (R.Count > 0) { var x = Vector128.Create(a[0]); r0a = Vector128.FusedMultiplyAdd(x, b0, r0a); r0b = Vector128.FusedMultiplyAdd(x, b1, r0b); }
            if (R.Count > 1) { var x = Vector128.Create(a[rsA]); r1a = Vector128.FusedMultiplyAdd(x, b0, r1a); r1b = Vector128.FusedMultiplyAdd(x, b1, r1b); }
            if (R.Count > 2) { var x = Vector128.Create(a[o2]); r2a = Vector128.FusedMultiplyAdd(x, b0, r2a); r2b = Vector128.FusedMultiplyAdd(x, b1, r2b); }
            if (R.Count > 3) { var x = Vector128.Create(a[o3]); r3a = Vector128.FusedMultiplyAdd(x, b0, r3a); r3b = Vector128.FusedMultiplyAdd(x, b1, r3b); }
            if (R.Count > 4) { var x = Vector128.Create(a4[0]); r4a = Vector128.FusedMultiplyAdd(x, b0, r4a); r4b = Vector128.FusedMultiplyAdd(x, b1, r4b); }
            if (R.Count > 5) { var x = Vector128.Create(a4[rsA]); r5a = Vector128.FusedMultiplyAdd(x, b0, r5a); r5b = Vector128.FusedMultiplyAdd(x, b1, r5b); }
            if (R.Count > 6) { var x = Vector128.Create(a4[o2]); r6a = Vector128.FusedMultiplyAdd(x, b0, r6a); r6b = Vector128.FusedMultiplyAdd(x, b1, r6b); }
            if (R.Count > 7) { var x = Vector128.Create(a4[o3]); r7a = Vector128.FusedMultiplyAdd(x, b0, r7a); r7b = Vector128.FusedMultiplyAdd(x, b1, r7b); }
        }
        if (R.Count > 0) Put(c, r0a, r0b, overwrite);
        if (R.Count > 1) Put(c + ldc, r1a, r1b, overwrite);
        if (R.Count > 2) Put(c + 2 * ldc, r2a, r2b, overwrite);
        if (R.Count > 3) Put(c + 3 * ldc, r3a, r3b, overwrite);
        if (R.Count > 4) Put(c + 4 * ldc, r4a, r4b, overwrite);
        if (R.Count > 5) Put(c + 5 * ldc, r5a, r5b, overwrite);
        if (R.Count > 6) Put(c + 6 * ldc, r6a, r6b, overwrite);
        if (R.Count > 7) Put(c + 7 * ldc, r7a, r7b, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void NarrowTile<R>(int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite) where R : struct, ICount
    {
        nint o2 = 2 * rsA, o3 = 3 * rsA;
        float* a4 = a + 4 * rsA;
        Vector128<float> r0a = default, r1a = default, r2a = default, r3a = default, r4a = default, r5a = default, r6a = default, r7a = default;
        for (int p = 0; p < kc; p++, a += csA, a4 += csA, b += ldb)
        {
            var b0 = Vector128.Load(b);
            if (R.Count > 0) r0a = Vector128.FusedMultiplyAdd(Vector128.Create(a[0]), b0, r0a);
            if (R.Count > 1) r1a = Vector128.FusedMultiplyAdd(Vector128.Create(a[rsA]), b0, r1a);
            if (R.Count > 2) r2a = Vector128.FusedMultiplyAdd(Vector128.Create(a[o2]), b0, r2a);
            if (R.Count > 3) r3a = Vector128.FusedMultiplyAdd(Vector128.Create(a[o3]), b0, r3a);
            if (R.Count > 4) r4a = Vector128.FusedMultiplyAdd(Vector128.Create(a4[0]), b0, r4a);
            if (R.Count > 5) r5a = Vector128.FusedMultiplyAdd(Vector128.Create(a4[rsA]), b0, r5a);
            if (R.Count > 6) r6a = Vector128.FusedMultiplyAdd(Vector128.Create(a4[o2]), b0, r6a);
            if (R.Count > 7) r7a = Vector128.FusedMultiplyAdd(Vector128.Create(a4[o3]), b0, r7a);
        }
        if (R.Count > 0) Put(c, r0a, overwrite);
        if (R.Count > 1) Put(c + ldc, r1a, overwrite);
        if (R.Count > 2) Put(c + 2 * ldc, r2a, overwrite);
        if (R.Count > 3) Put(c + 3 * ldc, r3a, overwrite);
        if (R.Count > 4) Put(c + 4 * ldc, r4a, overwrite);
        if (R.Count > 5) Put(c + 5 * ldc, r5a, overwrite);
        if (R.Count > 6) Put(c + 6 * ldc, r6a, overwrite);
        if (R.Count > 7) Put(c + 7 * ldc, r7a, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, Vector128<float> x0, Vector128<float> x1, bool overwrite)
    {
        if (!overwrite)
        {
            x0 += Vector128.Load(c);
            x1 += Vector128.Load(c + 4);
        }
        x0.Store(c);
        x1.Store(c + 4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, Vector128<float> x, bool overwrite)
    {
        if (!overwrite) x += Vector128.Load(c);
        x.Store(c);
    }
}
