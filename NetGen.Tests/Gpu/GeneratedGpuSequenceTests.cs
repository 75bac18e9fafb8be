using NetGen.Gpu;
using NetGen.Optimizers;
using static NetGen.Tests.Gpu.GpuTestData;

namespace NetGen.Tests.Gpu;

/// <summary>A miniature of NetGen.Samples' CharLstm: tokens → embedding → LSTM sequence → per-step logits, a loss at every step.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class GpuCharLstm
{
    [TokenInput(Vocabulary = 11, Length = 6)] public partial Layer Text { get; }
    [Embedding(5)]                            public partial Layer Embed { get; }
    [Lstm(7)]                                 public partial Layer Memory { get; }
    [Dense(11)]                               public partial Layer Logits { get; }
}

/// <summary>An LSTM that returns only its last state (its h_t go to a layer buffer), classified per sample.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class GpuLastStateLstm
{
    [TokenInput(Vocabulary = 9, Length = 5)]  public partial Layer Text { get; }
    [Embedding(4)]                            public partial Layer Embed { get; }
    [Lstm(6, ReturnSequences = false)]        public partial Layer Memory { get; }
    [Dense(3)]                                public partial Layer Logits { get; }
}

/// <summary>An Elman RNN over the sequence, then per-step logits: the twin's Rnn kernels.</summary>
[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class GpuCharRnn
{
    [TokenInput(Vocabulary = 7, Length = 5)] public partial Layer Text { get; }
    [Embedding(4)]                           public partial Layer Embed { get; }
    [Rnn(6)]                                 public partial Layer Memory { get; }
    [Dense(7)]                               public partial Layer Logits { get; }
}

/// <summary>
/// The generated device twins of the sequence networks on ILGPU's CPU accelerator against the generated CPU code, a
/// few SGD-momentum steps: every loss, then the parameters and momentum, within 2e-4·(1 + |cpu|) (σ and tanh through
/// exp2 on the device, and the recurrence compounds the differences over the steps).
/// </summary>
[Collection(GpuCollection.Name)]
public class GeneratedGpuSequenceTests(GpuFixture fixture)
{
    private const float Tolerance = 2e-4f;
    private static readonly int[] Batches = [4, 4, 3, 4, 4];
    private readonly GpuDevice _device = fixture.Device;

    private static float[] Tokens(int count, int vocabulary, ulong seed)
    {
        var rng = new Rng(seed);
        var tokens = new float[count];
        for (int i = 0; i < count; i++) tokens[i] = rng.NextInt(vocabulary);
        return tokens;
    }

    private static int[] Labels(int count, int classes, ulong seed)
    {
        var rng = new Rng(seed);
        var labels = new int[count];
        for (int i = 0; i < count; i++) labels[i] = rng.NextInt(classes);
        return labels;
    }

    /// <summary>Trains <paramref name="cpu"/> and a twin of <paramref name="host"/> side by side with SGD momentum.</summary>
    private void AssertTrainingMatches<TNet>(TNet cpu, TNet host, int vocabulary, int labelsPerSample, int classes)
        where TNet : INetwork, IGpuTrainable
    {
        var cpuOptimizer = new Sgd(cpu.Parameters.Length, 0.3f, momentum: 0.9f);
        var gpuOptimizer = new Sgd(cpu.Parameters.Length, 0.3f, momentum: 0.9f);
        using var gpu = host.CreateGpu(_device, 4, gpuOptimizer);
        var losses = new List<float>();
        for (int step = 0; step < Batches.Length; step++)
        {
            int batch = Batches[step];
            // The same samples every step (a prefix when the batch is smaller), so that the loss must fall.
            var input = Tokens(batch * cpu.InputSize, vocabulary, 80);
            var labels = Labels(batch * labelsPerSample, classes, 90);
            float cpuLoss = cpu.TrainStep(input, labels, batch);
            cpuOptimizer.Step(cpu.Parameters, cpu.Gradients);
            float gpuLoss = gpu.TrainStep(input, labels, batch);
            AssertClose([cpuLoss], [gpuLoss], Tolerance, $"loss at step {step + 1}");
            losses.Add(cpuLoss);
        }
        Assert.True(losses[^1] < losses[0], "training should reduce the loss: " + string.Join(", ", losses));
        gpu.DownloadParameters(host);
        AssertClose(cpu.Parameters, host.Parameters, Tolerance, "parameters after training");
        AssertClose(cpuOptimizer.State[0].Values, gpuOptimizer.State[0].Values, Tolerance, "momentum");

        // Inference on the twin equals the CPU network's forward pass with the same parameters.
        var x = Tokens(3 * cpu.InputSize, vocabulary, 99);
        var expected = cpu.Forward(x, 3).ToArray(); var actual = new float[expected.Length];
        gpu.Forward(x, 3, actual);
        AssertClose(expected, actual, Tolerance, "forward after training");
    }

    [Fact]
    public void CharLstm_SgdMomentum_MatchesCpu() =>
        AssertTrainingMatches(new GpuCharLstm(4, seed: 5), new GpuCharLstm(1, seed: 5), vocabulary: 11, labelsPerSample: 6, classes: 11);

    [Fact]
    public void LastStateLstm_SgdMomentum_MatchesCpu() =>
        AssertTrainingMatches(new GpuLastStateLstm(4, seed: 6), new GpuLastStateLstm(1, seed: 6), vocabulary: 9, labelsPerSample: 1, classes: 3);

    [Fact]
    public void CharRnn_SgdMomentum_MatchesCpu() =>
        AssertTrainingMatches(new GpuCharRnn(4, seed: 7), new GpuCharRnn(1, seed: 7), vocabulary: 7, labelsPerSample: 5, classes: 7);

    [Fact]
    public void SequenceLabels_AreCheckedPerStep()
    {
        using var gpu = new GpuCharLstm.Gpu(_device, 2, new GpuCharLstm(1, seed: 1));
        var labels = new int[12];
        labels[7] = 11; // step 1 of sample 1: outside the 11 classes
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => gpu.TrainStep(Tokens(12, 11, 1), labels, 2));
        Assert.Contains("Label 11 of sample 1", e.Message);
    }
}
