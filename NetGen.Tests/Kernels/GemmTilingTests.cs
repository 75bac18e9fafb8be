using NetGen.Kernels;
using NetGen.Kernels.GemmCore;

namespace NetGen.Tests.Kernels;

/// <summary>
/// Explicit <see cref="GemmTiling"/>s against the double oracle: every k-block (tiny, a divisor of nothing here, the
/// largest), column blocks smaller than N and no multiple of the panel width, both loop orders, each packing and the
/// transposed run, over odd sizes in the three forms, with and without accumulation, with the bias + ReLU epilogue;
/// the rule's rejections; and the choices other than KC leave results bit-identical to the rule's.
/// </summary>
public class GemmTilingTests
{
    /// <summary>The bounds <see cref="GemmTiling"/> documents.</summary>
    private const int MaxKC = 512, MaxNC = 1024;

    internal static readonly GemmTiling[] Tilings =
    [
        default,
        new() { KC = 1 },
        new() { KC = 7, NC = 17 },
        new() { KC = 100, NC = 40 },
        new() { KC = MaxKC, NC = MaxNC },
        new() { NC = 33, Order = GemmLoopOrder.PanelsOuter },
        new() { KC = 64, Order = GemmLoopOrder.PanelsOuter, A = GemmOperand.InPlace, B = GemmOperand.Packed },
        new() { KC = 96, NC = 70, Order = GemmLoopOrder.SliversOuter, A = GemmOperand.Packed, B = GemmOperand.Packed },
        new() { A = GemmOperand.InPlace, B = GemmOperand.InPlace },
        new() { KC = 50, Order = GemmLoopOrder.PanelsOuter, B = GemmOperand.InPlace },
        new() { Transposition = GemmTransposition.Transposed },
        new() { KC = 40, NC = 45, Transposition = GemmTransposition.Transposed, Order = GemmLoopOrder.PanelsOuter },
        new() { Transposition = GemmTransposition.Direct, A = GemmOperand.Packed },
    ];

    private static readonly (int M, int N, int K)[] Shapes =
        [(1, 2, 3), (3, 5, 7), (13, 33, 17), (29, 70, 129), (65, 257, 255), (150, 40, 300), (5, 130, 65), (25, 47, 513)];

    public static IEnumerable<object[]> Cases()
    {
        foreach (var isa in Oracle.Paths())
            for (int t = 0; t < Tilings.Length; t++)
                foreach (var form in Enum.GetValues<Form>())
                    yield return [isa.ToString(), t, form];
    }

    /// <summary>Whether <paramref name="tiling"/> can run <paramref name="form"/> (B in place needs B's rows contiguous,
    /// after a transposition A's columns) with or without an epilogue.</summary>
    internal static bool Runs(GemmTiling tiling, Form form, bool epilogue)
    {
        bool transposed = tiling.Transposition == GemmTransposition.Transposed;
        if (tiling.Order == GemmLoopOrder.PanelsOuter && tiling.A == GemmOperand.Packed || transposed && epilogue) return false;
        return tiling.B != GemmOperand.InPlace || (transposed ? form == Form.AtB : form != Form.ABt);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesOracle(string path, int tilingIndex, Form form)
    {
        var isa = Enum.Parse<GemmIsa>(path);
        var tiling = Tilings[tilingIndex];
        foreach (var (m, n, k) in Shapes)
        {
            var a = Oracle.Uniform(m * k, seed: 1 + m);
            var b = Oracle.Uniform(k * n, seed: 2 + n);
            var bias = Oracle.Uniform(n, seed: 4);
            var c0 = Oracle.Uniform(m * n + 5, seed: 3 + k);
            foreach (bool epilogue in new[] { false, true })
                foreach (bool accumulate in new[] { false, true })
                {
                    string what = $"{path} {tiling} {form} {m}×{n}×{k} epilogue {epilogue} accumulate {accumulate}";
                    var c = (float[])c0.Clone();
                    if (!Runs(tiling, form, epilogue))
                    {
                        Assert.Throws<ArgumentException>(() => Multiply(isa, form, m, n, k, a, b, c, accumulate, epilogue ? bias : null, tiling));
                        continue;
                    }
                    Multiply(isa, form, m, n, k, a, b, c, accumulate, epilogue ? bias : null, tiling);
                    var expected = Oracle.Product(form, m, n, k, a, b);
                    for (int i = 0; i < expected.Length; i++)
                    {
                        if (accumulate) expected[i] += c0[i];
                        if (epilogue) expected[i] = Math.Max(0, expected[i] + bias[i % n]);
                    }
                    Oracle.AssertClose(expected, c, Oracle.Tolerance(k), what);
                    for (int i = m * n; i < c.Length; i++) Assert.Equal(c0[i], c[i]);
                }
        }
    }

    /// <summary>Loop order, packing, column block and transposition change where the terms are read from, not the order
    /// they are summed in: with the rule's KC every tiling gives the rule's bits.</summary>
    [Theory]
    [InlineData(Form.AB, 150, 300, 600)]
    [InlineData(Form.AtB, 64, 257, 300)]
    [InlineData(Form.ABt, 33, 130, 513)]
    public void OnlyKCChangesTheBits(Form form, int m, int n, int k)
    {
        var a = Oracle.Uniform(m * k, 5);
        var b = Oracle.Uniform(k * n, 6);
        var rule = new float[m * n];
        Multiply(Gemm.BestIsa, form, m, n, k, a, b, rule, false, null, default);
        foreach (var tiling in Tilings.Where(t => t.KC is 0 or 256 && Runs(t, form, false)))
        {
            var c = new float[m * n];
            Multiply(Gemm.BestIsa, form, m, n, k, a, b, c, false, null, tiling);
            Assert.True(rule.AsSpan().SequenceEqual(c), $"{tiling} {form}");
        }
    }

    [Theory]
    [InlineData(-1, 0, GemmLoopOrder.Rule, GemmOperand.Rule, GemmOperand.Rule, GemmTransposition.Rule, Form.AB, false, "KC must be 0")]
    [InlineData(MaxKC + 1, 0, GemmLoopOrder.Rule, GemmOperand.Rule, GemmOperand.Rule, GemmTransposition.Rule, Form.AB, false, "KC must be 0")]
    [InlineData(0, MaxNC + 1, GemmLoopOrder.Rule, GemmOperand.Rule, GemmOperand.Rule, GemmTransposition.Rule, Form.AB, false, "NC must be 0")]
    [InlineData(0, -5, GemmLoopOrder.Rule, GemmOperand.Rule, GemmOperand.Rule, GemmTransposition.Rule, Form.AB, false, "NC must be 0")]
    [InlineData(0, 0, (GemmLoopOrder)7, GemmOperand.Rule, GemmOperand.Rule, GemmTransposition.Rule, Form.AB, false, "not a GemmLoopOrder")]
    [InlineData(0, 0, GemmLoopOrder.Rule, (GemmOperand)3, GemmOperand.Rule, GemmTransposition.Rule, Form.AB, false, "not a GemmOperand")]
    [InlineData(0, 0, GemmLoopOrder.Rule, GemmOperand.Rule, GemmOperand.Rule, (GemmTransposition)(-1), Form.AB, false, "not a GemmTransposition")]
    [InlineData(0, 0, GemmLoopOrder.PanelsOuter, GemmOperand.Packed, GemmOperand.Rule, GemmTransposition.Rule, Form.AB, false, "reads A in place")]
    [InlineData(0, 0, GemmLoopOrder.Rule, GemmOperand.Rule, GemmOperand.InPlace, GemmTransposition.Rule, Form.ABt, false, "B read in place")]
    [InlineData(0, 0, GemmLoopOrder.Rule, GemmOperand.Rule, GemmOperand.InPlace, GemmTransposition.Transposed, Form.AB, false, "B read in place")]
    [InlineData(0, 0, GemmLoopOrder.Rule, GemmOperand.Rule, GemmOperand.Rule, GemmTransposition.Transposed, Form.AB, true, "has no epilogue")]
    public void TilingsThatCannotRun_Throw(int kc, int nc, GemmLoopOrder order, GemmOperand a, GemmOperand b, GemmTransposition transposition,
        Form form, bool epilogue, string why)
    {
        var tiling = new GemmTiling { KC = kc, NC = nc, Order = order, A = a, B = b, Transposition = transposition };
        foreach (var isa in Oracle.Paths())
        {
            var e = Assert.Throws<ArgumentException>(() => Multiply(isa, form, 20, 30, 40, new float[800], new float[1200], new float[600], false, epilogue ? new float[30] : null, tiling));
            Assert.Contains(why, e.Message);
            Assert.Equal("tiling", e.ParamName);
        }
    }

    [Theory]
    [InlineData(Form.AB)]
    [InlineData(Form.AtB)]
    [InlineData(Form.ABt)]
    public void PublicOverloads_RunTheTiling(Form form)
    {
        const int m = 29, n = 70, k = 129;
        var a = Oracle.Uniform(m * k, 7);
        var b = Oracle.Uniform(k * n, 8);
        foreach (var tiling in Tilings.Where(t => Runs(t, form, false)))
        {
            var expected = new float[m * n];
            var actual = new float[m * n];
            Multiply(Gemm.BestIsa, form, m, n, k, a, b, expected, false, null, tiling);
            switch (form)
            {
                case Form.AB: Gemm.MatMul(m, n, k, a, b, actual, false, tiling); break;
                case Form.AtB: Gemm.MatMulTransA(m, n, k, a, b, actual, false, tiling); break;
                default: Gemm.MatMulTransB(m, n, k, a, b, actual, false, tiling); break;
            }
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{tiling} {form}");
        }
        Assert.Throws<ArgumentException>(() => Gemm.MatMulTransB(m, n, k, a, b, new float[m * n], false, new GemmTiling { B = GemmOperand.InPlace }));
    }

    [Fact]
    public void TheFusedUpdateCannotRunTransposed()
    {
        var p = new float[60];
        var e = Assert.Throws<ArgumentException>(() => Dense.BackwardAndUpdate<Identity>(2, 3, 4, new float[6], new float[8], new float[8], [], false,
            p, new float[60], 0, true, new NetGen.Optimizers.Sgd(60, 0.1f), new DenseTiling { WeightGradient = new() { Transposition = GemmTransposition.Transposed } }));
        Assert.Contains("has no epilogue", e.Message);
    }

    [Fact]
    public void ToString_NamesTheChoicesInTheTablesWords()
    {
        Assert.Equal("rule", default(GemmTiling).ToString());
        Assert.Equal("kc=392 nc=256 order=panels a=inplace b=packed transpose=no",
            new GemmTiling { KC = 392, NC = 256, Order = GemmLoopOrder.PanelsOuter, A = GemmOperand.InPlace, B = GemmOperand.Packed, Transposition = GemmTransposition.Direct }.ToString());
    }

    /// <summary>C (+)= the form's product with <paramref name="tiling"/>, then, with <paramref name="bias"/>, ReLU(C + bias).</summary>
    internal static unsafe void Multiply(GemmIsa isa, Form form, int m, int n, int k, float[] a, float[] b, float[] c, bool accumulate, float[]? bias, GemmTiling tiling)
    {
        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
        {
            var g = new GemmArgs
            {
                M = m, N = n, K = k, A = pa, RsA = form == Form.AtB ? 1 : k, CsA = form == Form.AtB ? m : 1,
                B = pb, RsB = form == Form.ABt ? 1 : n, CsB = form == Form.ABt ? k : 1,
                C = pc, Ldc = n, Bias = pbias, Accumulate = accumulate, Tiling = tiling,
            };
            if (bias is null) Gemm.Run<Identity>(g, isa);
            else Gemm.Run<Relu>(g, isa);
        }
    }
}

/// <summary>Explicit tilings on products split over threads: 2 and 3 threads give the 1-thread bits. Changes the
/// process-wide <see cref="Threading.MaxThreads"/>, so it runs alone.</summary>
[Collection(nameof(ThreadingTests))]
public class ThreadedGemmTilingTests : IDisposable
{
    /// <summary>Every run is split (the pool's timing policy is off).</summary>
    public ThreadedGemmTilingTests() => WorkerPool.Adaptive = false;

    public void Dispose() => WorkerPool.Adaptive = true;

    [Theory]
    [InlineData(Form.AB, 96, 300, 160)]
    [InlineData(Form.AtB, 785, 40, 80)]
    [InlineData(Form.ABt, 64, 200, 250)]
    [InlineData(Form.AB, 13, 1000, 257)]
    public void ThreadedEqualsSingleThreaded(Form form, int m, int n, int k)
    {
        var a = Oracle.Uniform(m * k, 21);
        var b = Oracle.Uniform(k * n, 22);
        var bias = Oracle.Uniform(n, 24);
        int saved = Threading.MaxThreads;
        try
        {
            foreach (var tiling in GemmTilingTests.Tilings)
                foreach (bool epilogue in new[] { false, true })
                {
                    if (!GemmTilingTests.Runs(tiling, form, epilogue)) continue;
                    float[]? single = null;
                    foreach (int threads in new[] { 1, 2, 3 })
                    {
                        Threading.MaxThreads = threads;
                        var c = new float[m * n];
                        GemmTilingTests.Multiply(Gemm.BestIsa, form, m, n, k, a, b, c, false, epilogue ? bias : null, tiling);
                        single ??= c;
                        Assert.True(single.AsSpan().SequenceEqual(c), $"{tiling} {form} epilogue {epilogue} at {threads} threads");
                    }
                }
        }
        finally
        {
            Threading.MaxThreads = saved;
        }
    }
}
