using System.Runtime.Intrinsics;
using NetGen.Kernels;

namespace NetGen.Tests.Kernels;

public class LossesTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (int lanes in Oracle.LaneWidths())
            foreach (int size in new[] { 1, 3, 7, 8, 10, 15, 16, 17, 40, 65, 100, 257 })
                yield return [lanes, size];
    }

    public static IEnumerable<object[]> SoftmaxCases()
    {
        // Batches below, at and past the 16-row blocks of the few-class path.
        foreach (var c in Cases())
            foreach (int batch in new[] { 6, 16, 37 })
                yield return [.. c, batch];
    }

    [Theory]
    [MemberData(nameof(SoftmaxCases))]
    public void SoftmaxCrossEntropyMatchesOracle(int lanes, int classes, int batch)
    {
        var logits = Oracle.Uniform(batch * classes, classes, -8f, 8f);
        var labels = Enumerable.Range(0, batch).Select(b => (b * 7) % classes).ToArray();
        double expectedLoss = 0;
        var expectedGrad = new double[batch * classes];
        for (int b = 0; b < batch; b++)
        {
            var z = logits.AsSpan(b * classes, classes).ToArray();
            double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
            expectedLoss += Math.Log(sum) + max - z[labels[b]];
            for (int j = 0; j < classes; j++)
                expectedGrad[b * classes + j] = (Math.Exp(z[j] - max) / sum - (j == labels[b] ? 1 : 0)) / batch;
        }
        var grad = new float[batch * classes];
        float loss = Losses.SoftmaxCrossEntropy(batch, classes, logits, labels, grad, lanes);
        Assert.Equal(expectedLoss / batch, loss, 1e-5 * (1 + Math.Abs(expectedLoss / batch)));
        Oracle.AssertClose(expectedGrad, grad, 1e-6, $"dLogits ({lanes} lanes, {classes} classes)");
        Assert.Equal(loss, Losses.SoftmaxCrossEntropy(batch, classes, logits, labels, [], lanes));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(16)]
    public void FewClassSoftmaxIsTheSameAt16And8And4Lanes(int classes)
    {
        // JIT and NativeAOT may enable different vector widths on one machine; their training must still agree. Without
        // 16-lane vectors the calls would take a narrower path and compare it with itself.
        if (!Vector512.IsHardwareAccelerated) return;
        const int batch = 37;
        var logits = Oracle.Uniform(batch * classes, classes + 7, -8f, 8f);
        var labels = Enumerable.Range(0, batch).Select(b => (b * 5) % classes).ToArray();
        var grad16 = new float[batch * classes];
        float loss16 = Losses.SoftmaxCrossEntropy(batch, classes, logits, labels, grad16, 16);
        foreach (int lanes in new[] { 8, 4 })
        {
            var grad = new float[batch * classes];
            Assert.Equal(loss16, Losses.SoftmaxCrossEntropy(batch, classes, logits, labels, grad, lanes));
            Assert.Equal(grad16, grad);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SquaredErrorMatchesOracle(int lanes, int size)
    {
        const int batch = 5;
        var y = Oracle.Uniform(batch * size, size, -2f, 2f);
        var t = Oracle.Uniform(batch * size, size + 100, -2f, 2f);
        double expected = 0;
        var expectedGrad = new double[y.Length];
        for (int i = 0; i < y.Length; i++)
        {
            double d = (double)y[i] - t[i];
            expected += 0.5 * d * d;
            expectedGrad[i] = d / batch;
        }
        var grad = new float[y.Length];
        float loss = Losses.SquaredError(batch, size, y, t, grad, lanes);
        Assert.Equal(expected / batch, loss, 1e-5 * (1 + expected / batch));
        Oracle.AssertClose(expectedGrad, grad, 1e-6, $"dY ({lanes} lanes, size {size})");
    }

    [Fact]
    public void BadLabelIsReported()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Losses.SoftmaxCrossEntropy(2, 3, new float[6], [0, 3], []));
        Assert.Contains("Label 3 of sample 1", e.Message);
        Assert.Equal("labels", e.ParamName);
    }
}
