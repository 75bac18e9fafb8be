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

/// <summary>A row count known to the JIT: each kernel is compiled once per count, with the rows past it removed.</summary>
internal interface IRows
{
    /// <summary>Rows of the tile.</summary>
    static abstract int Count { get; }
}

internal readonly struct Rows1 : IRows { public static int Count => 1; }
internal readonly struct Rows2 : IRows { public static int Count => 2; }
internal readonly struct Rows3 : IRows { public static int Count => 3; }
internal readonly struct Rows4 : IRows { public static int Count => 4; }
internal readonly struct Rows5 : IRows { public static int Count => 5; }
internal readonly struct Rows6 : IRows { public static int Count => 6; }
internal readonly struct Rows7 : IRows { public static int Count => 7; }
internal readonly struct Rows8 : IRows { public static int Count => 8; }
internal readonly struct Rows9 : IRows { public static int Count => 9; }
internal readonly struct Rows10 : IRows { public static int Count => 10; }
internal readonly struct Rows11 : IRows { public static int Count => 11; }
internal readonly struct Rows12 : IRows { public static int Count => 12; }

// The tiles below keep every accumulator in its own local: the JIT then holds all of them in registers
// (12×2 zmm + 2 for B + 1 broadcast fits in 32; 6×2 ymm + 3 fits in AVX2's 16), and it drops the rows past
// R.Count, a constant in each instantiation. Rows are addressed from one pointer per group of four rows, so the strides
// fit in general registers too (one offset per row spilled them to the stack). AggressiveOptimization skips tier 0,
// which would keep every vector on the stack. The lanes are ILanes structs around one vector each, which the JIT keeps
// in a register as it keeps the vector itself.

/// <summary>
/// The micro-kernel at one vector width <typeparamref name="V"/>: rows×2V tiles (<see cref="Run"/>) and rows×V tiles
/// (<see cref="RunNarrow"/>). At 16 lanes (AVX-512) up to 12×32 tiles with 24 zmm accumulators: per step 2 vector
/// loads of B, 12 broadcasts of A and 24 multiply-adds, which measured 7–13% faster than 8×32 with the operands in L1.
/// At 8 lanes (AVX2 + FMA) up to 6×16 tiles with 12 ymm accumulators, as many as AVX2's 16 registers hold.
/// </summary>
internal readonly unsafe struct MicroKernel<V> : IMicroKernel where V : struct, ILanes<V>
{
    public static int MR => V.Count >= 16 ? 12 : 6;
    public static int NR => 2 * V.Count;
    public static int Lanes => V.Count;

    public static void Run(int rows, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite)
    {
        switch (rows)
        {
            case 12: Tile<Rows12>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 11: Tile<Rows11>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 10: Tile<Rows10>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 9: Tile<Rows9>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 8: Tile<Rows8>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 7: Tile<Rows7>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 6: Tile<Rows6>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 5: Tile<Rows5>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 4: Tile<Rows4>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 3: Tile<Rows3>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 2: Tile<Rows2>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 1: Tile<Rows1>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows));
        }
    }

    public static void RunNarrow(int rows, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite)
    {
        switch (rows)
        {
            case 12: NarrowTile<Rows12>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 11: NarrowTile<Rows11>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 10: NarrowTile<Rows10>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 9: NarrowTile<Rows9>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 8: NarrowTile<Rows8>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 7: NarrowTile<Rows7>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 6: NarrowTile<Rows6>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 5: NarrowTile<Rows5>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 4: NarrowTile<Rows4>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 3: NarrowTile<Rows3>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 2: NarrowTile<Rows2>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            case 1: NarrowTile<Rows1>(kc, a, rsA, csA, b, ldb, c, ldc, overwrite); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<R>(int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite) where R : struct, IRows
    {
        nint o2 = 2 * rsA, o3 = 3 * rsA;
        float* a4 = a + 4 * rsA, a8 = a + 8 * rsA;
        int n = V.Count;
        V r0a = default, r0b = default;
        V r1a = default, r1b = default;
        V r2a = default, r2b = default;
        V r3a = default, r3b = default;
        V r4a = default, r4b = default;
        V r5a = default, r5b = default;
        V r6a = default, r6b = default;
        V r7a = default, r7b = default;
        V r8a = default, r8b = default;
        V r9a = default, r9b = default;
        V r10a = default, r10b = default;
        V r11a = default, r11b = default;
        for (int p = 0; p < kc; p++, a += csA, a4 += csA, a8 += csA, b += ldb)
        {
            var b0 = V.Load(b); var b1 = V.Load(b + n);
            if (R.Count > 0) { var x = V.Create(a[0]); r0a = V.FusedMultiplyAdd(x, b0, r0a); r0b = V.FusedMultiplyAdd(x, b1, r0b); }
            if (R.Count > 1) { var x = V.Create(a[rsA]); r1a = V.FusedMultiplyAdd(x, b0, r1a); r1b = V.FusedMultiplyAdd(x, b1, r1b); }
            if (R.Count > 2) { var x = V.Create(a[o2]); r2a = V.FusedMultiplyAdd(x, b0, r2a); r2b = V.FusedMultiplyAdd(x, b1, r2b); }
            if (R.Count > 3) { var x = V.Create(a[o3]); r3a = V.FusedMultiplyAdd(x, b0, r3a); r3b = V.FusedMultiplyAdd(x, b1, r3b); }
            if (R.Count > 4) { var x = V.Create(a4[0]); r4a = V.FusedMultiplyAdd(x, b0, r4a); r4b = V.FusedMultiplyAdd(x, b1, r4b); }
            if (R.Count > 5) { var x = V.Create(a4[rsA]); r5a = V.FusedMultiplyAdd(x, b0, r5a); r5b = V.FusedMultiplyAdd(x, b1, r5b); }
            if (R.Count > 6) { var x = V.Create(a4[o2]); r6a = V.FusedMultiplyAdd(x, b0, r6a); r6b = V.FusedMultiplyAdd(x, b1, r6b); }
            if (R.Count > 7) { var x = V.Create(a4[o3]); r7a = V.FusedMultiplyAdd(x, b0, r7a); r7b = V.FusedMultiplyAdd(x, b1, r7b); }
            if (R.Count > 8) { var x = V.Create(a8[0]); r8a = V.FusedMultiplyAdd(x, b0, r8a); r8b = V.FusedMultiplyAdd(x, b1, r8b); }
            if (R.Count > 9) { var x = V.Create(a8[rsA]); r9a = V.FusedMultiplyAdd(x, b0, r9a); r9b = V.FusedMultiplyAdd(x, b1, r9b); }
            if (R.Count > 10) { var x = V.Create(a8[o2]); r10a = V.FusedMultiplyAdd(x, b0, r10a); r10b = V.FusedMultiplyAdd(x, b1, r10b); }
            if (R.Count > 11) { var x = V.Create(a8[o3]); r11a = V.FusedMultiplyAdd(x, b0, r11a); r11b = V.FusedMultiplyAdd(x, b1, r11b); }
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
    private static void NarrowTile<R>(int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool overwrite) where R : struct, IRows
    {
        nint o2 = 2 * rsA, o3 = 3 * rsA;
        float* a4 = a + 4 * rsA, a8 = a + 8 * rsA;
        V r0 = default, r1 = default, r2 = default, r3 = default, r4 = default, r5 = default;
        V r6 = default, r7 = default, r8 = default, r9 = default, r10 = default, r11 = default;
        for (int p = 0; p < kc; p++, a += csA, a4 += csA, a8 += csA, b += ldb)
        {
            var b0 = V.Load(b);
            if (R.Count > 0) r0 = V.FusedMultiplyAdd(V.Create(a[0]), b0, r0);
            if (R.Count > 1) r1 = V.FusedMultiplyAdd(V.Create(a[rsA]), b0, r1);
            if (R.Count > 2) r2 = V.FusedMultiplyAdd(V.Create(a[o2]), b0, r2);
            if (R.Count > 3) r3 = V.FusedMultiplyAdd(V.Create(a[o3]), b0, r3);
            if (R.Count > 4) r4 = V.FusedMultiplyAdd(V.Create(a4[0]), b0, r4);
            if (R.Count > 5) r5 = V.FusedMultiplyAdd(V.Create(a4[rsA]), b0, r5);
            if (R.Count > 6) r6 = V.FusedMultiplyAdd(V.Create(a4[o2]), b0, r6);
            if (R.Count > 7) r7 = V.FusedMultiplyAdd(V.Create(a4[o3]), b0, r7);
            if (R.Count > 8) r8 = V.FusedMultiplyAdd(V.Create(a8[0]), b0, r8);
            if (R.Count > 9) r9 = V.FusedMultiplyAdd(V.Create(a8[rsA]), b0, r9);
            if (R.Count > 10) r10 = V.FusedMultiplyAdd(V.Create(a8[o2]), b0, r10);
            if (R.Count > 11) r11 = V.FusedMultiplyAdd(V.Create(a8[o3]), b0, r11);
        }
        if (R.Count > 0) Put(c, r0, overwrite);
        if (R.Count > 1) Put(c + ldc, r1, overwrite);
        if (R.Count > 2) Put(c + 2 * ldc, r2, overwrite);
        if (R.Count > 3) Put(c + 3 * ldc, r3, overwrite);
        if (R.Count > 4) Put(c + 4 * ldc, r4, overwrite);
        if (R.Count > 5) Put(c + 5 * ldc, r5, overwrite);
        if (R.Count > 6) Put(c + 6 * ldc, r6, overwrite);
        if (R.Count > 7) Put(c + 7 * ldc, r7, overwrite);
        if (R.Count > 8) Put(c + 8 * ldc, r8, overwrite);
        if (R.Count > 9) Put(c + 9 * ldc, r9, overwrite);
        if (R.Count > 10) Put(c + 10 * ldc, r10, overwrite);
        if (R.Count > 11) Put(c + 11 * ldc, r11, overwrite);
    }

    /// <summary>c[0, 2V) = (x0, x1), or += them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* c, V x0, V x1, bool overwrite)
    {
        Put(c, x0, overwrite);
        Put(c + V.Count, x1, overwrite);
    }

    /// <summary>c[0, V) = x, or c += x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Put(float* c, V x, bool overwrite)
    {
        if (!overwrite) x = V.Add(x, V.Load(c));
        V.Store(x, c);
    }
}
