using ILGPU;
using NetGen.Gpu;
using NetGen.Kernels;
using static NetGen.Tests.Gpu.GpuTestData;

namespace NetGen.Tests.Gpu;

[Collection(GpuCollection.Name)]
public class GpuGemmTests(GpuFixture fixture)
{
    private readonly GpuDevice _device = fixture.Device;

    // Sizes below, at and across the 64×64×16 tile, odd on purpose so that every edge guard is exercised.
    public static TheoryData<int, int, int> Sizes => new() { { 1, 1, 1 }, { 3, 5, 7 }, { 17, 33, 16 }, { 64, 64, 64 }, { 65, 31, 50 }, { 5, 70, 129 } };

    // Each form through the public entry (tile chosen from the device) and through each block size explicitly.
    [Theory, MemberData(nameof(Sizes))]
    public void MatMul_MatchesCpu(int m, int n, int k)
    {
        Check(m, n, k, Gemm.MatMul, GpuGemm.MatMul);
        Check(m, n, k, Gemm.MatMul, Tiled<NN, Large>);
        Check(m, n, k, Gemm.MatMul, Tiled<NN, Small>);
    }

    [Theory, MemberData(nameof(Sizes))]
    public void MatMulTransA_MatchesCpu(int m, int n, int k)
    {
        Check(m, n, k, Gemm.MatMulTransA, GpuGemm.MatMulTransA);
        Check(m, n, k, Gemm.MatMulTransA, Tiled<TN, Large>);
        Check(m, n, k, Gemm.MatMulTransA, Tiled<TN, Small>);
    }

    [Theory, MemberData(nameof(Sizes))]
    public void MatMulTransB_MatchesCpu(int m, int n, int k)
    {
        Check(m, n, k, Gemm.MatMulTransB, GpuGemm.MatMulTransB);
        Check(m, n, k, Gemm.MatMulTransB, Tiled<NT, Large>);
        Check(m, n, k, Gemm.MatMulTransB, Tiled<NT, Small>);
    }

    private static void Tiled<TLayout, TTile>(GpuDevice device, int m, int n, int k, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, bool accumulate)
        where TLayout : struct, IGemmLayout where TTile : struct, IGemmTile =>
        GpuGemm.Launch<TLayout, TTile, GpuIdentity>(device, m, n, k, a, b, c, default, accumulate);

    private delegate void CpuGemm(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate);
    private delegate void DeviceGemm(GpuDevice device, int m, int n, int k, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, bool accumulate);

    /// <summary>
    /// Operands are placed at odd offsets inside one flat device buffer (as a network's tensors are), and C is checked
    /// after an overwrite and after an accumulate on top of it.
    /// </summary>
    private void Check(int m, int n, int k, CpuGemm cpu, DeviceGemm gpu)
    {
        var a = Random(m * k, 1); var b = Random(k * n, 2); var c0 = Random(m * n, 3);
        int aAt = 3, bAt = aAt + a.Length + 5, cAt = bAt + b.Length + 1;
        var flat = new float[cAt + c0.Length + 2];
        a.CopyTo(flat, aAt); b.CopyTo(flat, bAt); c0.CopyTo(flat, cAt);
        using var buffer = Upload<float>(_device, flat);

        var expected = (float[])c0.Clone();
        foreach (bool accumulate in new[] { false, true })
        {
            cpu(m, n, k, a, b, expected, accumulate);
            gpu(_device, m, n, k, buffer.Slice(aAt, a.Length), buffer.Slice(bAt, b.Length), buffer.Slice(cAt, c0.Length), accumulate);
            var actual = Download(buffer);
            AssertClose(expected, actual.AsSpan(cAt, c0.Length), what: $"C (accumulate={accumulate})");
            AssertClose(a, actual.AsSpan(aAt, a.Length), 0f, "A untouched");
            Assert.Equal(flat[cAt - 1], actual[cAt - 1]);
            Assert.Equal(flat[^1], actual[^1]);
        }
    }

    [Fact]
    public void ShortView_ThrowsNamingTheOperand()
    {
        using var buffer = _device.Allocate<float>(20);
        var e = Assert.Throws<ArgumentException>(() => GpuGemm.MatMul(_device, 3, 3, 3, buffer.Slice(0, 9), buffer.Slice(9, 8), buffer.Slice(0, 9), false));
        Assert.Equal("b", e.ParamName);
        Assert.Contains("9", e.Message);
    }
}
