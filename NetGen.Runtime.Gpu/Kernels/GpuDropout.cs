using ILGPU;
using ILGPU.Runtime;

namespace NetGen.Gpu;

/// <summary>
/// Inverted dropout on the device, the counterpart of <see cref="NetGen.Kernels.Dropout"/> with the same rule (drop with
/// probability <c>rate</c>, scale kept values by <c>1 / (1 − rate)</c>) but a counter-based mask instead of a mask buffer
/// filled from the network's <see cref="Rng"/>: value i is dropped when the top 24 bits of hash(seed, i) fall below
/// ⌈rate·2²⁴⌉, so <see cref="Backward"/> recomputes the mask <see cref="Forward"/> used from the same seed. The masks are
/// therefore not the CPU network's (same distribution, different draws); <see cref="GpuNetworkState.DropoutSeed"/> gives
/// each layer and train step its own seed.
/// </summary>
public static class GpuDropout
{
    /// <summary>y[i] = x[i] · mask(seed, i) for i &lt; x.Length, mask 0 or 1 / (1 − rate) as above.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is outside [0, 1).</exception>
    public static void Forward(GpuDevice device, float rate, uint seed, ArrayView<float> x, ArrayView<float> y)
    {
        CheckRate(rate);
        Views.Require(y, x.Length, nameof(y));
        if (x.Length == 0) return;
        device.Kernels<DropoutKernels>().Apply(device.Stream, (int)x.Length, Threshold(rate), 1f / (1f - rate), seed, x, y, 0);
    }

    /// <summary>dx[i] = dy[i] · mask(seed, i) for i &lt; dy.Length with the mask of the <see cref="Forward"/> call that used
    /// <paramref name="seed"/>; added to dx when <paramref name="accumulate"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is outside [0, 1).</exception>
    public static void Backward(GpuDevice device, float rate, uint seed, ArrayView<float> dy, ArrayView<float> dx, bool accumulate = false)
    {
        CheckRate(rate);
        Views.Require(dx, dy.Length, nameof(dx));
        if (dy.Length == 0) return;
        device.Kernels<DropoutKernels>().Apply(device.Stream, (int)dy.Length, Threshold(rate), 1f / (1f - rate), seed, dy, dx, accumulate ? 1 : 0);
    }

    private static void CheckRate(float rate)
    {
        if (!(rate >= 0f && rate < 1f))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "GpuDropout: the rate must lie in [0, 1); a rate of 1 would drop every value.");
    }

    /// <summary>⌈rate·2²⁴⌉: a value is dropped when its 24 random bits are below it (as the CPU kernel decides).</summary>
    private static uint Threshold(float rate) => (uint)MathF.Ceiling(rate * 16777216f);
}

internal sealed class DropoutKernels : IKernelSet<DropoutKernels>
{
    public required Action<AcceleratorStream, Index1D, uint, float, uint, ArrayView<float>, ArrayView<float>, int> Apply { get; init; }

    public static DropoutKernels Load(Accelerator accelerator) => new()
    {
        Apply = accelerator.LoadAutoGroupedKernel<Index1D, uint, float, uint, ArrayView<float>, ArrayView<float>, int>(MaskKernels.Apply),
    };
}

internal static class MaskKernels
{
    [Kernel(explicitlyGrouped: false)]
    internal static void Apply(Index1D index, uint threshold, float keep, uint seed, ArrayView<float> source, ArrayView<float> destination, int accumulate)
    {
        float value = (Hash((uint)index.X * 0x9E3779B9u + seed) >> 8) < threshold ? 0f : source[index] * keep;
        destination[index] = accumulate != 0 ? destination[index] + value : value;
    }

    /// <summary>A 32-bit integer mix (xor-shift-multiply; every output bit depends on every input bit).</summary>
    internal static uint Hash(uint h)
    {
        h ^= h >> 16;
        h *= 0x7FEB352Du;
        h ^= h >> 15;
        h *= 0x846CA68Bu;
        h ^= h >> 16;
        return h;
    }
}
