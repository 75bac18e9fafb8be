namespace NetGen.Kernels;

/// <summary>
/// Lowers one sample's convolution to a matrix product. <c>cols[(c·kH + u)·kW + v, i·outW + j] =
/// x[c, i·sH + u − pH, j·sW + v − pW]</c> (zero outside the input), so that <c>y = w · cols</c> with the weight
/// read as <c>[outC, inC·kH·kW]</c>; <see cref="Accumulate"/> is the adjoint that scatters a column gradient back.
/// </summary>
internal static class Im2Col
{
    /// <summary>Fills <paramref name="cols"/> (<see cref="Conv2DShape.PatchSize"/> × output pixels) from one sample.</summary>
    public static void Pack(in Conv2DShape s, ReadOnlySpan<float> x, Span<float> cols)
    {
        int outW = s.OutWidth, pixels = s.OutHeight * outW;
        for (int c = 0; c < s.InChannels; c++)
        for (int u = 0; u < s.KernelHeight; u++)
        for (int v = 0; v < s.KernelWidth; v++)
        {
            var row = cols.Slice(((c * s.KernelHeight + u) * s.KernelWidth + v) * pixels, pixels);
            var (jLo, jHi) = ValidColumns(s, v);
            for (int i = 0; i < s.OutHeight; i++)
            {
                var dst = row.Slice(i * outW, outW);
                int ih = i * s.StrideHeight + u - s.PaddingHeight;
                if ((uint)ih >= (uint)s.Height) { dst.Clear(); continue; }
                var src = x.Slice((c * s.Height + ih) * s.Width, s.Width);
                dst.Slice(0, jLo).Clear();
                dst.Slice(jHi).Clear();
                if (jHi == jLo) continue;
                int iw = jLo * s.StrideWidth + v - s.PaddingWidth;
                if (s.StrideWidth == 1)
                    src.Slice(iw, jHi - jLo).CopyTo(dst.Slice(jLo));
                else
                    for (int j = jLo; j < jHi; j++, iw += s.StrideWidth) dst[j] = src[iw];
            }
        }
    }

    /// <summary>dx[c, ih, iw] += cols[…] for every column entry that <see cref="Pack"/> read from x (the adjoint of Pack).</summary>
    public static void Accumulate(in Conv2DShape s, ReadOnlySpan<float> cols, Span<float> dx)
    {
        int outW = s.OutWidth, pixels = s.OutHeight * outW;
        for (int c = 0; c < s.InChannels; c++)
        for (int u = 0; u < s.KernelHeight; u++)
        for (int v = 0; v < s.KernelWidth; v++)
        {
            var row = cols.Slice(((c * s.KernelHeight + u) * s.KernelWidth + v) * pixels, pixels);
            var (jLo, jHi) = ValidColumns(s, v);
            if (jHi == jLo) continue;
            for (int i = 0; i < s.OutHeight; i++)
            {
                int ih = i * s.StrideHeight + u - s.PaddingHeight;
                if ((uint)ih >= (uint)s.Height) continue;
                var src = row.Slice(i * outW, outW);
                var dst = dx.Slice((c * s.Height + ih) * s.Width, s.Width);
                int iw = jLo * s.StrideWidth + v - s.PaddingWidth;
                if (s.StrideWidth == 1)
                    MapOps.Add(src.Slice(jLo, jHi - jLo), dst.Slice(iw));
                else
                    for (int j = jLo; j < jHi; j++, iw += s.StrideWidth) dst[iw] += src[j];
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
