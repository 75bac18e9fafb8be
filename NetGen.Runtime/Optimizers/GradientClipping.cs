using System.Numerics;

namespace NetGen.Optimizers;

/// <summary>Gradient clipping against exploding gradients (Pascanu et al. 2013), as PyTorch's <c>clip_grad_norm_</c>.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Computes ‖g‖₂ over the whole buffer and, when it exceeds <paramref name="maxNorm"/>, scales every gradient by
    /// maxNorm / (‖g‖₂ + 10⁻⁶). Returns ‖g‖₂ before clipping (NaN or ∞ when the gradients are not finite; those are left as they are).
    /// </summary>
    public static float ClipByGlobalNorm(Span<float> gradients, float maxNorm)
    {
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "maxNorm must be positive.");
        float norm = MathF.Sqrt(SumOfSquares(gradients));
        if (norm > maxNorm) Scale(gradients, maxNorm / (norm + 1e-6f));
        return norm;
    }

    private static float SumOfSquares(ReadOnlySpan<float> x)
    {
        // Four independent vector accumulators hide the add latency; partial sums are combined in double.
        int i = 0;
        double total = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i <= x.Length - 4 * w; i += 4 * w)
            {
                var v0 = new Vector<float>(x[i..]); var v1 = new Vector<float>(x[(i + w)..]);
                var v2 = new Vector<float>(x[(i + 2 * w)..]); var v3 = new Vector<float>(x[(i + 3 * w)..]);
                a0 += v0 * v0; a1 += v1 * v1; a2 += v2 * v2; a3 += v3 * v3;
            }
            total = Vector.Sum(a0 + a1) + (double)Vector.Sum(a2 + a3);
        }
        for (; i < x.Length; i++) total += (double)x[i] * x[i];
        return (float)total;
    }

    private static void Scale(Span<float> x, float factor)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (var f = new Vector<float>(factor); i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(x[i..]) * f).CopyTo(x[i..]);
        for (; i < x.Length; i++) x[i] *= factor;
    }
}
