namespace NetGen.Tests.SequenceKernels;

/// <summary>
/// Finite-difference checks of backpropagation through time. The loss is the fixed linear form
/// <c>L = Σ dy ⊙ hs + Σ dhLast ⊙ hLast + Σ dcLast ⊙ cLast</c> (so its gradients w.r.t. the outputs are exactly dy,
/// dhLast, dcLast), evaluated in double from the float kernels' outputs; every element of every tensor (x, both
/// weights, both biases, h0, c0) is checked by central differences.
/// </summary>
public class RecurrentGradientTests
{
    public enum Mode { Sequence, SequenceWithState, LastWithState }

    // Central differences, accumulated in double, over float32 forward passes. Step 3e-3 balances float rounding of
    // L (~1e-7 relative, divided by the step) against the O(step²) truncation error: the worst error seen over all
    // these cases is 2.2e-4 (1e-2 and 1e-3 both give ~6e-4), so the tolerance leaves a 4× margin.
    private const float Step = 3e-3f;
    private const double Tolerance = 1e-3;

    public static TheoryData<CellKind, Mode> Cases()
    {
        var data = new TheoryData<CellKind, Mode>();
        foreach (var kind in Enum.GetValues<CellKind>())
            foreach (var mode in Enum.GetValues<Mode>())
                data.Add(kind, mode);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardMatchesCentralDifferences(CellKind kind, Mode mode)
    {
        bool withState = mode != Mode.Sequence;
        var layer = new RecurrentHarness(kind, batch: 2, steps: 4, inputs: 3, hidden: 9).Randomize(seed: 11 + (ulong)kind, withState);
        var rng = new Rng(99);
        float[] dy = mode == Mode.LastWithState ? [] : new float[layer.Hs.Length];
        float[] dhLast = mode == Mode.Sequence ? [] : new float[layer.HLast.Length];
        float[] dcLast = mode == Mode.Sequence || !layer.HasCell ? [] : new float[layer.CLast.Length];
        RecurrentHarness.Fill(dy, 1f, ref rng);
        RecurrentHarness.Fill(dhLast, 1f, ref rng);
        RecurrentHarness.Fill(dcLast, 1f, ref rng);

        double Loss()
        {
            layer.Forward();
            return Dot(dy, layer.Hs) + Dot(dhLast, layer.HLast) + Dot(dcLast, layer.CLast);
        }

        Loss();
        layer.Backward(dy, dhLast, dcLast);
        var analytic = layer.Tensors().ToDictionary(t => t.Name, t => (float[])t.Gradient.Clone());

        int expectedTensors = 5 + (withState ? (layer.HasCell ? 2 : 1) : 0);
        Assert.Equal(expectedTensors, analytic.Count);
        foreach (var (name, value, _) in layer.Tensors())
        {
            double largest = 0;
            for (int i = 0; i < value.Length; i++)
            {
                float saved = value[i];
                value[i] = saved + Step; float up = value[i]; double lossUp = Loss();
                value[i] = saved - Step; float down = value[i]; double lossDown = Loss();
                value[i] = saved;
                double numeric = (lossUp - lossDown) / ((double)up - down);
                double error = Math.Abs(analytic[name][i] - numeric);
                Assert.True(error <= Tolerance * Math.Max(1, Math.Abs(numeric)),
                    $"{kind} {mode}: d{name}[{i}] analytic {analytic[name][i]} vs numeric {numeric} (error {error:E2})");
                largest = Math.Max(largest, Math.Abs(numeric));
            }
            Assert.True(largest > 1e-2, $"{kind} {mode}: d{name} is all near zero, so the check would prove nothing");
        }
    }

    private static double Dot(float[] a, float[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }
}
