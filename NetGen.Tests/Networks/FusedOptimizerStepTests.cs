using NetGen.Optimizers;
using NetGen.Tests.Sequences;

namespace NetGen.Tests.Networks;

/// <summary>
/// The generated <c>TrainStep</c> overload that takes the optimizer updates each layer's parameters right after its
/// backward: its result must be exactly that of <c>TrainStep</c> followed by <see cref="Optimizer.Step"/>.
/// </summary>
public class FusedOptimizerStepTests
{
    public static TheoryData<string> Optimizers() =>
        new("sgd", "sgd decay", "sgd momentum", "sgd momentum decay", "sgd nesterov decay", "adam", "adam decay", "adamw decay", "other");

    internal static Optimizer Make(string kind, int count) => kind switch
    {
        "sgd" => new Sgd(count, 0.05f),
        "sgd decay" => new Sgd(count, 0.05f, weightDecay: 0.01f),
        "sgd momentum" => new Sgd(count, 0.05f, 0.9f),
        "sgd momentum decay" => new Sgd(count, 0.05f, 0.9f, weightDecay: 0.01f),
        "sgd nesterov decay" => new Sgd(count, 0.05f, 0.9f, nesterov: true, weightDecay: 0.01f),
        "adam" => new Adam(count, 0.01f),
        "adam decay" => new Adam(count, 0.01f, weightDecay: 0.01f),
        "adamw decay" => new Adam(count, 0.01f, weightDecay: 0.01f, decoupledWeightDecay: true),
        _ => new SignDescent(count, 0.01f),
    };

    /// <summary>An optimizer defined outside the runtime, without a block update: the fused path falls back to
    /// UpdateRange after each layer's products.</summary>
    internal sealed class SignDescent(int count, float learningRate) : Optimizer(count, learningRate)
    {
        public override string Kind => "sign";
        public override IReadOnlyList<OptimizerState> State => [];
        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int start, int length, long step)
        {
            for (int i = start; i < start + length; i++) parameters[i] -= LearningRate * MathF.Sign(gradients[i]);
        }
    }

    private static float[] Values(int count, ulong seed, float scale)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, count).Select(_ => rng.NextFloat() * scale).ToArray();
    }

    /// <summary>Three steps of two identical networks, one with separate calls and one fused, compared bit for bit.</summary>
    private static void AssertSameAsSeparateCalls<TNet>(string kind, Func<TNet> create, Func<TNet, Optimizer?, float> trainStep) where TNet : INetwork
    {
        TNet separate = create(), fused = create();
        Optimizer separateOptimizer = Make(kind, separate.Parameters.Length), fusedOptimizer = Make(kind, fused.Parameters.Length);
        for (int step = 0; step < 3; step++)
        {
            float expectedLoss = trainStep(separate, null);
            separateOptimizer.Step(separate.Parameters, separate.Gradients);
            Assert.Equal(expectedLoss, trainStep(fused, fusedOptimizer));
            Assert.Equal(separateOptimizer.StepCount, fusedOptimizer.StepCount);
            Assert.Equal(separate.Parameters.ToArray(), fused.Parameters.ToArray());
            // The fused path does not keep Dense weights' gradients (their update consumes them in the product's
            // epilogue); every other gradient is as TrainStep leaves it.
            foreach (var tensor in fused.ParameterTensors.Where(t => !IsDenseWeight(fused, t)))
                Assert.Equal(separate.Gradients.Slice(tensor.Offset, tensor.Length).ToArray(), fused.Gradients.Slice(tensor.Offset, tensor.Length).ToArray());
            for (int k = 0; k < separateOptimizer.State.Count; k++)
                Assert.Equal(separateOptimizer.State[k].Values, fusedOptimizer.State[k].Values);
        }
    }

    private static bool IsDenseWeight(INetwork net, ParameterTensor tensor) =>
        net.Layers.Any(l => l.Kind == "Dense" && tensor.Name == l.Name + ".weight");

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void MlpMatchesTrainStepThenStep(string kind)
    {
        const int batch = 5;
        float[] input = Values(batch * Mlp.InputSize, 1, 1f);
        int[] labels = [0, 3, 9, 4, 4];
        AssertSameAsSeparateCalls(kind, () => new Mlp(batch, seed: 2), (net, opt) => net.TrainStep(input, labels, batch, opt));
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void NetworkWithADeadLayerUpdatesItToo(string kind)
    {
        // Probe reaches no output: its gradients are zero, yet weight decay and momentum still move its parameters.
        const int batch = 4;
        float[] input = Values(batch * SkipRegressor.InputSize, 3, 2f);
        float[] targets = Values(batch * SkipRegressor.OutputSize, 4, 1f);
        AssertSameAsSeparateCalls(kind, () => new SkipRegressor(batch, seed: 5), (net, opt) => net.TrainStep(input, targets, batch, opt));
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void ConvolutionDropoutAndRecurrentNetworksMatchToo(string kind)
    {
        const int batch = 3;
        float[] images = Values(batch * DropoutConvNet.InputSize, 6, 1f);
        int[] classes = [1, 0, 2];
        AssertSameAsSeparateCalls(kind, () => new DropoutConvNet(batch, seed: 7), (net, opt) => net.TrainStep(images, classes, batch, opt));

        float[] tokens = Enumerable.Range(0, batch * LstmGruTagger.InputSize).Select(i => (float)(i * 7 % 5)).ToArray();
        int[] tags = Enumerable.Range(0, batch * LstmGruTagger.InputSize).Select(i => i * 3 % 5).ToArray();
        AssertSameAsSeparateCalls(kind, () => new LstmGruTagger(batch, seed: 8), (net, opt) => net.TrainStep(tokens, tags, batch, opt));
    }

    [Fact]
    public void AllocatesNothing()
    {
        const int batch = 4;
        var net = new Mlp(batch, seed: 1);
        float[] input = Values(batch * Mlp.InputSize, 2, 1f);
        int[] labels = [1, 2, 3, 4];
        foreach (var optimizer in new Optimizer[] { new Sgd(Mlp.ParameterCount, 0.01f, 0.9f), new Adam(Mlp.ParameterCount) })
        {
            for (int i = 0; i < 3; i++) net.TrainStep(input, labels, batch, optimizer);
            Assert.Equal(0, Allocations.FewestBytes(() => net.TrainStep(input, labels, batch, optimizer), 10));
        }
    }

    [Fact]
    public void AnOptimizerOfAnotherSizeIsRejectedBeforeAnythingRuns()
    {
        var net = new Mlp(1, seed: 1);
        float[] before = net.Parameters.ToArray();
        var e = Assert.Throws<ArgumentException>(() => net.TrainStep(new float[Mlp.InputSize], [0], 1, new Sgd(10, 0.1f)));
        Assert.Equal("optimizer", e.ParamName);
        Assert.Contains("10 parameters", e.Message);
        Assert.Equal(before, net.Parameters.ToArray());
    }

    [Theory]
    [InlineData("sgd momentum decay")]
    [InlineData("adam")]
    public void ANonFiniteLossUpdatesNothing(string kind)
    {
        const int batch = 3;
        var net = new Mlp(batch, seed: 4);
        var optimizer = Make(kind, net.Parameters.Length);
        float[] input = Values(batch * Mlp.InputSize, 5, 1f);
        int[] labels = [2, 7, 1];
        net.TrainStep(input, labels, batch, optimizer);
        net.Parameters[^1] = float.NaN; // the last logit's bias: the loss becomes NaN
        float[] parameters = net.Parameters.ToArray();
        float[][] state = optimizer.State.Select(s => s.Values.ToArray()).ToArray();

        Assert.True(float.IsNaN(net.TrainStep(input, labels, batch, optimizer)));
        Assert.Equal(parameters, net.Parameters.ToArray());
        Assert.Equal(1, optimizer.StepCount);
        Assert.Equal(state, optimizer.State.Select(s => s.Values.ToArray()).ToArray());
    }

    [Fact]
    public void AHandWrittenNetworkGetsTheTwoCallsFromTheInterface()
    {
        const int batch = 4;
        INetwork separate = new Gpu.TinyMlp(batch, seed: 3), viaInterface = new Gpu.TinyMlp(batch, seed: 3);
        Optimizer separateOptimizer = Make("sgd momentum", separate.Parameters.Length), optimizer = Make("sgd momentum", viaInterface.Parameters.Length);
        float[] input = Values(batch * Gpu.TinyMlp.In, 9, 1f);
        int[] labels = [0, 3, 1, 2];
        for (int step = 0; step < 2; step++)
        {
            float loss = separate.TrainStep(input, labels, batch);
            separateOptimizer.Step(separate.Parameters, separate.Gradients);
            Assert.Equal(loss, viaInterface.TrainStep(input, labels, batch, optimizer));
            Assert.Equal(separate.Parameters.ToArray(), viaInterface.Parameters.ToArray());
        }
        viaInterface.Parameters[^1] = float.NaN; // the last logit's bias
        float[] poisoned = viaInterface.Parameters.ToArray();
        Assert.True(float.IsNaN(viaInterface.TrainStep(input, labels, batch, optimizer)));
        Assert.Equal(poisoned, viaInterface.Parameters.ToArray());
        Assert.Equal(2, optimizer.StepCount);
    }

    [Fact]
    public void UpdateRangeChecksItsRange()
    {
        var sgd = new Sgd(10, 0.1f);
        float[] p = new float[10], g = new float[10];
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.UpdateRange(p, g, 4, 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.UpdateRange(p, g, -1, 2));
        Assert.Throws<ArgumentException>(() => sgd.UpdateRange(p, new float[9], 0, 1));
        sgd.UpdateRange(p, g, 4, 6);
        Assert.Equal(0, sgd.StepCount);
        sgd.CompleteStep();
        Assert.Equal(1, sgd.StepCount);
    }
}
