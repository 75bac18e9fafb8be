namespace NetGen.Tests.Networks;

/// <summary>Generated networks learn: plain SGD (p −= lr·g over the flat buffers), fixed seeds, fixed step budgets.</summary>
public class LearningTests
{
    private static void SgdStep(INetwork net, float learningRate)
    {
        var p = net.Parameters;
        var g = net.Gradients;
        for (int i = 0; i < p.Length; i++) p[i] -= learningRate * g[i];
    }

    private static double Accuracy(INetwork net, float[] inputs, int[] labels)
    {
        var logits = net.Forward(inputs, labels.Length);
        int correct = 0;
        for (int b = 0; b < labels.Length; b++)
        {
            var row = logits.Slice(b * net.OutputSize, net.OutputSize);
            int best = 0;
            for (int j = 1; j < row.Length; j++) if (row[j] > row[best]) best = j;
            if (best == labels[b]) correct++;
        }
        return (double)correct / labels.Length;
    }

    [Fact]
    public void LearnsXor()
    {
        float[] inputs = [0, 0, 0, 1, 1, 0, 1, 1];
        int[] labels = [0, 1, 1, 0];
        var net = new XorNet(maxBatch: 4, seed: 1);
        float first = net.TrainStep(inputs, labels, 4), last = first;
        for (int step = 0; step < 1000; step++)
        {
            last = net.TrainStep(inputs, labels, 4);
            SgdStep(net, 0.5f);
        }
        Assert.True(last < 0.05f * first, $"loss {first} → {last}");
        Assert.Equal(1.0, Accuracy(net, inputs, labels));
    }

    /// <summary>Two interleaved spirals, <paramref name="perClass"/> points each, 1.5 turns.</summary>
    private static (float[] Points, int[] Labels) Spirals(int perClass, ulong seed)
    {
        var rng = new Rng(seed);
        var points = new float[2 * perClass * 2];
        var labels = new int[2 * perClass];
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < perClass; i++)
            {
                int n = c * perClass + i;
                float t = (i + 1f) / perClass;
                float angle = 3f * MathF.PI * t + c * MathF.PI + 0.05f * rng.NextGaussian();
                points[2 * n] = t * MathF.Cos(angle);
                points[2 * n + 1] = t * MathF.Sin(angle);
                labels[n] = c;
            }
        return (points, labels);
    }

    [Fact]
    public void LearnsTwoSpirals()
    {
        const int perClass = 100, batch = 40, epochs = 200;
        var (points, labels) = Spirals(perClass, seed: 2);
        int count = labels.Length;
        var net = new SpiralNet(maxBatch: count, seed: 3);
        var order = Enumerable.Range(0, count).ToArray();
        var rng = new Rng(4);
        float[] xb = new float[batch * 2];
        int[] yb = new int[batch];
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            for (int i = count - 1; i > 0; i--)
            {
                int j = rng.NextInt(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            for (int start = 0; start < count; start += batch)
            {
                for (int b = 0; b < batch; b++)
                {
                    int n = order[start + b];
                    xb[2 * b] = points[2 * n];
                    xb[2 * b + 1] = points[2 * n + 1];
                    yb[b] = labels[n];
                }
                net.TrainStep(xb, yb, batch);
                SgdStep(net, epoch < 150 ? 0.2f : 0.05f);
            }
        }
        double accuracy = Accuracy(net, points, labels);
        Assert.True(accuracy >= 0.99, $"training accuracy {accuracy:P1}");
    }
}
