using NetGen.Gpu;
using NetGen.Optimizers;
using static NetGen.Tests.Gpu.GpuTestData;

namespace NetGen.Tests.Gpu;

/// <summary>A small ConvNet with every device convolution kind: padding, stride, both poolings and Flatten.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class GpuConvNet
{
    [Input(2, 8, 8)]                              public partial Layer Image { get; }
    [Conv2D(3, Kernel = 3, Padding = 1), Tanh]    public partial Layer C1 { get; }
    [MaxPool2D(2)]                                public partial Layer S2 { get; }
    [Conv2D(4, Kernel = 3, Stride = 2, Padding = 1), Relu] public partial Layer C3 { get; }
    [AvgPool2D(2)]                                public partial Layer S4 { get; }
    [Flatten]                                     public partial Layer Flat { get; }
    [Dense(5)]                                    public partial Layer Logits { get; }
}

/// <summary>A ConvNet with dropout: the device draws its own masks (<c>GpuDropout</c>), so it is checked on its own terms.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class GpuDropoutNet
{
    [Input(2, 8, 8)]                           public partial Layer Image { get; }
    [Conv2D(3, Kernel = 3, Padding = 1), Relu] public partial Layer C1 { get; }
    [MaxPool2D(2)]                             public partial Layer S2 { get; }
    [Dropout(0.25)]                            public partial Layer Drop { get; }
    [Flatten]                                  public partial Layer Flat { get; }
    [Dense(5)]                                 public partial Layer Logits { get; }
}

/// <summary>
/// The generated device twin of a ConvNet on ILGPU's CPU accelerator against the generated CPU code, trained side by
/// side with SGD with momentum: losses, parameters and momentum agree to |gpu − cpu| ≤ 1e-4·(1 + |cpu|) (the sums run
/// in different orders, so not bit for bit).
/// </summary>
[Collection(GpuCollection.Name)]
public class GeneratedGpuConvNetTests(GpuFixture fixture)
{
    private const float Tolerance = 1e-4f;
    private static readonly int[] Batches = [4, 4, 3, 4, 4];
    private readonly GpuDevice _device = fixture.Device;

    [Fact]
    public void SgdMomentum_SeveralSteps_MatchCpu()
    {
        var cpu = new GpuConvNet(4, seed: 5);
        var cpuSgd = new Sgd(GpuConvNet.ParameterCount, 0.1f, momentum: 0.9f);
        var host = new GpuConvNet(1, seed: 5);
        var gpuSgd = new Sgd(GpuConvNet.ParameterCount, 0.1f, momentum: 0.9f);
        using var gpu = new GpuConvNet.Gpu(_device, 4, host, gpuSgd);
        var losses = new List<float>();
        // One small data set, fitted step by step (the third step on a part of it): the first and last losses are comparable.
        var data = Random(4 * GpuConvNet.InputSize, 90);
        var rng = new Rng(100);
        var targets = new int[4];
        for (int b = 0; b < 4; b++) targets[b] = rng.NextInt(GpuConvNet.OutputSize);
        for (int step = 0; step < Batches.Length; step++)
        {
            int batch = Batches[step];
            var input = data.AsSpan(0, batch * GpuConvNet.InputSize);
            var labels = targets.AsSpan(0, batch);
            float cpuLoss = cpu.TrainStep(input, labels, batch);
            cpuSgd.Step(cpu.Parameters, cpu.Gradients);
            float gpuLoss = gpu.TrainStep(input, labels, batch);
            AssertClose([cpuLoss], [gpuLoss], Tolerance, $"loss at step {step + 1}");
            losses.Add(cpuLoss);
        }
        Assert.True(losses[^1] < losses[0], "training should reduce the loss: " + string.Join(", ", losses));
        gpu.DownloadParameters(host);
        AssertClose(cpu.Parameters, host.Parameters, Tolerance, "parameters after training");
        AssertClose(cpuSgd.State[0].Values, gpuSgd.State[0].Values, Tolerance, "momentum");

        var probe = Random(3 * GpuConvNet.InputSize, 120);
        var logits = new float[3 * GpuConvNet.OutputSize];
        gpu.Forward(probe, 3, logits);
        AssertClose(cpu.Forward(probe, 3), logits, Tolerance, "logits after training");
    }

    /// <summary>Dropout on the device: two twins of the same network train identically (the masks come from the network's
    /// seed and the step), the first loss differs from the loss without dropout, training reduces the loss, and
    /// inference skips dropout, so Forward equals the CPU network's with the trained parameters.</summary>
    [Fact]
    public void Dropout_TrainsReproduciblyAndForwardMatchesCpu()
    {
        var data = Random(4 * GpuDropoutNet.InputSize, 130);
        int[] labels = [0, 3, 1, 4];
        var first = new GpuDropoutNet(4, seed: 8);
        var second = new GpuDropoutNet(1, seed: 8);
        using var a = new GpuDropoutNet.Gpu(_device, 4, first, new Sgd(GpuDropoutNet.ParameterCount, 0.2f, momentum: 0.9f));
        using var b = new GpuDropoutNet.Gpu(_device, 4, second, new Sgd(GpuDropoutNet.ParameterCount, 0.2f, momentum: 0.9f));
        var logitsBefore = first.Forward(data, 4).ToArray();
        float withoutDropout = NetGen.Kernels.Losses.SoftmaxCrossEntropy(4, GpuDropoutNet.OutputSize, logitsBefore, labels, new float[logitsBefore.Length]);
        var losses = new List<float>();
        for (int step = 0; step < 8; step++)
        {
            float loss = a.TrainStep(data, labels, 4);
            Assert.Equal(loss, b.TrainStep(data, labels, 4));
            losses.Add(loss);
        }
        Assert.True(MathF.Abs(losses[0] - withoutDropout) > 1e-4f, $"dropout should change the first loss ({losses[0]} vs {withoutDropout} without it)");
        Assert.True(losses[^1] < losses[0], "training should reduce the loss: " + string.Join(", ", losses));
        Assert.Equal(Download(a.State.Parameters), Download(b.State.Parameters));

        a.DownloadParameters(first);
        var logits = new float[4 * GpuDropoutNet.OutputSize];
        a.Forward(data, 4, logits);
        Assert.False(a.State.Training);
        AssertClose(first.Forward(data, 4), logits, Tolerance, "inference logits");
    }
}
