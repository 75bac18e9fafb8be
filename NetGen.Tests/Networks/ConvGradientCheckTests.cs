namespace NetGen.Tests.Networks;

/// <summary>
/// Finite-difference gradient checks through generated ConvNets (see <see cref="GradientCheckTests"/> for the method
/// and tolerances): every parameter tensor of each network, with convolutions of stride 1 and 2, padding, rectangular
/// kernels, max and average pooling, flatten, Conv1D, and dropout with its mask held fixed by resetting
/// <see cref="INetwork.RngState"/> before every evaluation.
/// </summary>
public class ConvGradientCheckTests
{
    private const int Batch = 3;

    [Fact]
    public void Conv2D_Padding_MaxPool_Stride2_BiasFree_SoftmaxCrossEntropy()
    {
        var net = new ConvPoolStrideNet(Batch, seed: 11);
        var (input, labels) = Classification(net, 60);
        GradientCheckTests.Check(net, () => net.TrainStep(input, labels, Batch));
    }

    [Fact]
    public void RectangularKernel_Relu_OverlappingAvgPool_Flatten_SquaredError()
    {
        var net = new AvgPoolNet(Batch, seed: 12);
        var (input, targets) = Regression(net, 62);
        GradientCheckTests.Check(net, () => net.TrainStep(input, targets, Batch));
    }

    [Fact]
    public void Conv1D_Stride2_Padding_SquaredError()
    {
        var net = new Conv1DNet(Batch, seed: 13);
        var (input, targets) = Regression(net, 64);
        GradientCheckTests.Check(net, () => net.TrainStep(input, targets, Batch));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void TunedAlgorithms_GradientsAndOutputs(int batch)
    {
        // Networks/networks.netgen-tuning.txt gives these layers other algorithms at each of these batch sizes.
        var net = new TunedConvNet(5, seed: 16);
        var (input, targets) = (GradientCheckTests.RandomFloats(batch * TunedConvNet.InputSize, 70), GradientCheckTests.RandomFloats(batch * TunedConvNet.OutputSize, 71));
        GradientCheckTests.Check(net, () => net.TrainStep(input, targets, batch));
        var line = new TunedConv1DNet(5, seed: 17);
        var (signal, lineTargets) = (GradientCheckTests.RandomFloats(batch * TunedConv1DNet.InputSize, 72), GradientCheckTests.RandomFloats(batch * TunedConv1DNet.OutputSize, 73));
        GradientCheckTests.Check(line, () => line.TrainStep(signal, lineTargets, batch));

        // A sample's output does not depend on the batch it is in, whichever algorithm each batch size runs.
        var alone = net.Forward(input.AsSpan(0, TunedConvNet.InputSize), 1).ToArray();
        var inBatch = net.Forward(input, batch).Slice(0, TunedConvNet.OutputSize).ToArray();
        for (int i = 0; i < alone.Length; i++) Assert.Equal(alone[i], inBatch[i], 1e-5f);
    }

    [Fact]
    public void Dropout_WithTheMaskHeldByRngState()
    {
        var net = new DropoutConvNet(Batch, seed: 14);
        var (input, labels) = Classification(net, 66);
        var state = net.RngState;
        GradientCheckTests.Check(net, () =>
        {
            net.RngState = state;
            return net.TrainStep(input, labels, Batch);
        });
        // The masks really drop: some of D1's outputs are zero where C's (tanh, never exactly zero) are not.
        Assert.Contains(net.D1.Output.ToArray(), v => v == 0f);
        Assert.DoesNotContain(net.C.Output.ToArray(), v => v == 0f);
    }

    [Fact]
    public void LeNet5Shapes_SpotCheck()
    {
        // Too large to perturb every weight: the convolutions' biases fully and every 13th weight. The dense layers are
        // checked in the MLP tests: their gradients here are so small that the float loss's rounding dominates the
        // finite differences.
        var net = new LeNet5Smooth(Batch, seed: 15);
        var (input, labels) = Classification(net, 68);
        GradientCheckTests.Check(net, () => net.TrainStep(input, labels, Batch),
            stride: t => !t.Name.StartsWith('C') ? 0 : t.Name.EndsWith(".bias", StringComparison.Ordinal) ? 1 : 13);
    }

    private static (float[] Input, int[] Labels) Classification(INetwork net, ulong seed) =>
        (GradientCheckTests.RandomFloats(Batch * net.InputSize, seed), GradientCheckTests.RandomLabels(Batch, net.OutputSize, seed + 1));

    private static (float[] Input, float[] Targets) Regression(INetwork net, ulong seed) =>
        (GradientCheckTests.RandomFloats(Batch * net.InputSize, seed), GradientCheckTests.RandomFloats(Batch * net.OutputSize, seed + 1));
}
