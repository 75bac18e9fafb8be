namespace NetGen.Kernels;

/// <summary>
/// Inverted dropout. In training each value is kept with probability <c>1 − rate</c> and scaled by <c>1 / (1 − rate)</c>,
/// so the expected output equals the input; at inference the layer is the identity and generated code reads its
/// input in place of its output (no kernel call).
/// </summary>
public static class Dropout
{
    /// <summary>
    /// mask[i] = 0 with probability <paramref name="rate"/> (when <c>rng.NextFloat() &lt; rate</c>, one draw per value in order)
    /// and <c>1 / (1 − rate)</c> otherwise; y[i] = x[i] · mask[i]. The value count is <c>x.Length</c> (batch × per-sample size);
    /// the same Rng state gives the same mask. A rate of 0 keeps everything and draws nothing. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is outside [0, 1).</exception>
    public static void Forward(float rate, ReadOnlySpan<float> x, Span<float> y, Span<float> mask, ref Rng rng)
    {
        if (!(rate >= 0f && rate < 1f))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "Dropout: the rate must lie in [0, 1); a rate of 1 would drop every value.");
        int n = x.Length;
        Elementwise.Require(y.Length, n, nameof(y), nameof(Dropout));
        Elementwise.Require(mask.Length, n, nameof(mask), nameof(Dropout));
        float keep = 1f / (1f - rate);
        var m = mask.Slice(0, n);
        if (rate == 0f)
            m.Fill(1f);
        else
        {
            // NextFloat() < rate ⟺ (bits >> 8) < rate·2²⁴ ⟺ (bits >> 8) < ⌈rate·2²⁴⌉ (rate·2²⁴ is exact): the same
            // decision in integers, made without a branch (which mispredicts at rates near ½): both sides are below
            // 2²⁴, so the difference's sign bit says "drop", and keep's bits are masked with it. The generator is
            // copied to a local so that its state can live in registers.
            uint threshold = (uint)MathF.Ceiling(rate * 16777216f);
            uint keepBits = BitConverter.SingleToUInt32Bits(keep);
            var local = rng;
            for (int i = 0; i < n; i++)
            {
                uint drop = ((local.NextUInt32() >> 8) - threshold) >> 31;
                m[i] = BitConverter.UInt32BitsToSingle(keepBits & (drop - 1));
            }
            rng = local;
        }
        Elementwise.Multiply(x, m, y);
    }

    /// <summary>dx[i] = dy[i] · mask[i] for i &lt; dy.Length (dx may be dy). Allocates nothing.</summary>
    public static void Backward(ReadOnlySpan<float> mask, ReadOnlySpan<float> dy, Span<float> dx)
    {
        Elementwise.Require(mask.Length, dy.Length, nameof(mask), nameof(Dropout));
        Elementwise.Require(dx.Length, dy.Length, nameof(dx), nameof(Dropout));
        Elementwise.Multiply(dy, mask, dx);
    }
}
