using NetGen.Checkpoints;
using NetGen.Gpu;
using NetGen.Optimizers;
using static NetGen.Tests.Gpu.GpuTestData;

namespace NetGen.Tests.Gpu;

/// <summary>Every activation, a bias-free layer and a multi-dimensional input, softmax cross-entropy.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class GpuClassifier
{
    [Input(2, 3)]                     public partial Layer X { get; }
    [Dense(9), Tanh]                  public partial Layer H1 { get; }
    [Dense(7), Relu]                  public partial Layer H2 { get; }
    [Dense(5, Bias = false), Sigmoid] public partial Layer H3 { get; }
    [Dense(4)]                        public partial Layer Logits { get; }
}

/// <summary>A squared-error regressor.</summary>
[Network(Loss = Loss.SquaredError)]
public partial class GpuRegressor
{
    [Input(5)]       public partial Layer X { get; }
    [Dense(6), Tanh] public partial Layer H { get; }
    [Dense(3)]       public partial Layer Y { get; }
}

/// <summary>
/// The generated device twins (<c>GpuClassifier.Gpu</c>) on ILGPU's CPU accelerator against the generated CPU code and
/// the CPU optimizers. Both sides sum in different orders and the device computes eˣ through 2ˣ, so after several steps
/// they agree to |gpu − cpu| ≤ 1e-4·(1 + |cpu|), not bit for bit.
/// </summary>
[Collection(GpuCollection.Name)]
public class GeneratedGpuNetworkTests(GpuFixture fixture)
{
    private const float Tolerance = 1e-4f;
    private static readonly int[] Batches = [8, 8, 5, 8, 3, 8];
    private readonly GpuDevice _device = fixture.Device;

    private static (float[] Input, int[] Labels) ClassBatch(int batch, ulong seed)
    {
        var rng = new Rng(seed);
        var labels = new int[batch];
        for (int b = 0; b < batch; b++) labels[b] = rng.NextInt(GpuClassifier.OutputSize);
        return (Random(batch * GpuClassifier.InputSize, seed), labels);
    }

    /// <summary>Trains a CPU network and a device twin side by side (each with its own optimizer from <paramref name="create"/>),
    /// halving the learning rate after step 3 as a schedule would; checks every loss, then the parameters.</summary>
    private void AssertTrainingMatches(Func<int, Optimizer> create)
    {
        var cpu = new GpuClassifier(8, seed: 11);
        var cpuOptimizer = create(GpuClassifier.ParameterCount);
        var host = new GpuClassifier(1, seed: 11);
        var gpuOptimizer = create(GpuClassifier.ParameterCount);
        using var gpu = new GpuClassifier.Gpu(_device, 8, host, gpuOptimizer);
        var losses = new List<float>();
        for (int step = 0; step < Batches.Length; step++)
        {
            if (step == 3) cpuOptimizer.LearningRate = gpuOptimizer.LearningRate = cpuOptimizer.LearningRate / 2;
            var (input, labels) = ClassBatch(Batches[step], 40 + (ulong)step);
            float cpuLoss = cpu.TrainStep(input, labels, Batches[step]);
            cpuOptimizer.Step(cpu.Parameters, cpu.Gradients);
            float gpuLoss = gpu.TrainStep(input, labels, Batches[step]);
            AssertClose([cpuLoss], [gpuLoss], Tolerance, $"loss at step {step + 1}");
            losses.Add(cpuLoss);
        }
        Assert.True(losses[^1] < losses[0], "training should reduce the loss: " + string.Join(", ", losses));
        Assert.Equal(Batches.Length, gpuOptimizer.StepCount);
        gpu.DownloadParameters(host);
        AssertClose(cpu.Parameters, host.Parameters, Tolerance, "parameters after training");
        for (int i = 0; i < cpuOptimizer.State.Count; i++)
            AssertClose(cpuOptimizer.State[i].Values, gpuOptimizer.State[i].Values, Tolerance, "optimizer state " + cpuOptimizer.State[i].Name);
    }

    [Fact]
    public void SgdMomentum_SeveralSteps_MatchCpu() => AssertTrainingMatches(n => new Sgd(n, 0.2f, momentum: 0.9f));

    [Fact]
    public void AdamW_SeveralSteps_MatchCpu() =>
        AssertTrainingMatches(n => new Adam(n, 0.01f, weightDecay: 0.01f, decoupledWeightDecay: true));

    [Theory]
    [InlineData("sgd, weight decay, no momentum")]
    [InlineData("sgd, Nesterov")]
    [InlineData("adam, coupled weight decay")]
    public void OtherOptimizerSettings_MatchCpu(string settings) => AssertTrainingMatches(n => settings switch
    {
        "sgd, weight decay, no momentum" => new Sgd(n, 0.3f, weightDecay: 0.01f),
        "sgd, Nesterov" => new Sgd(n, 0.1f, momentum: 0.8f, nesterov: true),
        _ => new Adam(n, 0.01f, beta1: 0.8f, weightDecay: 0.001f),
    });

    [Fact]
    public void OptimizerWithoutGpuUpdate_IsRejectedByName()
    {
        var e = Assert.Throws<NotSupportedException>(() => new GpuClassifier.Gpu(_device, 4, new GpuClassifier(1, seed: 1), new Frozen(GpuClassifier.ParameterCount)));
        Assert.Contains("'frozen'", e.Message);
    }

    /// <summary>An optimizer NetGen's GPU runtime does not know.</summary>
    private sealed class Frozen(int count) : Optimizer(count, 0f)
    {
        public override string Kind => "frozen";
        public override IReadOnlyList<OptimizerState> State => [];
        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int start, int length, long step) { }
    }

    [Fact]
    public void Forward_MatchesCpu()
    {
        var cpu = new GpuClassifier(8, seed: 3);
        using var gpu = new GpuClassifier.Gpu(_device, 8, cpu);
        var input = Random(7 * GpuClassifier.InputSize, 7);
        var logits = new float[7 * GpuClassifier.OutputSize];
        gpu.Forward(input, 7, logits);
        AssertClose(cpu.Forward(input, 7), logits, what: "logits");
    }

    [Fact]
    public void WithoutOptimizer_TrainStepLeavesGradients_SquaredErrorMatchesCpu()
    {
        var cpu = new GpuRegressor(6, seed: 2);
        using var gpu = new GpuRegressor.Gpu(_device, 6, cpu);
        var input = Random(6 * GpuRegressor.InputSize, 8);
        var targets = Random(6 * GpuRegressor.OutputSize, 9);
        float cpuLoss = cpu.TrainStep(input, targets, 6);
        float gpuLoss = gpu.TrainStep(input, targets, 6);
        AssertClose([cpuLoss], [gpuLoss], Tolerance, "loss");
        AssertClose(cpu.Gradients, Download(gpu.State.Gradients), Tolerance, "gradients");
        var outputs = new float[6 * GpuRegressor.OutputSize];
        gpu.CopyOutput(6, outputs);
        AssertClose(cpu.Layers[^1].Output, outputs, Tolerance, "outputs of the step");
        var parameters = new float[GpuRegressor.ParameterCount];
        gpu.State.Parameters.CopyTo(parameters);
        AssertClose(cpu.Parameters, parameters, 0f, "parameters (no optimizer: unchanged)");
        var e = Assert.Throws<NotSupportedException>(() => ((IGpuNetwork)gpu).TrainStep(input, new int[6], 6));
        Assert.Contains("float targets", e.Message);
    }

    [Fact]
    public void CheckpointSavedFromGpuTraining_LoadsIntoCpuNetworkAndResumes()
    {
        var host = new GpuClassifier(1, seed: 21);
        var sgd = new Sgd(GpuClassifier.ParameterCount, 0.2f, momentum: 0.9f);
        using var gpu = new GpuClassifier.Gpu(_device, 8, host, sgd);
        for (int step = 0; step < 3; step++)
        {
            var (input, labels) = ClassBatch(8, 60 + (ulong)step);
            gpu.TrainStep(input, labels, 8);
        }
        string path = Path.Combine(Path.GetTempPath(), $"netgen-gpu-{Guid.NewGuid():N}.safetensors");
        try
        {
            gpu.DownloadParameters(host);
            Checkpoint.Save(path, host, sgd, new TrainingPosition(1, sgd.StepCount, default));

            var loaded = new GpuClassifier(8, seed: 999);
            var loadedSgd = new Sgd(GpuClassifier.ParameterCount, 0.2f, momentum: 0.9f);
            Checkpoint.Load(path, loaded, loadedSgd);
            var probe = Random(5 * GpuClassifier.InputSize, 70);
            var fromGpu = new float[5 * GpuClassifier.OutputSize];
            gpu.Forward(probe, 5, fromGpu);
            AssertClose(fromGpu, loaded.Forward(probe, 5), Tolerance, "predictions of the loaded network");

            // A twin built from the loaded network and optimizer continues exactly where the first one stands.
            using var resumed = new GpuClassifier.Gpu(_device, 8, loaded, loadedSgd);
            var (next, nextLabels) = ClassBatch(8, 80);
            float expected = gpu.TrainStep(next, nextLabels, 8);
            Assert.Equal(expected, resumed.TrainStep(next, nextLabels, 8));
            Assert.Equal(Download(gpu.State.Parameters), Download(resumed.State.Parameters));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CreateGpu_FromINetwork_GivesTheTwin()
    {
        INetwork network = new GpuClassifier(2, seed: 4);
        var trainable = Assert.IsAssignableFrom<IGpuTrainable>(network);
        using var twin = trainable.CreateGpu(_device, 16, optimizer: null);
        Assert.IsType<GpuClassifier.Gpu>(twin);
        Assert.Equal(16, twin.MaxBatch);
        Assert.Null(twin.Optimizer);
        Assert.Equal(network.Parameters.ToArray(), Download(twin.State.Parameters));
    }

    [Fact]
    public void BadArguments_ThrowWithMessages()
    {
        var host = new GpuClassifier(1, seed: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GpuClassifier.Gpu(_device, 0, host));
        var wrongSize = new Sgd(GpuRegressor.ParameterCount, 0.1f);
        var e = Assert.Throws<ArgumentException>(() => new GpuClassifier.Gpu(_device, 4, host, wrongSize));
        Assert.Contains($"created for {GpuRegressor.ParameterCount} parameters", e.Message);
        using var gpu = new GpuClassifier.Gpu(_device, 4, host);
        var (input, labels) = ClassBatch(5, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => gpu.TrainStep(input, labels, 5));
        labels[0] = GpuClassifier.OutputSize;
        Assert.Throws<ArgumentOutOfRangeException>(() => gpu.TrainStep(input.AsSpan(0, 4 * GpuClassifier.InputSize), labels.AsSpan(0, 4), 4));
        Assert.Throws<ArgumentException>(() => gpu.Forward(input.AsSpan(0, 4 * GpuClassifier.InputSize), 4, new float[3]));
    }
}
