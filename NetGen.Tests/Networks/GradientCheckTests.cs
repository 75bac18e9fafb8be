namespace NetGen.Tests.Networks;

/// <summary>
/// Finite-difference gradient checks, llm.c style: every parameter tensor of every network, analytic gradient from
/// <c>TrainStep</c> against central differences (L(p + ε) − L(p − ε)) / 2ε computed in double from the float losses,
/// ε = 1e-3. A tensor passes when ‖analytic − numeric‖₂ ≤ 1e-2 · max(‖analytic‖₂, ‖numeric‖₂) and every element is
/// within 1e-3 + 1e-2·|numeric|.
/// </summary>
public class GradientCheckTests
{
    private const double Epsilon = 1e-3, RelativeTolerance = 1e-2, ElementAbsoluteTolerance = 1e-3;
    private const int Batch = 4;

    internal static float[] RandomFloats(int count, ulong seed, float scale = 1f)
    {
        var rng = new Rng(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = scale * (2f * rng.NextFloat() - 1f);
        return values;
    }

    internal static int[] RandomLabels(int count, int classes, ulong seed)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, count).Select(_ => rng.NextInt(classes)).ToArray();
    }

    /// <summary>Checks every tensor (every <paramref name="stride"/>-th element of each, all when null; a stride of 0 skips
    /// the tensor); returns the analytic gradients for further checks.</summary>
    internal static float[] Check(INetwork net, Func<float> loss, Func<ParameterTensor, int>? stride = null)
    {
        loss();
        float[] analytic = net.Gradients.ToArray();
        Assert.Contains(analytic, g => g != 0f);
        foreach (var tensor in net.ParameterTensors)
        {
            int step = stride?.Invoke(tensor) ?? 1;
            if (step == 0) continue;
            var numeric = new double[tensor.Length];
            for (int i = 0; i < tensor.Length; i += step)
            {
                int k = tensor.Offset + i;
                float saved = net.Parameters[k];
                net.Parameters[k] = saved + (float)Epsilon;
                double plus = loss();
                net.Parameters[k] = saved - (float)Epsilon;
                double minus = loss();
                net.Parameters[k] = saved;
                numeric[i] = (plus - minus) / (2 * Epsilon);
            }
            double diff = 0, normA = 0, normN = 0;
            for (int i = 0; i < tensor.Length; i += step)
            {
                double a = analytic[tensor.Offset + i], n = numeric[i];
                diff += (a - n) * (a - n); normA += a * a; normN += n * n;
                Assert.True(Math.Abs(a - n) <= ElementAbsoluteTolerance + RelativeTolerance * Math.Abs(n),
                    $"{net.Name} {tensor.Name}[{i}]: analytic {a:G6}, numeric {n:G6}");
            }
            double scale = Math.Sqrt(Math.Max(normA, normN));
            Assert.True(Math.Sqrt(diff) <= RelativeTolerance * scale,
                $"{net.Name} {tensor.Name}: relative error {Math.Sqrt(diff) / scale:G3} (‖analytic‖ {Math.Sqrt(normA):G4}, ‖numeric‖ {Math.Sqrt(normN):G4})");
        }
        return analytic;
    }

    private static void CheckCrossEntropy(INetwork net, ulong seed)
    {
        float[] input = RandomFloats(Batch * net.InputSize, seed);
        int[] labels = RandomLabels(Batch, net.OutputSize, seed + 1);
        Check(net, () => net.TrainStep(input, labels, Batch));
    }

    private static float[] CheckSquaredError(INetwork net, ulong seed)
    {
        float[] input = RandomFloats(Batch * net.InputSize, seed);
        float[] targets = RandomFloats(Batch * net.OutputSize, seed + 1);
        return Check(net, () => net.TrainStep(input, targets, Batch));
    }

    [Fact]
    public void Relu_Dense_SoftmaxCrossEntropy() => CheckCrossEntropy(new ReluClassifier(Batch, seed: 3), 10);

    [Fact]
    public void MultiDimInput_Tanh_BiasFreeSigmoid_SquaredError() => CheckSquaredError(new TanhSigmoidRegressor(Batch, seed: 4), 20);

    [Fact]
    public void BiasFreeSigmoid_Identity_SoftmaxCrossEntropy() => CheckCrossEntropy(new SigmoidIdentityClassifier(Batch, seed: 5), 30);

    [Fact]
    public void FromSkip_UnusedBranchGetsZeroGradients()
    {
        var net = new SkipRegressor(Batch, seed: 6);
        float[] gradients = CheckSquaredError(net, 40);
        var probe = net.ParameterTensors.Where(t => t.Name.StartsWith("Probe.", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, probe.Count);
        Assert.All(probe, t => Assert.All(gradients.AsSpan(t.Offset, t.Length).ToArray(), g => Assert.Equal(0f, g)));
    }

    [Fact]
    public void MlpAtFullSize_SpotCheck()
    {
        // The 784-256-128-10 network is too large to perturb every weight: Logits.bias is checked fully, every 16th
        // element of Logits.weight, and the gradient must also reach the first layer.
        var net = new Mlp(Batch, seed: 7);
        float[] input = RandomFloats(Batch * Mlp.InputSize, 50);
        int[] labels = RandomLabels(Batch, Mlp.OutputSize, 51);
        float loss = net.TrainStep(input, labels, Batch);
        Assert.InRange(loss, 0.5f, 10f);
        float[] analytic = net.Gradients.ToArray();
        foreach (var tensor in net.ParameterTensors.Where(t => t.Name.StartsWith("Logits.", StringComparison.Ordinal)))
            for (int i = 0; i < tensor.Length; i += tensor.Length > 100 ? 16 : 1)
            {
                int k = tensor.Offset + i;
                float saved = net.Parameters[k];
                net.Parameters[k] = saved + (float)Epsilon;
                double plus = net.TrainStep(input, labels, Batch);
                net.Parameters[k] = saved - (float)Epsilon;
                double minus = net.TrainStep(input, labels, Batch);
                net.Parameters[k] = saved;
                double numeric = (plus - minus) / (2 * Epsilon);
                Assert.True(Math.Abs(analytic[k] - numeric) <= ElementAbsoluteTolerance + RelativeTolerance * Math.Abs(numeric),
                    $"{tensor.Name}[{i}]: analytic {analytic[k]:G6}, numeric {numeric:G6}");
            }
        Assert.Contains(net.H1.WeightGradient.ToArray(), g => g != 0f);
    }
}
