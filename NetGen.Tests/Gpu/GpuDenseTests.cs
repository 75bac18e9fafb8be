using NetGen.Gpu;
using NetGen.Kernels;
using static NetGen.Tests.Gpu.GpuTestData;

namespace NetGen.Tests.Gpu;

[Collection(GpuCollection.Name)]
public class GpuDenseTests(GpuFixture fixture)
{
    private readonly GpuDevice _device = fixture.Device;

    private static readonly (int Batch, int Inputs, int Outputs)[] Shapes = [(1, 1, 1), (3, 7, 5), (9, 33, 65), (20, 64, 10)];

    [Fact] public void Identity_MatchesCpu() => Check<Identity, GpuIdentity>();
    [Fact] public void Relu_MatchesCpu() => Check<Relu, GpuRelu>();
    [Fact] public void Tanh_MatchesCpu() => Check<Tanh, GpuTanh>();
    [Fact] public void Sigmoid_MatchesCpu() => Check<Sigmoid, GpuSigmoid>();

    /// <summary>Forward and backward (dy ⊙ f′, dw, dbias, dx) on the device equal NetGen.Kernels.Dense, with and without bias.</summary>
    private void Check<TCpu, TGpu>() where TCpu : struct, IActivation where TGpu : struct, IGpuActivation
    {
        foreach (var (batch, inputs, outputs) in Shapes)
        foreach (bool withBias in new[] { true, false })
        {
            var x = Random(batch * inputs, 10); var w = Random(inputs * outputs, 11);
            var bias = withBias ? Random(outputs, 12) : []; var dyIn = Random(batch * outputs, 13);
            string at = $"[{batch},{inputs}→{outputs}, bias={withBias}] ";

            var y = new float[batch * outputs];
            Dense.Forward<TCpu>(batch, inputs, outputs, x, w, bias, y);
            var dy = (float[])dyIn.Clone(); var dw = new float[w.Length]; var db = new float[bias.Length]; var dx = new float[x.Length];
            Dense.Backward<TCpu>(batch, inputs, outputs, x, w, y, dy, dw, db, dx);

            using var gx = Upload<float>(_device, x); using var gw = Upload<float>(_device, w);
            using var gb = Upload<float>(_device, bias); using var gy = _device.Allocate<float>(y.Length);
            GpuDense.Forward<TGpu>(_device, batch, inputs, outputs, gx.View, gw.View, gb.View, gy.View);
            var yGpu = Download(gy);
            AssertClose(y, yGpu, what: at + "y");

            // Backward from the CPU's y, so that the comparison isolates the backward kernels.
            gy.CopyFrom(y);
            using var gdy = Upload<float>(_device, dyIn); using var gdw = _device.Allocate<float>(w.Length);
            using var gdb = _device.Allocate<float>(bias.Length); using var gdx = _device.Allocate<float>(x.Length);
            GpuDense.Backward<TGpu>(_device, batch, inputs, outputs, gx.View, gw.View, gy.View, gdy.View, gdw.View, gdb.View, gdx.View);
            AssertClose(dy, Download(gdy), what: at + "dy⊙f′");
            AssertClose(dw, Download(gdw), what: at + "dw");
            AssertClose(db, Download(gdb), what: at + "dbias");
            AssertClose(dx, Download(gdx), what: at + "dx");
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 31)]
    [InlineData(300, 70)]
    public void BiasGradient_IsTheColumnSum(int batch, int outputs)
    {
        var dy = Random(batch * outputs, 24);
        var expected = new double[outputs];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < outputs; j++) expected[j] += dy[b * outputs + j];
        using var gdy = Upload<float>(_device, dy); using var gdb = _device.Allocate<float>(outputs);
        GpuDense.BiasGradient(_device, batch, outputs, gdy.View, gdb.View);
        AssertClose(expected.Select(v => (float)v).ToArray(), Download(gdb), 1e-5f, "dbias");
    }

    [Fact]
    public void Backward_WithoutDx_LeavesItsBufferAlone()
    {
        var x = Random(4 * 3, 20); var w = Random(3 * 2, 21); var y = Random(4 * 2, 22);
        using var gx = Upload<float>(_device, x); using var gw = Upload<float>(_device, w); using var gy = Upload<float>(_device, y);
        using var gdy = Upload<float>(_device, Random(8, 23)); using var gdw = _device.Allocate<float>(6);
        using var sentinel = Upload<float>(_device, new float[] { 42f });
        GpuDense.Backward<GpuRelu>(_device, 4, 3, 2, gx.View, gw.View, gy.View, gdy.View, gdw.View, default, default);
        Assert.Equal(42f, Download(sentinel)[0]);
        var dy = Random(8, 23); var dw = new float[6];
        Dense.Backward<Relu>(4, 3, 2, x, w, y, dy, dw, [], []);
        AssertClose(dw, Download(gdw), what: "dw");
    }
}
