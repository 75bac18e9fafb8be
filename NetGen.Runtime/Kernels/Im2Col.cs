using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NetGen.Kernels;

/// <summary>
/// Lowers one sample's convolution to a matrix product. <c>cols[(c·kH + u)·kW + v, i·outW + j] =
/// x[c, i·sH + u − pH, j·sW + v − pW]</c> (zero outside the input), so that <c>y = w · cols</c> with the weight
/// read as <c>[outC, inC·kH·kW]</c>; <see cref="Accumulate"/> is the adjoint that scatters a column gradient back.
/// </summary>
internal static class Im2Col
{
    /// <summary>Fills <paramref name="cols"/> (<see cref="Conv2DShape.PatchSize"/> × output pixels) from one sample.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pack(in Conv2DShape s, ReadOnlySpan<float> x, Span<float> cols)
    {
        int outW = s.OutWidth, pixels = s.OutHeight * outW, stride = s.StrideWidth;
        // Rows are often only 10–30 floats long, where Span slicing and Memmove calls cost more than the copy itself,
        // so the row loop works on references; every offset stays inside the lengths checked here.
        if (x.Length < s.InputSize || cols.Length < s.PatchSize * pixels)
            throw new ArgumentException("Im2Col.Pack: x or cols is shorter than the shape needs.");
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pc = ref MemoryMarshal.GetReference(cols);
        for (int c = 0; c < s.InChannels; c++)
        for (int u = 0; u < s.KernelHeight; u++)
        for (int v = 0; v < s.KernelWidth; v++)
        {
            ref float row = ref Unsafe.Add(ref pc, ((c * s.KernelHeight + u) * s.KernelWidth + v) * pixels);
            var (jLo, jHi) = ValidColumns(s, v);
            for (int i = 0; i < s.OutHeight; i++)
            {
                ref float dst = ref Unsafe.Add(ref row, i * outW);
                int ih = i * s.StrideHeight + u - s.PaddingHeight;
                if ((uint)ih >= (uint)s.Height)
                {
                    MemoryMarshal.CreateSpan(ref dst, outW).Clear();
                    continue;
                }
                for (int j = 0; j < jLo; j++) Unsafe.Add(ref dst, j) = 0f;
                for (int j = jHi; j < outW; j++) Unsafe.Add(ref dst, j) = 0f;
                if (jHi == jLo) continue;
                ref float src = ref Unsafe.Add(ref px, (c * s.Height + ih) * s.Width + jLo * stride + v - s.PaddingWidth);
                if (stride == 1)
                    Elementwise.Copy(ref src, ref Unsafe.Add(ref dst, jLo), jHi - jLo);
                else
                    for (int j = jLo; j < jHi; j++) Unsafe.Add(ref dst, j) = Unsafe.Add(ref src, (j - jLo) * stride);
            }
        }
    }

    /// <summary>dx[c, ih, iw] += cols[…] for every column entry that <see cref="Pack"/> read from x (the adjoint of Pack).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Accumulate(in Conv2DShape s, ReadOnlySpan<float> cols, Span<float> dx)
    {
        int outW = s.OutWidth, pixels = s.OutHeight * outW, stride = s.StrideWidth;
        // References for the same reason as in Pack; every offset stays inside the lengths checked here.
        if (dx.Length < s.InputSize || cols.Length < s.PatchSize * pixels)
            throw new ArgumentException("Im2Col.Accumulate: cols or dx is shorter than the shape needs.");
        ref float pc = ref MemoryMarshal.GetReference(cols);
        ref float pd = ref MemoryMarshal.GetReference(dx);
        for (int c = 0; c < s.InChannels; c++)
        for (int u = 0; u < s.KernelHeight; u++)
        for (int v = 0; v < s.KernelWidth; v++)
        {
            ref float row = ref Unsafe.Add(ref pc, ((c * s.KernelHeight + u) * s.KernelWidth + v) * pixels);
            var (jLo, jHi) = ValidColumns(s, v);
            if (jHi == jLo) continue;
            for (int i = 0; i < s.OutHeight; i++)
            {
                int ih = i * s.StrideHeight + u - s.PaddingHeight;
                if ((uint)ih >= (uint)s.Height) continue;
                ref float src = ref Unsafe.Add(ref row, i * outW + jLo);
                ref float dst = ref Unsafe.Add(ref pd, (c * s.Height + ih) * s.Width + jLo * stride + v - s.PaddingWidth);
                if (stride == 1)
                    Elementwise.AddTo(ref dst, in src, jHi - jLo);
                else
                    for (int j = 0; j < jHi - jLo; j++) Unsafe.Add(ref dst, j * stride) += Unsafe.Add(ref src, j);
            }
        }
    }

    // Output columns j whose input column j·sW + v − pW lies in [0, W): jLo = ⌈(pW − v) / sW⌉⁺, jHi = ⌊(W − 1 + pW − v) / sW⌋ + 1,
    // both clamped to [0, outW]. Hoisted out of the row loop because it depends only on the kernel column v.
    private static (int Lo, int Hi) ValidColumns(in Conv2DShape s, int v)
    {
        int before = s.PaddingWidth - v;
        int lo = before <= 0 ? 0 : (before + s.StrideWidth - 1) / s.StrideWidth;
        int last = s.Width - 1 + before;
        int hi = last < 0 ? 0 : Math.Min(s.OutWidth, last / s.StrideWidth + 1);
        lo = Math.Min(lo, s.OutWidth);
        return (lo, Math.Max(lo, hi));
    }
}
