using NetGen.Gpu;
using NetGen.Kernels;
using static NetGen.Tests.Gpu.GpuTestData;

namespace NetGen.Tests.Gpu;

/// <summary>Conv2D, MaxPool2D, AvgPool2D and the copy behind Flatten on the device against NetGen.Kernels on small shapes.</summary>
[Collection(GpuCollection.Name)]
public class GpuConvolutionTests(GpuFixture fixture)
{
    private readonly GpuDevice _device = fixture.Device;

    /// <summary>Stride, padding, rectangular kernels, one or several channels.</summary>
    private static readonly Conv2DShape[] ConvShapes =
    [
        new(1, 6, 6, 2, 3, 3),
        new(2, 7, 5, 3, 3, 2, stride: 2, padding: 1),
        new(3, 8, 8, 4, 5, 5, stride: 1, padding: 2),
        new(2, 4, 4, 3, 1, 1),
    ];

    [Fact] public void Conv2D_Relu_MatchesCpu() => CheckConv<Relu, GpuRelu>();
    [Fact] public void Conv2D_Tanh_MatchesCpu() => CheckConv<Tanh, GpuTanh>();

    /// <summary>Forward, then backward (dy ⊙ f′, dw, dbias, dx, and dx added to an existing gradient) equal NetGen.Kernels.Conv2D.</summary>
    private void CheckConv<TCpu, TGpu>() where TCpu : struct, IActivation where TGpu : struct, IGpuActivation
    {
        const int batch = 3;
        foreach (var shape in ConvShapes)
        foreach (bool withBias in new[] { true, false })
        {
            string at = $"[{shape}, bias={withBias}] ";
            var x = Random(batch * shape.InputSize, 30); var w = Random(shape.WeightSize, 31);
            var bias = withBias ? Random(shape.OutChannels, 32) : []; var dyIn = Random(batch * shape.OutputSize, 33);
            var workspace = new float[Conv2D.WorkspaceSize(shape)];
            var y = new float[batch * shape.OutputSize];
            Conv2D.Forward<TCpu>(shape, batch, x, w, bias, y, workspace);
            var dy = (float[])dyIn.Clone(); var dw = new float[w.Length]; var db = new float[bias.Length]; var dx = new float[x.Length];
            Conv2D.Backward<TCpu>(shape, batch, x, w, y, dy, dw, db, dx, workspace);

            using var gx = Upload<float>(_device, x); using var gw = Upload<float>(_device, w);
            using var gb = Upload<float>(_device, bias); using var gy = _device.Allocate<float>(y.Length);
            GpuConv2D.Forward<TGpu>(_device, shape, batch, gx.View, gw.View, gb.View, gy.View);
            AssertClose(y, Download(gy), what: at + "y");

            gy.CopyFrom(y);
            using var gdy = Upload<float>(_device, dyIn); using var gdw = Upload<float>(_device, Random(w.Length, 34));
            using var gdb = Upload<float>(_device, Random(bias.Length, 35)); using var gdx = Upload<float>(_device, Random(x.Length, 36));
            GpuConv2D.Backward<TGpu>(_device, shape, batch, gx.View, gw.View, gy.View, gdy.View, gdw.View, gdb.View, gdx.View);
            AssertClose(dy, Download(gdy), what: at + "dy⊙f′");
            AssertClose(dw, Download(gdw), tolerance: 1e-4f, what: at + "dw");
            AssertClose(db, Download(gdb), tolerance: 1e-4f, what: at + "dbias");
            AssertClose(dx, Download(gdx), what: at + "dx");

            // accumulate: dx += the same gradient (dy is already multiplied by f′, so pass the identity)
            GpuConv2D.Backward<GpuIdentity>(_device, shape, batch, gx.View, gw.View, gy.View, gdy.View, gdw.View, default, gdx.View, accumulate: true);
            AssertClose(dx.Select(v => 2 * v).ToArray(), Download(gdx), what: at + "dx accumulated");
        }
    }

    private static readonly Pool2DShape[] PoolShapes = [new(2, 6, 6, 2, 2), new(3, 7, 5, 3, 2), new(1, 5, 8, 2, 3), new(2, 4, 4, 4, 4)];

    /// <summary>Max pooling forward and backward equal NetGen.Kernels.MaxPool2D, ties included (integer-valued inputs make many).</summary>
    [Fact]
    public void MaxPool2D_MatchesCpu()
    {
        const int batch = 2;
        foreach (var shape in PoolShapes)
        foreach (bool ties in new[] { false, true })
        {
            string at = $"[{shape}, ties={ties}] ";
            var x = Random(batch * shape.InputSize, 40);
            if (ties) x = x.Select(v => MathF.Round(v * 2)).ToArray();
            var dyIn = Random(batch * shape.OutputSize, 41);
            var y = new float[batch * shape.OutputSize]; var argmax = new int[y.Length]; var dx = new float[x.Length];
            MaxPool2D.Forward(shape, batch, x, y, argmax);
            MaxPool2D.Backward(shape, batch, argmax, dyIn, dx);

            using var gx = Upload<float>(_device, x); using var gy = _device.Allocate<float>(y.Length);
            GpuMaxPool2D.Forward(_device, shape, batch, gx.View, gy.View);
            AssertClose(y, Download(gy), tolerance: 0f, what: at + "y");
            using var gdy = Upload<float>(_device, dyIn); using var gdx = Upload<float>(_device, Random(x.Length, 42));
            GpuMaxPool2D.Backward(_device, shape, batch, gx.View, gdy.View, gdx.View);
            AssertClose(dx, Download(gdx), what: at + "dx");
            GpuMaxPool2D.Backward(_device, shape, batch, gx.View, gdy.View, gdx.View, accumulate: true);
            AssertClose(dx.Select(v => 2 * v).ToArray(), Download(gdx), what: at + "dx accumulated");
        }
    }

    [Fact]
    public void AvgPool2D_MatchesCpu()
    {
        const int batch = 2;
        foreach (var shape in PoolShapes)
        {
            string at = $"[{shape}] ";
            var x = Random(batch * shape.InputSize, 50); var dyIn = Random(batch * shape.OutputSize, 51);
            var y = new float[batch * shape.OutputSize]; var dx = new float[x.Length];
            AvgPool2D.Forward(shape, batch, x, y);
            AvgPool2D.Backward(shape, batch, dyIn, dx);

            using var gx = Upload<float>(_device, x); using var gy = _device.Allocate<float>(y.Length);
            GpuAvgPool2D.Forward(_device, shape, batch, gx.View, gy.View);
            AssertClose(y, Download(gy), what: at + "y");
            using var gdy = Upload<float>(_device, dyIn); using var gdx = Upload<float>(_device, Random(x.Length, 52));
            GpuAvgPool2D.Backward(_device, shape, batch, gdy.View, gdx.View);
            AssertClose(dx, Download(gdx), what: at + "dx");
            GpuAvgPool2D.Backward(_device, shape, batch, gdy.View, gdx.View, accumulate: true);
            AssertClose(dx.Select(v => 2 * v).ToArray(), Download(gdx), what: at + "dx accumulated");
        }
    }

    [Fact]
    public void Copy_CopiesOrAdds()
    {
        var source = Random(37, 60); var start = Random(40, 61);
        using var gs = Upload<float>(_device, source); using var gd = Upload<float>(_device, start);
        GpuElementwise.Copy(_device, gs.View, gd.View);
        var copied = Download(gd);
        AssertClose(source, copied.AsSpan(0, 37), tolerance: 0f, what: "copy");
        AssertClose(start.AsSpan(37), copied.AsSpan(37), tolerance: 0f, what: "past the copy");
        GpuElementwise.Copy(_device, gs.View, gd.View, accumulate: true);
        AssertClose(source.Select(v => 2 * v).ToArray(), Download(gd).AsSpan(0, 37), what: "add");
        Assert.Throws<ArgumentException>(() => GpuElementwise.Copy(_device, gd.View, gs.View));
    }

    /// <summary>Dropout: every value is dropped or scaled by 1 / (1 − rate), about rate of them dropped; the same seed gives
    /// the same mask in backward (and accumulates), another seed another mask; rate 0 is the identity; bad rates throw.</summary>
    [Fact]
    public void Dropout_MaskIsReproducibleAndHasTheRate()
    {
        const int n = 20000;
        const float rate = 0.3f, keep = 1f / (1f - rate);
        var x = Random(n, 70).Select(v => v + 2f).ToArray(); // never zero
        var dy = Random(n, 71);
        using var gx = Upload<float>(_device, x); using var gy = _device.Allocate<float>(n);
        using var gdy = Upload<float>(_device, dy); using var gdx = _device.Allocate<float>(n);
        GpuDropout.Forward(_device, rate, 12345u, gx.View, gy.View);
        var y = Download(gy);
        int dropped = 0;
        var expectedDx = new float[n];
        for (int i = 0; i < n; i++)
        {
            bool drop = y[i] == 0f;
            if (drop) dropped++;
            else AssertClose([x[i] * keep], [y[i]], 1e-6f, $"kept value {i}");
            expectedDx[i] = drop ? 0f : dy[i] * keep;
        }
        Assert.InRange(dropped, (int)(n * rate) - 400, (int)(n * rate) + 400); // ±4.4σ
        GpuDropout.Backward(_device, rate, 12345u, gdy.View, gdx.View);
        AssertClose(expectedDx, Download(gdx), 1e-6f, "dx");
        GpuDropout.Backward(_device, rate, 12345u, gdy.View, gdx.View, accumulate: true);
        AssertClose(expectedDx.Select(v => 2 * v).ToArray(), Download(gdx), 1e-6f, "dx accumulated");

        GpuDropout.Forward(_device, rate, 54321u, gx.View, gy.View);
        var other = Download(gy);
        Assert.True(Enumerable.Range(0, n).Count(i => (other[i] == 0f) != (y[i] == 0f)) > n / 4, "another seed should draw another mask");
        GpuDropout.Forward(_device, 0f, 1u, gx.View, gy.View);
        AssertClose(x, Download(gy), 0f, "rate 0");
        Assert.Throws<ArgumentOutOfRangeException>(() => GpuDropout.Forward(_device, 1f, 1u, gx.View, gy.View));
    }
}
