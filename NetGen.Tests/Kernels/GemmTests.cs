using NetGen.Kernels;

namespace NetGen.Tests.Kernels;

public class GemmTests
{
    private static readonly int[] Sizes = [1, 2, 3, 7, 15, 16, 17, 31, 33, 63, 65, 127, 129, 255, 257];

    /// <summary>
    /// Each size appears once as m, n and k (rotated so shapes are lopsided too), plus empty products, k = 0, skinny rows (M ≤ 4) past 64 columns and one
    /// shape past every blocking constant (MC = 144, NC = 512, KC = 256), on every path and both accumulate modes.
    /// </summary>
    public static IEnumerable<object[]> Cases()
    {
        var shapes = new List<(int M, int N, int K)>();
        for (int i = 0; i < Sizes.Length; i++)
            shapes.Add((Sizes[i], Sizes[(i * 4 + 5) % Sizes.Length], Sizes[(i * 7 + 2) % Sizes.Length]));
        shapes.AddRange([(0, 5, 3), (4, 0, 3), (5, 6, 0), (1, 257, 129), (4, 130, 64), (150, 530, 300)]);
        foreach (var isa in Oracle.Paths())
            foreach (var form in Enum.GetValues<Form>())
                foreach (var (m, n, k) in shapes)
                    foreach (bool accumulate in new[] { false, true })
                        yield return [isa.ToString(), form, m, n, k, accumulate];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesOracle(string path, Form form, int m, int n, int k, bool accumulate)
    {
        var isa = Enum.Parse<GemmIsa>(path);
        var a = Oracle.Uniform(m * k, seed: 1 + m);
        var b = Oracle.Uniform(k * n, seed: 2 + n);
        var c0 = Oracle.Uniform(m * n + 5, seed: 3 + k);
        var c = (float[])c0.Clone();
        switch (form)
        {
            case Form.AB: Gemm.MatMul(m, n, k, a, b, c, accumulate, isa); break;
            case Form.AtB: Gemm.MatMulTransA(m, n, k, a, b, c, accumulate, isa); break;
            default: Gemm.MatMulTransB(m, n, k, a, b, c, accumulate, isa); break;
        }
        var expected = Oracle.Product(form, m, n, k, a, b);
        if (accumulate)
            for (int i = 0; i < expected.Length; i++) expected[i] += c0[i];
        Oracle.AssertClose(expected, c, Oracle.Tolerance(k), $"{path} {form} {m}×{n}×{k}");
        for (int i = m * n; i < c.Length; i++)
            Assert.Equal(c0[i], c[i]); // nothing past m·n is written
    }

    [Fact]
    public void PublicEntryPointsUseTheBestPath()
    {
        const int m = 19, n = 45, k = 70;
        var a = Oracle.Uniform(m * k, 5);
        var b = Oracle.Uniform(k * n, 6);
        var c = new float[m * n];
        Gemm.MatMulTransB(m, n, k, a, b, c, accumulate: false);
        Oracle.AssertClose(Oracle.Product(Form.ABt, m, n, k, a, b), c, Oracle.Tolerance(k), "MatMulTransB");
    }

    [Fact]
    public void ShortSpanNamesTheArgument()
    {
        var e = Assert.Throws<ArgumentException>(() => Gemm.MatMul(4, 5, 6, new float[24], new float[29], new float[20], false));
        Assert.Equal("b", e.ParamName);
        Assert.Contains("k·n = 30", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MatMul(-1, 5, 6, new float[24], new float[30], new float[20], false));
    }
}
