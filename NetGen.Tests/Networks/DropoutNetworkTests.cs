namespace NetGen.Tests.Networks;

/// <summary>Dropout in generated networks: active only in TrainStep, masks drawn from the network's own Rng (so
/// reproducible from the seed and restorable through <see cref="INetwork.RngState"/>).</summary>
public class DropoutNetworkTests
{
    private const int Batch = 4;
    private static readonly int[] Labels = [0, 1, 2, 0];

    private static float[] Input(INetwork net) => GradientCheckTests.RandomFloats(Batch * net.InputSize, 70);

    [Fact]
    public void ForwardIsInference_NoMaskAndNoDraws()
    {
        var net = new DropoutConvNet(Batch, seed: 1);
        float[] input = Input(net);
        var state = net.RngState;
        float[] first = net.Forward(input, Batch).ToArray();
        Assert.Equal(net.C.Output.ToArray(), net.D1.Output.ToArray());
        Assert.Equal(net.H.Output.ToArray(), net.D2.Output.ToArray());
        Assert.Equal(first, net.Forward(input, Batch).ToArray());
        Assert.Equal(state, net.RngState);
    }

    [Fact]
    public void TrainStepDropsAboutTheRateAndScalesTheRest()
    {
        var net = new DropoutConvNet(Batch, seed: 2);
        float[] input = Input(net);
        var state = net.RngState;
        net.TrainStep(input, Labels, Batch);
        Assert.NotEqual(state, net.RngState);
        float[] before = net.C.Output.ToArray(), after = net.D1.Output.ToArray();
        int dropped = 0;
        for (int i = 0; i < before.Length; i++)
        {
            if (after[i] == 0f) dropped++;
            else Assert.Equal(before[i] / 0.7f, after[i], 1e-6f);
        }
        // 192 values at rate 0.3: 57.6 expected, σ ≈ 6.3.
        Assert.InRange(dropped, 35, 80);
    }

    [Fact]
    public void MasksAreReproducibleFromTheSeed_AndRestoredByRngState()
    {
        var a = new DropoutConvNet(Batch, seed: 3);
        var b = new DropoutConvNet(Batch, seed: 3);
        float[] input = Input(a);
        var start = a.RngState;
        float[] lossesA = [a.TrainStep(input, Labels, Batch), a.TrainStep(input, Labels, Batch)];
        float[] lossesB = [b.TrainStep(input, Labels, Batch), b.TrainStep(input, Labels, Batch)];
        Assert.Equal(lossesA, lossesB);
        Assert.NotEqual(lossesA[0], lossesA[1]); // same weights, new masks

        a.RngState = start;
        Assert.Equal(lossesA[0], a.TrainStep(input, Labels, Batch));
        float[] gradients = a.Gradients.ToArray();
        a.RngState = start;
        a.TrainStep(input, Labels, Batch);
        Assert.Equal(gradients, a.Gradients.ToArray());
    }
}
