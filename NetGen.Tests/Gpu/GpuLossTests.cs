using NetGen.Gpu;
using NetGen.Kernels;
using static NetGen.Tests.Gpu.GpuTestData;

namespace NetGen.Tests.Gpu;

[Collection(GpuCollection.Name)]
public class GpuLossTests(GpuFixture fixture)
{
    private readonly GpuDevice _device = fixture.Device;

    // 300 samples: more than the 256 threads of the loss group, so threads take several samples each.
    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 3)]
    [InlineData(64, 10)]
    [InlineData(300, 7)]
    public void SoftmaxCrossEntropy_MatchesCpu(int batch, int classes)
    {
        var logits = Random(batch * classes, 30);
        for (int i = 0; i < logits.Length; i++) logits[i] *= 8f; // spread out, so that the max-shift matters
        var rng = new Rng(31);
        var labels = new int[batch];
        for (int b = 0; b < batch; b++) labels[b] = rng.NextInt(classes);
        var dLogits = new float[logits.Length];
        float loss = Losses.SoftmaxCrossEntropy(batch, classes, logits, labels, dLogits);

        using var gl = Upload<float>(_device, logits); using var glab = Upload<int>(_device, labels);
        using var gd = _device.Allocate<float>(logits.Length); using var gloss = _device.Allocate<float>(1);
        GpuLosses.SoftmaxCrossEntropy(_device, batch, classes, gl.View, glab.View, gd.View, gloss.View);
        AssertClose([loss], Download(gloss), 1e-5f, "loss");
        AssertClose(dLogits, Download(gd), 1e-5f, "dlogits");

        // Without a gradient view only the loss is written.
        gloss.Clear();
        GpuLosses.SoftmaxCrossEntropy(_device, batch, classes, gl.View, glab.View, default, gloss.View);
        AssertClose([loss], Download(gloss), 1e-5f, "loss without gradient");
    }

    [Fact]
    public void SoftmaxCrossEntropy_LabelOutOfRange_GivesNaN()
    {
        using var gl = Upload<float>(_device, Random(6, 32)); using var glab = Upload<int>(_device, new[] { 1, 3 });
        using var gloss = _device.Allocate<float>(1);
        GpuLosses.SoftmaxCrossEntropy(_device, 2, 3, gl.View, glab.View, default, gloss.View);
        Assert.True(float.IsNaN(Download(gloss)[0]));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 3)]
    [InlineData(100, 5)]
    public void SquaredError_MatchesCpu(int batch, int size)
    {
        var y = Random(batch * size, 40); var t = Random(batch * size, 41);
        var dy = new float[y.Length];
        float loss = Losses.SquaredError(batch, size, y, t, dy);

        using var gy = Upload<float>(_device, y); using var gt = Upload<float>(_device, t);
        using var gd = _device.Allocate<float>(y.Length); using var gloss = _device.Allocate<float>(1);
        GpuLosses.SquaredError(_device, batch, size, gy.View, gt.View, gd.View, gloss.View);
        AssertClose([loss], Download(gloss), 1e-5f, "loss");
        AssertClose(dy, Download(gd), 1e-6f, "dy");
    }
}
