using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Kernels.GemmCore;

/// <summary>Copies of A slivers and B panels into the layouts the micro-kernels read.</summary>
internal static unsafe class Packing
{
    /// <summary>
    /// Packs one sliver of <paramref name="rows"/> rows, A(i,p) = a[i·rsA + p·csA] for p &lt; kc, into
    /// dst[p·rows + i], so the kernel reads it contiguously (rsA = 1, csA = rows).
    /// </summary>
    public static void PackA(int kc, int rows, float* a, nint rsA, nint csA, float* dst)
    {
        int p = 0;
        if (Avx.IsSupported)
        {
            if (rsA == 1)
            {
                // Transposed A (stored [k,m]): each step's rows are one contiguous run.
                for (; p < kc; p++)
                {
                    float* src = a + p * csA, d = dst + p * rows;
                    int i = 0;
                    for (; i <= rows - 8; i += 8) Vector256.Load(src + i).Store(d + i);
                    for (; i <= rows - 4; i += 4) Vector128.Load(src + i).Store(d + i);
                    for (; i < rows; i++) d[i] = src[i];
                }
                return;
            }
            if (csA == 1)
            {
                // Row-major A: 8×8 and 4×8 register transposes over whole groups of 8 steps.
                for (; p <= kc - 8; p += 8)
                {
                    int i = 0;
                    for (; i <= rows - 8; i += 8) Transpose8x8(a + i * rsA + p, rsA, dst + p * rows + i, rows);
                    for (; i <= rows - 4; i += 4) Transpose4x8(a + i * rsA + p, rsA, dst + p * rows + i, rows);
                    for (; i < rows; i++)
                        for (int q = p; q < p + 8; q++) dst[q * rows + i] = a[i * rsA + q];
                }
            }
        }
        for (; p < kc; p++)
            for (int i = 0; i < rows; i++) dst[p * rows + i] = a[i * rsA + p * csA];
    }

    /// <summary>
    /// Packs the kc×nc block B(p,j) = b[p·rsB + j·csB] into panels of <paramref name="nr"/> columns: panel q holds
    /// dst[q·kc·nr + p·nr + j] = B(p, q·nr + j), zero-padded past nc so the kernel can always read nr columns.
    /// </summary>
    public static void PackB(int kc, int nc, int nr, float* b, nint rsB, nint csB, float* dst)
    {
        for (int jr = 0; jr < nc; jr += nr)
        {
            int w = Math.Min(nr, nc - jr);
            float* d = dst + (nint)jr * kc;
            if (csB == 1)
            {
                // Row-major B: each panel row is one contiguous run (copied with vectors: a memmove call per
                // 128-byte row measured slower than the packing it does).
                for (int p = 0; p < kc; p++)
                {
                    float* src = b + p * rsB + jr, dp = d + p * nr;
                    int j = 0;
                    if (Vector256.IsHardwareAccelerated)
                        for (; j <= w - 8; j += 8) Vector256.Load(src + j).Store(dp + j);
                    for (; j < w; j++) dp[j] = src[j];
                    for (; j < nr; j++) dp[j] = 0f;
                }
                continue;
            }
            // Transposed B (stored [n,k]): 8×8 register transposes where whole blocks fit, scalar elsewhere.
            int j8 = 0, p8 = 0;
            if (rsB == 1 && Avx.IsSupported)
            {
                j8 = w - w % 8;
                p8 = kc - kc % 8;
                for (int j = 0; j < j8; j += 8)
                    for (int p = 0; p < p8; p += 8)
                        Transpose8x8(b + (jr + j) * csB + p, csB, d + p * nr + j, nr);
            }
            for (int p = 0; p < kc; p++)
            {
                float* dp = d + p * nr;
                for (int j = p < p8 ? j8 : 0; j < w; j++) dp[j] = b[p * rsB + (jr + j) * csB];
                for (int j = w; j < nr; j++) dp[j] = 0f;
            }
        }
    }

    /// <summary>dst[q·dstStride + r] = src[r·srcStride + q] for r &lt; 4, q &lt; 8: the 4×8 half of <see cref="Transpose8x8"/>.</summary>
    private static void Transpose4x8(float* src, nint srcStride, float* dst, nint dstStride)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + srcStride);
        var r2 = Avx.LoadVector256(src + 2 * srcStride);
        var r3 = Avx.LoadVector256(src + 3 * srcStride);
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        // Column q of the 4 rows is in the low lane of s(q) for q < 4 and in its high lane for q + 4.
        var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
        s0.GetLower().Store(dst); s1.GetLower().Store(dst + dstStride);
        s2.GetLower().Store(dst + 2 * dstStride); s3.GetLower().Store(dst + 3 * dstStride);
        s0.GetUpper().Store(dst + 4 * dstStride); s1.GetUpper().Store(dst + 5 * dstStride);
        s2.GetUpper().Store(dst + 6 * dstStride); s3.GetUpper().Store(dst + 7 * dstStride);
    }

    /// <summary>
    /// dst[q·dstStride + r] = src[r·srcStride + q] for r, q &lt; 8. Rows r and r + 4 are loaded into the two lanes of
    /// one register (a lane insert from memory runs on the load ports), so each half of the columns is a 4×4
    /// transpose within lanes: 16 unpack/shuffle operations per 64 floats, not 24 with a final lane permute.
    /// </summary>
    private static void Transpose8x8(float* src, nint srcStride, float* dst, nint dstStride)
    {
        for (int h = 0; h < 8; h += 4)
        {
            float* s = src + h;
            var a0 = Avx.InsertVector128(Vector128.Load(s).ToVector256Unsafe(), Vector128.Load(s + 4 * srcStride), 1);
            var a1 = Avx.InsertVector128(Vector128.Load(s + srcStride).ToVector256Unsafe(), Vector128.Load(s + 5 * srcStride), 1);
            var a2 = Avx.InsertVector128(Vector128.Load(s + 2 * srcStride).ToVector256Unsafe(), Vector128.Load(s + 6 * srcStride), 1);
            var a3 = Avx.InsertVector128(Vector128.Load(s + 3 * srcStride).ToVector256Unsafe(), Vector128.Load(s + 7 * srcStride), 1);
            var u0 = Avx.UnpackLow(a0, a1); var u1 = Avx.UnpackHigh(a0, a1);
            var u2 = Avx.UnpackLow(a2, a3); var u3 = Avx.UnpackHigh(a2, a3);
            float* d = dst + h * dstStride;
            Avx.Shuffle(u0, u2, 0x44).Store(d);
            Avx.Shuffle(u0, u2, 0xEE).Store(d + dstStride);
            Avx.Shuffle(u1, u3, 0x44).Store(d + 2 * dstStride);
            Avx.Shuffle(u1, u3, 0xEE).Store(d + 3 * dstStride);
        }
    }
}

/// <summary>
/// Per-thread packing memory, grown on first use and reused afterwards, so a steady-state call allocates nothing.
/// Pinned so it can be used through a pointer, aligned to 64 bytes for full-width vector loads.
/// </summary>
internal static unsafe class Scratch
{
    [ThreadStatic] private static float[]? t_buffer;

    /// <summary>
    /// Every request the products make fits in this (a packed KC×NC block of B, one A sliver and two edge tiles of
    /// the widest kernel, and one 12×NC sliver of C for a product with an optimizer update, at the largest KC and NC a
    /// tiling may ask for), so a thread allocates its block once: the calling thread may run any part of a split
    /// product (the one its worker has not started), and that part must not need a larger block than its own did.
    /// </summary>
    private const int Floor = GemmRules.MaxKC * (GemmRules.MaxNC + 32) + 12 * GemmRules.MaxNC + 1024;

    /// <summary>A 64-byte aligned block of at least <paramref name="floats"/> floats owned by the calling thread.</summary>
    public static float* Get(int floats)
    {
        var buffer = t_buffer;
        if (buffer is null || buffer.Length < floats + 16)
            t_buffer = buffer = GC.AllocateUninitializedArray<float>(Math.Max(floats, Floor) + 16, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (float*)((address + 63) & ~(nint)63);
    }
}
