namespace NetGen.Tests.Networks;

/// <summary>What a generated network promises besides correct gradients: no allocation per step, batch independence,
/// argument checks, metadata and initialisation.</summary>
public class NetworkBehaviourTests
{
    private static float[] RandomInput(int count, ulong seed)
    {
        var rng = new Rng(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = rng.NextFloat();
        return values;
    }

    [Fact]
    public void TrainStepAndForwardAllocateNothing() => AssertStepsAllocateNothing(new Mlp(8, seed: 1));

    [Fact]
    public void ConvNetTrainStepAndForwardAllocateNothing()
    {
        // Convolution workspaces, pooling argmax and dropout masks are all allocated by the constructor.
        AssertStepsAllocateNothing(new LeNet5(8, seed: 1));
        AssertStepsAllocateNothing(new DropoutConvNet(8, seed: 1));
    }

    internal static void AssertStepsAllocateNothing(INetwork net)
    {
        int batch = net.MaxBatch;
        float[] input = RandomInput(batch * net.InputSize, 2);
        int[] labels = Enumerable.Range(0, batch).Select(i => i % net.OutputSize).ToArray();
        for (int i = 0; i < 3; i++)
        {
            net.TrainStep(input, labels, batch);
            net.Forward(input, batch);
        }

        int call = 0;
        long allocated = Allocations.FewestBytes(() =>
        {
            net.TrainStep(input, labels, batch);
            int b = 1 + call++ % batch;
            net.Forward(input.AsSpan(0, b * net.InputSize), b);
        }, 20);

        Assert.Equal(0, allocated);
    }

    [Fact]
    public unsafe void ParametersGradientsAndActivationsStartOnCacheLines()
    {
        // The kernels' full-vector loads touch one cache line each only on 64-byte aligned data.
        var net = new Mlp(3, seed: 1);
        net.TrainStep(RandomInput(3 * Mlp.InputSize, 2), [0, 1, 2], 3);
        fixed (float* p = net.Parameters, g = net.Gradients, w = net.H1.Weight, a = net.Pixels.Output)
            foreach (nint address in new[] { (nint)p, (nint)g, (nint)w, (nint)a })
                Assert.Equal(0, address % 64);
    }

    [Fact]
    public void OneSampleAloneEqualsTheSameSampleInABatchOf64()
    {
        const int batch = 64;
        var net = new Mlp(batch, seed: 3);
        float[] input = RandomInput(batch * Mlp.InputSize, 4);
        float[] batched = net.Forward(input, batch).ToArray();
        foreach (int sample in new[] { 0, 17, 63 })
        {
            float[] alone = net.Forward(input.AsSpan(sample * Mlp.InputSize, Mlp.InputSize), 1).ToArray();
            for (int j = 0; j < Mlp.OutputSize; j++)
                Assert.Equal(batched[sample * Mlp.OutputSize + j], alone[j], 1e-6);
        }
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        var maxBatch = Assert.Throws<ArgumentOutOfRangeException>(() => new Mlp(0));
        Assert.Equal("maxBatch", maxBatch.ParamName);

        var net = new Mlp(4);
        float[] two = new float[2 * Mlp.InputSize];
        var batch = Assert.Throws<ArgumentOutOfRangeException>(() => net.Forward(new float[5 * Mlp.InputSize], 5));
        Assert.Equal("batch", batch.ParamName);
        Assert.Contains("MaxBatch = 4", batch.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => net.Forward(ReadOnlySpan<float>.Empty, 0));

        var input = Assert.Throws<ArgumentException>(() => net.Forward(two, 3));
        Assert.Equal("input", input.ParamName);
        Assert.Contains("expected batch × InputSize = 3 × 784 = 2352", input.Message);

        var labels = Assert.Throws<ArgumentException>(() => net.TrainStep(two, new int[3], 2));
        Assert.Equal("labels", labels.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => net.TrainStep(two, new[] { 0, 10 }, 2));

        var wrongLoss = Assert.Throws<NotSupportedException>(() => ((INetwork)net).TrainStep(two, new float[20], 2));
        Assert.Contains("Mlp is trained with SoftmaxCrossEntropy", wrongLoss.Message);

        var regressor = new TanhSigmoidRegressor(2);
        var targets = Assert.Throws<ArgumentException>(() => regressor.TrainStep(new float[12], new float[3], 2));
        Assert.Equal("targets", targets.ParamName);
        Assert.Throws<NotSupportedException>(() => ((INetwork)regressor).TrainStep(new float[12], new int[2], 2));

        var encoder = new Encoder(1);
        Assert.Equal(Loss.None, encoder.Loss);
        Assert.Contains("has no loss", Assert.Throws<NotSupportedException>(() => ((INetwork)encoder).TrainStep(new float[3], new float[2], 1)).Message);
    }

    [Fact]
    public void MetadataDescribesTheLayout()
    {
        var net = new Mlp(2);
        INetwork view = net;
        Assert.Equal(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10, Mlp.ParameterCount);
        Assert.Equal(Mlp.ParameterCount, net.Parameters.Length);
        Assert.Equal(Mlp.ParameterCount, net.Gradients.Length);
        Assert.Equal(("Mlp", 784, 10, 2, Loss.SoftmaxCrossEntropy), (view.Name, view.InputSize, view.OutputSize, view.MaxBatch, view.Loss));
        Assert.Equal(["Pixels", "H1", "H2", "Logits"], Mlp.LayerNames);
        Assert.Equal([784], Mlp.LayerShapes[0]);
        Assert.Equal([10], Mlp.LayerShapes[3]);

        Assert.Equal(["H1.weight", "H1.bias", "H2.weight", "H2.bias", "Logits.weight", "Logits.bias"], net.ParameterTensors.Select(t => t.Name));
        int offset = 0;
        foreach (var tensor in net.ParameterTensors)
        {
            Assert.Equal(offset, tensor.Offset);
            Assert.Equal(tensor.Shape.Aggregate(1, (a, b) => a * b), tensor.Length);
            Assert.Equal(tensor.Name.EndsWith(".weight", StringComparison.Ordinal), tensor.Transposed);
            offset += tensor.Length;
        }
        Assert.Equal(Mlp.ParameterCount, offset);
        Assert.Equal([256, 784], net.ParameterTensors[0].Shape);

        Assert.Equal([net.Pixels, net.H1, net.H2, net.Logits], net.Layers);
        Assert.Equal(("H1", "Dense", 256, 784 * 256 + 256), (net.H1.Name, net.H1.Kind, net.H1.OutputSize, net.H1.ParameterCount));
        Assert.Equal(0, net.Pixels.ParameterCount);
        Assert.True(net.Logits.Bias.Overlaps(net.Parameters));
    }

    [Fact]
    public void LayerViewsShowTheLastBatch()
    {
        var net = new Mlp(4, seed: 5);
        float[] input = RandomInput(3 * Mlp.InputSize, 6);
        float[] output = net.Forward(input, 3).ToArray();
        Assert.Equal(3, net.CurrentBatch);
        Assert.Equal(input, net.Pixels.Output.ToArray());
        Assert.Equal(output, net.Logits.Output.ToArray());
        Assert.All(net.H1.Output.ToArray(), a => Assert.True(a >= 0f));
        Assert.Contains(net.H1.Output.ToArray(), a => a > 0f);
    }

    [Fact]
    public void InitialisationFollowsTheSeedAndTheActivation()
    {
        var a = new Mlp(1, seed: 42);
        var b = new Mlp(1, seed: 42);
        var c = new Mlp(1, seed: 43);
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
        Assert.False(a.Parameters.SequenceEqual(c.Parameters));

        Assert.All(a.H1.Bias.ToArray(), v => Assert.Equal(0f, v));
        // He normal for the ReLU layer: standard deviation √(2/784).
        double std = Math.Sqrt(a.H1.Weight.ToArray().Select(w => (double)w * w).Average());
        Assert.InRange(std, 0.97 * Math.Sqrt(2.0 / 784), 1.03 * Math.Sqrt(2.0 / 784));
        // Glorot uniform for the linear output layer: inside ±√(6/(128+10)), and spread out to near the bound.
        double bound = Math.Sqrt(6.0 / (128 + 10));
        float[] logits = a.Logits.Weight.ToArray();
        Assert.All(logits, w => Assert.InRange(w, -bound, bound));
        Assert.True(logits.Max() > 0.9 * bound && logits.Min() < -0.9 * bound);
    }

    [Fact]
    public void ShapeSignatureDependsOnShapesNotOnNamesOrActivations()
    {
        Assert.Equal(Mlp.ShapeSignature, MlpTanh.ShapeSignature);
        Assert.NotEqual(Mlp.ShapeSignature, SpiralNet.ShapeSignature);
        Assert.NotEqual(ReluClassifier.ShapeSignature, XorNet.ShapeSignature);
        Assert.Equal(Mlp.ShapeSignature, ((INetwork)new Mlp(1)).ShapeSignature);
    }

    [Fact]
    public void SummaryIsAKerasStyleTable()
    {
        string[] lines = new Mlp(1).Summary().Split('\n');
        Assert.Equal("Model: \"Mlp\"", lines[0]);
        Assert.Matches(@"^Layer \(type\)\s+Output Shape\s+Param #$", lines[2]);
        Assert.Matches(@"^Pixels \(Input\)\s+\(None, 784\)\s+0$", lines[4]);
        Assert.Matches(@"^H1 \(Dense\)\s+\(None, 256\)\s+200,960$", lines[5]);
        Assert.Contains("Total params: 235,146", lines);
        Assert.Contains("Trainable params: 235,146", lines);
        // Columns line up: "Output Shape" and every shape start at the same column.
        int column = lines[2].IndexOf("Output Shape", StringComparison.Ordinal);
        Assert.All(lines.Skip(4).Take(4), l => Assert.Equal('(', l[column]));
    }
}
