using NetGen.Tests.Networks;

namespace NetGen.Tests.Sequences;

/// <summary>
/// Finite-difference checks of every parameter tensor of generated sequence networks (embedding, stacked Rnn, Lstm and
/// Gru, last-state and per-step outputs, per-step Dense, both losses), with the tolerances of
/// <see cref="GradientCheckTests"/>. The weights start 2.5× their initial scale, so that the recurrent weights move the
/// loss by more than the float rounding of the finite differences (at PyTorch's U(±1/√H) their gradients are ~1e-3,
/// where that noise alone is a few percent). The kernels' own parity with PyTorch is in <c>SequenceKernels/</c>.
/// </summary>
public class SequenceGradientCheckTests
{
    private const int Batch = 3;

    private static float[] RandomTokens(int count, int vocabulary, ulong seed)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, count).Select(_ => (float)rng.NextInt(vocabulary)).ToArray();
    }

    private static T Scaled<T>(T net) where T : INetwork
    {
        foreach (ref float p in net.Parameters) p *= 2.5f;
        return net;
    }

    private static int[] RandomLabels(int count, int classes, ulong seed)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, count).Select(_ => rng.NextInt(classes)).ToArray();
    }

    [Fact]
    public void EmbeddingLstmGruPerStepDenseCrossEntropy()
    {
        var net = Scaled(new LstmGruTagger(Batch, seed: 1));
        float[] tokens = RandomTokens(Batch * LstmGruTagger.InputSize, 5, 2);
        int[] labels = RandomLabels(Batch * 4, 5, 3); // one label per time step
        GradientCheckTests.Check(net, () => net.TrainStep(tokens, labels, Batch));
    }

    [Fact]
    public void RnnThenLastStateLstmClassifier()
    {
        var net = Scaled(new RnnLastStateClassifier(Batch, seed: 4));
        float[] tokens = RandomTokens(Batch * RnnLastStateClassifier.InputSize, 4, 5);
        int[] labels = RandomLabels(Batch, 2, 6); // one label per sample
        GradientCheckTests.Check(net, () => net.TrainStep(tokens, labels, Batch));
    }

    [Fact]
    public void LastStateGruSquaredError()
    {
        var net = Scaled(new GruRegressor(Batch, seed: 7));
        float[] tokens = RandomTokens(Batch * GruRegressor.InputSize, 6, 8);
        float[] targets = Enumerable.Range(0, Batch * GruRegressor.OutputSize).Select(i => 0.1f * (i % 7)).ToArray();
        GradientCheckTests.Check(net, () => net.TrainStep(tokens, targets, Batch));
    }

    [Fact]
    public void PerStepSquaredError()
    {
        var net = Scaled(new PerStepRegressor(Batch, seed: 9));
        float[] tokens = RandomTokens(Batch * PerStepRegressor.InputSize, 3, 10);
        float[] targets = Enumerable.Range(0, Batch * PerStepRegressor.OutputSize).Select(i => 0.15f * (i % 5)).ToArray();
        Assert.Equal(3 * 2, PerStepRegressor.OutputSize);
        GradientCheckTests.Check(net, () => net.TrainStep(tokens, targets, Batch));
    }
}
