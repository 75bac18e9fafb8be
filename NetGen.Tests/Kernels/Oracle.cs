using NetGen.Kernels;

namespace NetGen.Tests.Kernels;

/// <summary>The three product forms, named by which operand is stored transposed.</summary>
public enum Form { AB, AtB, ABt }

/// <summary>Naive double-precision references the kernels are checked against, and seeded test data.</summary>
internal static class Oracle
{
    /// <summary>The paths this machine can run at full speed (a 512-bit path emulated in software would be very slow).</summary>
    public static IEnumerable<GemmIsa> Paths() =>
        Enum.GetValues<GemmIsa>().Where(isa => isa <= Gemm.BestIsa);

    /// <summary>The distinct element-wise widths of <see cref="Paths"/>.</summary>
    public static IEnumerable<int> LaneWidths() => Paths().Select(Gemm.Lanes).Distinct();

    public static float[] Uniform(int length, int seed, float low = -1f, float high = 1f)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < values.Length; i++) values[i] = low + (high - low) * random.NextSingle();
        return values;
    }

    /// <summary>
    /// C(i,j) = Σ_p A(i,p)·B(p,j) in double, with A stored [m,k] (or [k,m] for AtB) and B stored [k,n] (or [n,k]
    /// for ABt).
    /// </summary>
    public static double[] Product(Form form, int m, int n, int k, float[] a, float[] b)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    float aip = form == Form.AtB ? a[p * m + i] : a[i * k + p];
                    float bpj = form == Form.ABt ? b[j * k + p] : b[p * n + j];
                    s += (double)aip * bpj;
                }
                c[i * n + j] = s;
            }
        return c;
    }

    /// <summary>
    /// Float rounding bound for a k-term dot product of values in [−1, 1]: error grows at most linearly in k
    /// (≈ k·2⁻²⁴ per unit of |Σ|, Σ ≤ k), so 2·10⁻⁶·(k + 1) is loose for any correct order of summation yet
    /// orders of magnitude below a missing or misplaced term.
    /// </summary>
    public static double Tolerance(int k) => 2e-6 * (k + 1);

    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.True(expected.Length <= actual.Length, $"{what}: output too short");
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance))
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]} (tolerance {tolerance})");
    }
}
