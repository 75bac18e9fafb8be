namespace NetGen.Tests.Runtime;

public class RngTests
{
    [Fact]
    public void SameSeedGivesSameStream_DifferentSeedDiffers()
    {
        var a = new Rng(42); var b = new Rng(42); var c = new Rng(43);
        bool anyDiff = false;
        for (int i = 0; i < 100; i++)
        {
            uint x = a.NextUInt32();
            Assert.Equal(x, b.NextUInt32());
            anyDiff |= x != c.NextUInt32();
        }
        Assert.True(anyDiff);
    }

    [Fact]
    public void StateRoundTrips()
    {
        var a = new Rng(7);
        a.NextUInt32();
        var b = Rng.FromState(a.State);
        Assert.Equal(a.NextUInt32(), b.NextUInt32());
    }

    [Fact]
    public void UniformAndGaussianHaveExpectedMoments()
    {
        var r = new Rng(1);
        double sumU = 0, sumG = 0, sumG2 = 0;
        const int n = 200_000;
        for (int i = 0; i < n; i++)
        {
            float u = r.NextFloat();
            Assert.InRange(u, 0f, 0.99999995f);
            sumU += u;
            double g = r.NextGaussian();
            sumG += g; sumG2 += g * g;
        }
        Assert.InRange(sumU / n, 0.495, 0.505);
        Assert.InRange(sumG / n, -0.01, 0.01);
        Assert.InRange(sumG2 / n, 0.98, 1.02);
    }
}
