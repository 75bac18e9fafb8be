using NetGen.Kernels;
using NetGen.Kernels.GemmCore;

namespace NetGen.Tests.Kernels;

public class GemmTests
{
    private static readonly int[] Sizes = [1, 2, 3, 7, 15, 16, 17, 31, 33, 63, 65, 127, 129, 255, 257];

    /// <summary>
    /// Each size appears once as m, n and k (rotated so shapes are lopsided too), plus empty products, k = 0, skinny rows (M ≤ 4) past 64 columns,
    /// one shape past every blocking constant (144 rows, NC = 512, KC = 256) and two that A·Bᵀ runs transposed (few rows, long k), on every path
    /// and both accumulate modes.
    /// </summary>
    public static IEnumerable<object[]> Cases()
    {
        var shapes = new List<(int M, int N, int K)>();
        for (int i = 0; i < Sizes.Length; i++)
            shapes.Add((Sizes[i], Sizes[(i * 4 + 5) % Sizes.Length], Sizes[(i * 7 + 2) % Sizes.Length]));
        shapes.AddRange([(0, 5, 3), (4, 0, 3), (5, 6, 0), (1, 257, 129), (4, 130, 64), (150, 530, 300), (16, 300, 600), (9, 40, 700)]);
        return OnEveryPath(shapes);
    }

    /// <summary>Each of <paramref name="shapes"/> on every path, in every form, overwriting and accumulating:
    /// rows of (path, form, m, n, k, accumulate).</summary>
    private static IEnumerable<object[]> OnEveryPath(IReadOnlyList<(int M, int N, int K)> shapes)
    {
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
        Multiply(isa, form, m, n, k, a, b, c, accumulate);
        var expected = Oracle.Product(form, m, n, k, a, b);
        if (accumulate)
            for (int i = 0; i < expected.Length; i++) expected[i] += c0[i];
        Oracle.AssertClose(expected, c, Oracle.Tolerance(k), $"{path} {form} {m}×{n}×{k}");
        for (int i = m * n; i < c.Length; i++)
            Assert.Equal(c0[i], c[i]); // nothing past m·n is written
    }

    /// <summary>
    /// Rows computed alone (M = 1) or as a skinny block (M = 3) must be bit-identical to the same rows inside a
    /// batch, whichever path the batch takes (in-place tiles, packed row blocks past MC, threads), with k past
    /// KC so the k-blocking is crossed, and n with full and partial vectors, 8-vector passes and narrow outputs.
    /// </summary>
    public static IEnumerable<object[]> BatchCases() =>
        OnEveryPath([(64, 10, 300), (64, 200, 600), (150, 130, 257), (40, 784, 128), (64, 256, 784), (32, 128, 512)]);

    [Theory]
    [MemberData(nameof(BatchCases))]
    public void RowsAloneEqualTheSameRowsInABatch(string path, Form form, int m, int n, int k, bool accumulate)
    {
        var isa = Enum.Parse<GemmIsa>(path);
        var a = Oracle.Uniform(m * k, seed: 11 + m);
        var b = Oracle.Uniform(k * n, seed: 12 + n);
        var c0 = Oracle.Uniform(m * n, seed: 13 + k);
        var batched = (float[])c0.Clone();
        Multiply(isa, form, m, n, k, a, b, batched, accumulate);
        foreach (var (first, rows) in new[] { (0, 1), (m / 2, 1), (m - 1, 1), (m - 3, 3) })
        {
            // The rows' slice of A in the form's layout: [rows, k], or [k, rows] for AtB.
            var aRows = new float[rows * k];
            for (int i = 0; i < rows; i++)
                for (int p = 0; p < k; p++)
                    aRows[form == Form.AtB ? p * rows + i : i * k + p] = form == Form.AtB ? a[p * m + first + i] : a[(first + i) * k + p];
            var alone = c0.AsSpan(first * n, rows * n).ToArray();
            Multiply(isa, form, rows, n, k, aRows, b, alone, accumulate);
            for (int e = 0; e < alone.Length; e++)
                if (BitConverter.SingleToInt32Bits(alone[e]) != BitConverter.SingleToInt32Bits(batched[first * n + e]))
                    Assert.Fail($"{path} {form} {m}×{n}×{k}: rows {first}..{first + rows - 1} alone differ at row {first + e / n}, column {e % n}: {alone[e]:R} vs {batched[first * n + e]:R} in the batch");
        }
    }

    /// <summary>
    /// The vector paths (128-, 256- and 512-bit, as far as this machine runs them) form each element by the same
    /// multiply-add chain, so they give the same bits: a network trains alike on an ARM64 laptop and an AVX-512 server.
    /// </summary>
    [Theory]
    [InlineData(Form.AB, 64, 256, 784)]
    [InlineData(Form.AtB, 784, 256, 64)]
    [InlineData(Form.ABt, 64, 784, 256)]
    [InlineData(Form.AB, 3, 10, 300)]
    [InlineData(Form.AtB, 37, 75, 600)]
    [InlineData(Form.ABt, 150, 130, 257)]
    public void VectorPathsGiveTheSameBits(Form form, int m, int n, int k)
    {
        var paths = Oracle.Paths().Where(isa => isa != GemmIsa.Scalar).ToList();
        Assert.NotEmpty(paths);
        var a = Oracle.Uniform(m * k, seed: 21 + m);
        var b = Oracle.Uniform(k * n, seed: 22 + n);
        var c0 = Oracle.Uniform(m * n, seed: 23 + k);
        foreach (bool accumulate in new[] { false, true })
        {
            var first = (float[])c0.Clone();
            Multiply(paths[0], form, m, n, k, a, b, first, accumulate);
            foreach (var isa in paths.Skip(1))
            {
                var c = (float[])c0.Clone();
                Multiply(isa, form, m, n, k, a, b, c, accumulate);
                for (int e = 0; e < c.Length; e++)
                    if (BitConverter.SingleToInt32Bits(c[e]) != BitConverter.SingleToInt32Bits(first[e]))
                        Assert.Fail($"{isa} {form} {m}×{n}×{k} accumulate {accumulate} differs from {paths[0]} at row {e / n}, column {e % n}: {c[e]:R} vs {first[e]:R}");
            }
        }
    }

    /// <summary>
    /// The tiled driver alone (no skinny path in front of it, as for a thread's share of rows): every row count
    /// from 1 to past two slivers, so each kernel height 1…MR runs, in place and packed (a transposed A is packed),
    /// with full, partial and narrow column panels, k past KC, and the bias + ReLU epilogue.
    /// </summary>
    public static IEnumerable<object[]> DriverCases()
    {
        foreach (var isa in Oracle.Paths().Where(isa => isa != GemmIsa.Scalar))
        {
            int mr = isa switch { GemmIsa.Vector512 => Vector512Kernel.MR, GemmIsa.Vector256 => Vector256Kernel.MR, _ => Vector128Kernel.MR };
            foreach (var form in Enum.GetValues<Form>())
                for (int m = 1; m <= 2 * mr + 3; m++)
                    yield return [isa.ToString(), form, m, m % 3 == 0 ? 75 : m % 3 == 1 ? 10 : 64, m % 2 == 0 ? 300 : 37];
        }
    }

    [Theory]
    [MemberData(nameof(DriverCases))]
    public unsafe void DriverCoversEverySliverHeight(string path, Form form, int m, int n, int k)
    {
        var a = Oracle.Uniform(m * k, seed: 31 + m);
        var b = Oracle.Uniform(k * n, seed: 32 + n);
        var bias = Oracle.Uniform(n, seed: 33);
        var c0 = Oracle.Uniform(m * n + 3, seed: 34 + k);
        foreach (bool accumulate in new[] { false, true })
        {
            var c = (float[])c0.Clone();
            fixed (float* pa = a, pb = b, pc = c, pbias = bias)
            {
                var g = new GemmArgs
                {
                    M = m, N = n, K = k, A = pa, RsA = form == Form.AtB ? 1 : k, CsA = form == Form.AtB ? m : 1,
                    B = pb, RsB = form == Form.ABt ? 1 : n, CsB = form == Form.ABt ? k : 1,
                    C = pc, Ldc = n, Bias = pbias, Accumulate = accumulate,
                };
                if (path == nameof(GemmIsa.Vector512)) GemmDriver.Run<Vector512Kernel, Relu>(g);
                else if (path == nameof(GemmIsa.Vector256)) GemmDriver.Run<Vector256Kernel, Relu>(g);
                else GemmDriver.Run<Vector128Kernel, Relu>(g);
            }
            var expected = Oracle.Product(form, m, n, k, a, b);
            for (int i = 0; i < expected.Length; i++)
                expected[i] = Math.Max(0, expected[i] + (accumulate ? c0[i] : 0) + bias[i % n]);
            Oracle.AssertClose(expected, c, Oracle.Tolerance(k), $"{path} {form} {m}×{n}×{k} accumulate {accumulate}");
            for (int i = m * n; i < c.Length; i++) Assert.Equal(c0[i], c[i]);
        }
    }

    private static void Multiply(GemmIsa isa, Form form, int m, int n, int k, float[] a, float[] b, float[] c, bool accumulate)
    {
        switch (form)
        {
            case Form.AB: Gemm.MatMul(m, n, k, a, b, c, accumulate, isa); break;
            case Form.AtB: Gemm.MatMulTransA(m, n, k, a, b, c, accumulate, isa); break;
            default: Gemm.MatMulTransB(m, n, k, a, b, c, accumulate, isa); break;
        }
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
