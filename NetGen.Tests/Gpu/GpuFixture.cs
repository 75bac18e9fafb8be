using NetGen.Gpu;

namespace NetGen.Tests.Gpu;

/// <summary>
/// One CPU-accelerator device for every GPU test: the context and the compiled kernels are shared, and the tests of
/// the collection run one after another (the emulator already runs 256 threads per group).
/// </summary>
public sealed class GpuFixture : IDisposable
{
    public GpuDevice Device { get; } = new(GpuDeviceKind.Cpu);

    public void Dispose() => Device.Dispose();
}

[CollectionDefinition(Name)]
public sealed class GpuCollection : ICollectionFixture<GpuFixture>
{
    public const string Name = "Gpu";
}

/// <summary>Host/device helpers and the tolerance every GPU-vs-CPU comparison uses.</summary>
internal static class GpuTestData
{
    /// <summary>Uniform values in [−1, 1) from a fixed seed.</summary>
    public static float[] Random(int length, ulong seed)
    {
        var rng = new Rng(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = 2f * rng.NextFloat() - 1f;
        return values;
    }

    public static GpuBuffer<T> Upload<T>(GpuDevice device, ReadOnlySpan<T> values) where T : unmanaged
    {
        var buffer = device.Allocate<T>(values.Length);
        buffer.CopyFrom(values);
        return buffer;
    }

    public static float[] Download(GpuBuffer<float> buffer)
    {
        var values = new float[buffer.Length];
        buffer.CopyTo(values);
        return values;
    }

    /// <summary>
    /// |gpu − cpu| ≤ tolerance · (1 + |cpu|) element-wise. The two sides sum in different orders and the device
    /// computes eˣ through 2ˣ, so they agree to a few float ulps times the reduction length, not bit for bit.
    /// </summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance = 2e-5f, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float bound = tolerance * (1f + MathF.Abs(expected[i]));
            if (!(MathF.Abs(expected[i] - actual[i]) <= bound))
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (tolerance {bound:G3})");
        }
    }
}
