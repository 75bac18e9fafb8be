using NetGen.Gpu;
using static NetGen.Tests.Gpu.GpuTestData;

namespace NetGen.Tests.Gpu;

[Collection(GpuCollection.Name)]
public class GpuOptimizerTests(GpuFixture fixture)
{
    private readonly GpuDevice _device = fixture.Device;
    private const int Count = 37, Steps = 4;

    [Theory]
    [InlineData(0f, 0f, 0f, false)]
    [InlineData(0.9f, 0f, 0f, false)]
    [InlineData(0.9f, 0.5f, 1e-2f, false)]
    [InlineData(0.8f, 0f, 1e-3f, true)]
    public void Sgd_MatchesPyTorchFormula(float momentum, float dampening, float weightDecay, bool nesterov)
    {
        const float lr = 0.1f;
        var p = Random(Count, 50); var v = new float[Count];
        using var gp = Upload<float>(_device, p); using var gg = _device.Allocate<float>(Count); using var gv = _device.Allocate<float>(Count);
        gv.Clear();
        for (int step = 1; step <= Steps; step++)
        {
            var g = Random(Count, 60 + (ulong)step);
            for (int i = 0; i < Count; i++)
            {
                float d = g[i] + weightDecay * p[i];
                if (momentum != 0f)
                {
                    v[i] = step == 1 ? d : momentum * v[i] + (1f - dampening) * d;
                    d = nesterov ? d + momentum * v[i] : v[i];
                }
                p[i] -= lr * d;
            }
            gg.CopyFrom(g);
            GpuOptimizers.Sgd(_device, gp.View, gg.View, momentum != 0f ? gv.View : default, step, lr, momentum, dampening, weightDecay, nesterov);
        }
        AssertClose(p, Download(gp), 1e-6f, "parameters");
        if (momentum != 0f) AssertClose(v, Download(gv), 1e-6f, "velocity");
    }

    [Theory]
    [InlineData(0f, false)]
    [InlineData(0.01f, false)]
    [InlineData(0.01f, true)]
    public void Adam_MatchesPyTorchFormula(float weightDecay, bool decoupled)
    {
        const float lr = 0.01f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
        var p = Random(Count, 70); var m = new float[Count]; var v = new float[Count];
        using var gp = Upload<float>(_device, p); using var gg = _device.Allocate<float>(Count);
        using var gm = _device.Allocate<float>(Count); using var gv = _device.Allocate<float>(Count);
        gm.Clear(); gv.Clear();
        for (int step = 1; step <= Steps; step++)
        {
            var g = Random(Count, 80 + (ulong)step);
            double c1 = 1 - Math.Pow(beta1, step), c2 = 1 - Math.Pow(beta2, step);
            for (int i = 0; i < Count; i++)
            {
                float d = g[i];
                if (decoupled) p[i] *= 1f - lr * weightDecay; else d += weightDecay * p[i];
                m[i] = beta1 * m[i] + (1f - beta1) * d;
                v[i] = beta2 * v[i] + (1f - beta2) * d * d;
                p[i] -= (float)(lr / c1 * m[i] / (Math.Sqrt(v[i]) / Math.Sqrt(c2) + eps));
            }
            gg.CopyFrom(g);
            GpuOptimizers.Adam(_device, gp.View, gg.View, gm.View, gv.View, step, lr, beta1, beta2, eps, weightDecay, decoupled);
        }
        AssertClose(p, Download(gp), 1e-6f, "parameters");
        AssertClose(m, Download(gm), 1e-6f, "m");
        AssertClose(v, Download(gv), 1e-6f, "v");
    }

    [Fact]
    public void Sgd_NesterovWithoutMomentum_Throws()
    {
        using var gp = _device.Allocate<float>(4);
        var e = Assert.Throws<ArgumentException>(() => GpuOptimizers.Sgd(_device, gp.View, gp.View, default, 1, 0.1f, nesterov: true));
        Assert.Equal("nesterov", e.ParamName);
    }
}
