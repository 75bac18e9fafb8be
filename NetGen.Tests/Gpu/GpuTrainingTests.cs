using NetGen.Gpu;
using static NetGen.Tests.Gpu.GpuTestData;

namespace NetGen.Tests.Gpu;

[Collection(GpuCollection.Name)]
public class GpuTrainingTests(GpuFixture fixture)
{
    private readonly GpuDevice _device = fixture.Device;

    [Fact]
    public void TwoLayerMlp_TrainedOnDevice_MatchesCpuLoop()
    {
        const int maxBatch = 8;
        const float lr = 0.5f, momentum = 0.9f;
        var cpu = new TinyMlp(maxBatch, seed: 5);
        using var gpu = new TinyMlpGpu(_device, new TinyMlp(maxBatch, seed: 5));
        var velocity = new float[TinyMlp.ParameterCount];
        var rng = new Rng(6);
        int[] batches = [8, 8, 5, 8, 8, 3];
        var losses = new List<float>();
        for (int step = 1; step <= batches.Length; step++)
        {
            int batch = batches[step - 1];
            var input = Random(batch * TinyMlp.In, 100 + (ulong)step);
            var labels = new int[batch];
            for (int b = 0; b < batch; b++) labels[b] = rng.NextInt(TinyMlp.Out);

            float cpuLoss = cpu.TrainStep(input, labels, batch);
            var p = cpu.Parameters; var g = cpu.Gradients;
            for (int i = 0; i < p.Length; i++)
            {
                velocity[i] = step == 1 ? g[i] : momentum * velocity[i] + g[i];
                p[i] -= lr * velocity[i];
            }
            float gpuLoss = gpu.TrainStep(input, labels, batch, step, lr, momentum);
            AssertClose([cpuLoss], [gpuLoss], 1e-4f, $"loss at step {step}");
            losses.Add(cpuLoss);
        }
        Assert.True(losses[^1] < losses[0], $"training should reduce the loss: {string.Join(", ", losses)}");

        var trained = new TinyMlp(maxBatch, seed: 99);
        gpu.State.DownloadParameters(trained);
        AssertClose(cpu.Parameters, trained.Parameters, 1e-4f, "parameters after training");
        var gradients = Download(gpu.State.Gradients);
        AssertClose(cpu.Gradients, gradients, 1e-4f, "gradients of the last step");
    }

    [Fact]
    public void Forward_OnDevice_MatchesCpu()
    {
        var cpu = new TinyMlp(8, seed: 3);
        using var gpu = new TinyMlpGpu(_device, cpu);
        var input = Random(7 * TinyMlp.In, 7);
        var logits = new float[7 * TinyMlp.Out];
        gpu.Forward(input, 7, logits);
        AssertClose(cpu.Forward(input, 7), logits, what: "logits");
    }

    [Fact]
    public void Parameters_RoundTripThroughTheDevice()
    {
        var source = new TinyMlp(4, seed: 1);
        using var state = new GpuNetworkState(_device, source, 10, 10, 0);
        Assert.Equal(source.Parameters.ToArray(), Download(state.Parameters));
        Assert.All(Download(state.Gradients), v => Assert.Equal(0f, v));

        var other = new TinyMlp(4, seed: 2);
        Assert.NotEqual(source.Parameters.ToArray(), other.Parameters.ToArray());
        state.DownloadParameters(other);
        Assert.Equal(source.Parameters.ToArray(), other.Parameters.ToArray());

        other.Parameters[3] = 123f;
        state.UploadParameters(other);
        Assert.Equal(123f, Download(state.Parameters)[3]);
    }

    [Fact]
    public void UploadBatch_RejectsBadInput()
    {
        var network = new TinyMlp(4, seed: 1);
        using var state = new GpuNetworkState(_device, network, 1, 1, 0);
        var input = new float[4 * TinyMlp.In];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => state.UploadBatch(input, new[] { 0, TinyMlp.Out }, 2));
        Assert.Contains($"Label {TinyMlp.Out} of sample 1", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => state.UploadBatch(input, new int[5], 5));
        var short_ = Assert.Throws<ArgumentException>(() => state.UploadBatch(input.AsSpan(0, 5), new int[2], 2));
        Assert.Equal("input", short_.ParamName);
        Assert.Throws<ArgumentException>(() => state.UploadParameters(new TinyMlpWithExtraParameter()));
        var targets = Assert.Throws<ArgumentException>(() => state.UploadBatch(input, new float[TinyMlp.Out], 2));
        Assert.Equal("targets", targets.ParamName);

        var goodTargets = Random(2 * TinyMlp.Out, 9);
        state.UploadBatch(input, goodTargets, 2);
        Assert.Equal(goodTargets, Download(state.Targets)[..goodTargets.Length]);
    }

    private sealed class TinyMlpWithExtraParameter : INetwork
    {
        private readonly float[] _p = new float[TinyMlp.ParameterCount + 1];
        public string Name => "Other";
        public int MaxBatch => 4;
        public int CurrentBatch => 0;
        public int InputSize => TinyMlp.In;
        public int OutputSize => TinyMlp.Out;
        public Loss Loss => Loss.None;
        public ulong ShapeSignature => 1;
        public (uint, uint, uint, uint) RngState { get; set; }
        public Span<float> Parameters => _p;
        public Span<float> Gradients => _p;
        public IReadOnlyList<Layer> Layers => [];
        public IReadOnlyList<ParameterTensor> ParameterTensors => [];
        public ReadOnlySpan<float> Forward(ReadOnlySpan<float> input, int batch) => throw new NotSupportedException();
        public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int batch) => throw new NotSupportedException();
        public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, int batch) => throw new NotSupportedException();
        public string Summary() => Name;
    }
}
