using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen.Kernels.GemmCore;

/// <summary>Copies of B panels and A edge slivers into the layouts the micro-kernels read.</summary>
internal static unsafe class Packing
{
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
                // Row-major B: each panel row is one contiguous run.
                for (int p = 0; p < kc; p++)
                {
                    float* src = b + p * rsB + jr;
                    new ReadOnlySpan<float>(src, w).CopyTo(new Span<float>(d + p * nr, w));
                    if (w < nr) new Span<float>(d + p * nr + w, nr - w).Clear();
                }
            }
            else
            {
                // Transposed B (B stored [n,k]): walk each stored row contiguously and scatter it down a panel
                // column; the panel (kc·nr floats) stays in L1 while it is filled.
                for (int j = 0; j < w; j++)
                {
                    float* src = b + (jr + j) * csB;
                    for (int p = 0; p < kc; p++) d[p * nr + j] = src[p * rsB];
                }
                for (int j = w; j < nr; j++)
                    for (int p = 0; p < kc; p++) d[p * nr + j] = 0f;
            }
        }
    }

    /// <summary>
    /// Copies the mr×kc sliver A(i,p) = a[i·rsA + p·csA] (mr below MR) into dst[p·MR + i], zero-padding rows mr..MR,
    /// so the kernel reads it with rsA = 1, csA = MR.
    /// </summary>
    public static void PackAEdge(int kc, int mr, int MR, float* a, nint rsA, nint csA, float* dst)
    {
        for (int p = 0; p < kc; p++)
        {
            float* d = dst + p * MR;
            for (int i = 0; i < mr; i++) d[i] = a[i * rsA + p * csA];
            for (int i = mr; i < MR; i++) d[i] = 0f;
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
