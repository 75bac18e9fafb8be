using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Kernels.GemmCore;

/// <summary>Copies of A slivers and B panels into the layouts the micro-kernels read.</summary>
internal static unsafe class Packing
{
    /// <summary>
    /// Packs rows [0, rows) of the block A(i,p) = a[i·rsA + p·csA], p &lt; kc, into slivers of MR rows:
    /// sliver s holds dst[s·kc·MR + p·MR + i] = A(s·MR + i, p), zero-padded past <paramref name="rows"/>, so the
    /// kernel reads each sliver contiguously (rsA = 1, csA = MR).
    /// </summary>
    public static void PackA(int kc, int rows, int MR, float* a, nint rsA, nint csA, float* dst)
    {
        for (int s = 0; s < rows; s += MR)
        {
            int mr = Math.Min(MR, rows - s);
            float* src = a + s * rsA;
            float* d = dst + (nint)s * kc;
            int p = 0;
            if (mr == 8 && MR == 8 && Avx.IsSupported)
            {
                if (rsA == 1)
                    for (; p < kc; p++) Vector256.Load(src + p * csA).Store(d + p * 8);
                else if (csA == 1)
                    for (; p <= kc - 8; p += 8) Transpose8x8(src + p, rsA, d + p * 8, 8);
            }
            for (; p < kc; p++)
            {
                for (int i = 0; i < mr; i++) d[p * MR + i] = src[i * rsA + p * csA];
                for (int i = mr; i < MR; i++) d[p * MR + i] = 0f;
            }
        }
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

    /// <summary>dst[q·dstStride + r] = src[r·srcStride + q] for r, q &lt; 8, with unpack/shuffle/lane permutes.</summary>
    private static void Transpose8x8(float* src, nint srcStride, float* dst, nint dstStride)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + srcStride);
        var r2 = Avx.LoadVector256(src + 2 * srcStride);
        var r3 = Avx.LoadVector256(src + 3 * srcStride);
        var r4 = Avx.LoadVector256(src + 4 * srcStride);
        var r5 = Avx.LoadVector256(src + 5 * srcStride);
        var r6 = Avx.LoadVector256(src + 6 * srcStride);
        var r7 = Avx.LoadVector256(src + 7 * srcStride);
        // Interleave row pairs, then row quads (within 128-bit lanes), then swap lanes.
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44); var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44); var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(s3, s7, 0x31));
    }
}

/// <summary>
/// Per-thread packing memory, grown on first use and reused afterwards, so a steady-state call allocates nothing.
/// Pinned so it can be used through a pointer, aligned to 64 bytes for full-width vector loads.
/// </summary>
internal static unsafe class Scratch
{
    [ThreadStatic] private static float[]? t_buffer;

    /// <summary>A 64-byte aligned block of at least <paramref name="floats"/> floats owned by the calling thread.</summary>
    public static float* Get(int floats)
    {
        var buffer = t_buffer;
        if (buffer is null || buffer.Length < floats + 16)
            t_buffer = buffer = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (float*)((address + 63) & ~(nint)63);
    }
}
