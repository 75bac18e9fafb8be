using NetGen.Kernels;

namespace NetGen.Tests.ConvKernels;

public class DropoutTests
{
    [Theory]
    [InlineData(0.1f)]
    [InlineData(0.5f)]
    [InlineData(0.8f)]
    public void MaskIsZeroOrInverseKeep_WithTheRequestedRate(float rate)
    {
        const int n = 100_000;
        var x = new float[n];
        Array.Fill(x, 2f);
        var y = new float[n];
        var mask = new float[n];
        var rng = new Rng(71);
        Dropout.Forward(rate, x, y, mask, ref rng);
        int dropped = 0;
        double sum = 0;
        float keep = 1f / (1f - rate);
        for (int i = 0; i < n; i++)
        {
            Assert.True(mask[i] == 0f || mask[i] == keep, $"mask[{i}] = {mask[i]}");
            Assert.Equal(x[i] * mask[i], y[i]);
            if (mask[i] == 0f) dropped++;
            sum += y[i];
        }
        // Binomial standard deviation is at most 0.0016 here; 0.01 is more than six of them.
        Assert.InRange(dropped / (double)n, rate - 0.01, rate + 0.01);
        Assert.InRange(sum / n, 2 * 0.97, 2 * 1.03); // inverted dropout keeps the mean
    }

    [Fact]
    public void MaskIsReproducibleFromTheSeed_AndAdvancesTheGenerator()
    {
        var data = new Rng(1);
        var x = Reference.RandomFloats(1000, ref data);
        float[] Run(ref Rng rng)
        {
            var mask = new float[x.Length];
            Dropout.Forward(0.5f, x, new float[x.Length], mask, ref rng);
            return mask;
        }
        var a = new Rng(5); var b = new Rng(5); var c = new Rng(6);
        var first = Run(ref a);
        Assert.Equal(first, Run(ref b));
        Assert.NotEqual(first, Run(ref c));
        Assert.NotEqual(first, Run(ref a)); // the next step draws a fresh mask
        Assert.Equal(Advance(new Rng(5), 2 * x.Length).State, a.State); // exactly one draw per value
    }

    [Fact]
    public void RateZeroIsTheIdentity_RateOneIsRejected()
    {
        var rng = new Rng(3);
        var x = Reference.RandomFloats(37, ref rng);
        var y = new float[37];
        var mask = new float[37];
        var before = rng.State;
        Dropout.Forward(0f, x, y, mask, ref rng);
        Assert.Equal(x, y);
        Assert.Equal(before, rng.State);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => { var r = new Rng(1); Dropout.Forward(1f, x, y, mask, ref r); });
        Assert.Equal("rate", e.ParamName);
    }

    [Fact]
    public void Backward_MatchesFiniteDifferencesWithAFixedMask()
    {
        const int n = 53; // not a multiple of the vector width: exercises the tail
        var rng = new Rng(9);
        var x = Reference.RandomFloats(n, ref rng);
        var mask = new float[n];
        Dropout.Forward(0.3f, x, new float[n], mask, ref rng);
        var r = Reference.ToDouble(Reference.RandomFloats(n, ref rng));
        var dx = new float[n];
        Dropout.Backward(mask, Array.ConvertAll(r, v => (float)v), dx);
        var xd = Reference.ToDouble(x);
        double Loss()
        {
            double s = 0;
            for (int i = 0; i < n; i++) s += xd[i] * mask[i] * r[i];
            return s;
        }
        Reference.Close("dx", Reference.NumericGradient(xd, Loss), dx, 1e-6, 1e-5);
    }

    private static Rng Advance(Rng rng, int draws)
    {
        for (int i = 0; i < draws; i++) rng.NextUInt32();
        return rng;
    }
}
