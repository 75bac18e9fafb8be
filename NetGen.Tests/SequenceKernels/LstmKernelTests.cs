using NetGen.Kernels;
using System.Runtime.Intrinsics;

namespace NetGen.Tests.SequenceKernels;

/// <summary>
/// The LSTM kernels against a plain double-precision oracle over odd sizes on every path this machine runs (the
/// Vector256 and scalar paths forced through the internal <see cref="GemmIsa"/> overloads): hidden 25 = 16 + 8 + 1
/// runs every lane width of the cell passes, 4H of 40, 44, 100 and 1028 partial last panels of the per-step products,
/// batches 13, 26 and 33 several slivers of rows, and batches 33 (7 steps per dW_hh block) and 129 (2 per block) over
/// 9 and 5 steps dW_hh summed over several blocks, the last one partial; with and without an initial state and with
/// every kind of incoming gradient. The token forms against Embedding + the plain kernels; the cells' sigmoid and tanh
/// against double precision at every width.
/// </summary>
public class LstmKernelTests
{
    public static TheoryData<int, int, int, int, bool> Sizes() => new()
    {
        { 1, 1, 1, 1, false },
        { 1, 3, 2, 7, true },
        { 3, 5, 7, 9, true },
        { 2, 3, 5, 17, false },
        { 5, 4, 3, 25, true },
        { 4, 2, 6, 33, false },
        { 2, 2, 3, 130, true },
        { 2, 2, 1, 257, true },
        { 13, 3, 5, 11, true },
        { 26, 2, 2, 20, false },
        { 33, 9, 3, 10, true },
        { 129, 5, 2, 3, false },
        { 7, 4, 2, 31, true },
    };

    /// <summary><see cref="Sizes"/> on every path this machine runs.</summary>
    public static IEnumerable<object[]> SizesOnEveryPath()
    {
        foreach (var isa in Kernels.Oracle.Paths())
            foreach (var row in Sizes())
                yield return [isa.ToString(), .. row];
    }

    [Theory]
    [MemberData(nameof(SizesOnEveryPath))]
    public void ForwardAndBackwardMatchTheOracle(string path, int batch, int steps, int inputs, int hidden, bool withState)
    {
        var isa = Enum.Parse<GemmIsa>(path);
        var c = new Case(batch, steps, inputs, hidden, withState, seed: (ulong)(batch * 1000 + hidden));
        c.Forward(isa);
        var oracle = new Oracle(c);
        AssertClose(oracle.Hs, c.Hs, "hs");
        AssertClose(oracle.Cells, c.Cells, "cells");
        AssertClose(oracle.HLast, c.HLast, "hLast");
        AssertClose(oracle.CLast, c.CLast, "cLast");

        Lstm.BackwardOn(batch, steps, inputs, hidden, c.X, c.WIh, c.WHh, c.H0, c.C0, c.Gates, c.Cells, c.Hs, c.Dy, c.DhLast, c.DcLast,
            c.Dx, c.DwIh, c.DwHh, c.DbIh, c.DbHh, c.Dh0, c.Dc0, c.Scratch, isa);
        AssertClose(oracle.Dx, c.Dx, "dx");
        AssertClose(oracle.DwIh, c.DwIh, "dW_ih");
        AssertClose(oracle.DwHh, c.DwHh, "dW_hh");
        AssertClose(oracle.Db, c.DbIh, "db_ih");
        AssertClose(oracle.Db, c.DbHh, "db_hh");
        if (withState)
        {
            AssertClose(oracle.Dh0, c.Dh0, "dh0");
            AssertClose(oracle.Dc0, c.Dc0, "dc0");
        }
    }

    public static IEnumerable<object[]> TokenSizes()
    {
        (int, int, int, int, int, bool)[] sizes =
            [(1, 1, 1, 1, 1, false), (3, 5, 7, 4, 9, true), (2, 6, 70, 5, 25, false), (5, 3, 2, 3, 17, true), (13, 2, 11, 4, 10, true), (33, 9, 6, 3, 7, true)];
        foreach (var isa in Kernels.Oracle.Paths())
            foreach (var (batch, steps, vocabulary, inputs, hidden, withState) in sizes)
                yield return [isa.ToString(), batch, steps, vocabulary, inputs, hidden, withState];
    }

    [Theory]
    [MemberData(nameof(TokenSizes))]
    public void TokenFormsEqualTheEmbeddingThenThePlainKernels(string path, int batch, int steps, int vocabulary, int inputs, int hidden, bool withState)
    {
        var isa = Enum.Parse<GemmIsa>(path);
        var plain = new Case(batch, steps, inputs, hidden, withState, seed: 7);
        var fused = new Case(batch, steps, inputs, hidden, withState, seed: 7);
        var rng = new Rng(3);
        var tokens = new float[batch * steps];
        for (int i = 0; i < tokens.Length; i++) tokens[i] = (int)(rng.NextFloat() * Math.Min(vocabulary, 3)); // repeats, unused rows
        var table = new float[vocabulary * inputs];
        RecurrentHarness.Fill(table, 1f, ref rng);

        Embedding.Forward(tokens.Length, vocabulary, inputs, tokens, table, plain.X);
        plain.Forward(isa);
        Lstm.ForwardTokensOn(batch, steps, vocabulary, inputs, hidden, tokens, table, fused.WIh, fused.WHh, fused.BIh, fused.BHh, fused.H0, fused.C0,
            fused.Gates, fused.Cells, fused.Hs, fused.HLast, fused.CLast, fused.Scratch, isa);
        AssertClose(plain.Hs, fused.Hs, "hs");
        AssertClose(plain.CLast, fused.CLast, "cLast");

        var dTable = new float[table.Length];
        var dTableFused = Enumerable.Repeat(float.NaN, table.Length).ToArray(); // every element must be overwritten
        Lstm.BackwardOn(batch, steps, inputs, hidden, plain.X, plain.WIh, plain.WHh, plain.H0, plain.C0, plain.Gates, plain.Cells, plain.Hs,
            plain.Dy, plain.DhLast, plain.DcLast, plain.Dx, plain.DwIh, plain.DwHh, plain.DbIh, plain.DbHh, plain.Dh0, plain.Dc0, plain.Scratch, isa);
        Embedding.Backward(tokens.Length, vocabulary, inputs, tokens, plain.Dx, dTable);
        var gateValues = fused.Gates.ToArray();
        Lstm.BackwardTokensOn(batch, steps, vocabulary, inputs, hidden, tokens, table, fused.WIh, fused.WHh, fused.H0, fused.C0,
            fused.Gates, fused.Cells, fused.Hs, fused.Dy, fused.DhLast, fused.DcLast,
            dTableFused, fused.DwIh, fused.DwHh, fused.DbIh, fused.DbHh, fused.Dh0, fused.Dc0, fused.Scratch, isa);
        AssertClose(dTable, dTableFused, "dTable");
        AssertClose(plain.DwIh, fused.DwIh, "dW_ih");
        AssertClose(plain.DwHh, fused.DwHh, "dW_hh");
        AssertClose(plain.DbIh, fused.DbIh, "db");
        AssertClose(plain.Dh0, fused.Dh0, "dh0");
        Assert.Equal(gateValues, fused.Gates); // the token form keeps the gate values
    }

    [Fact]
    public void TokenFormsRejectIdsOutsideTheVocabulary()
    {
        var c = new Case(1, 2, 2, 3, withState: false, seed: 1);
        var table = new float[4 * 2];
        Assert.Throws<ArgumentOutOfRangeException>(() => Lstm.ForwardTokens(1, 2, 4, 2, 3, [1f, 4f], table, c.WIh, c.WHh, c.BIh, c.BHh, [], [],
            c.Gates, c.Cells, c.Hs, [], [], c.Scratch));
        Assert.Throws<ArgumentOutOfRangeException>(() => Lstm.ForwardTokens(1, 2, 4, 2, 3, [1f, 0.5f], table, c.WIh, c.WHh, c.BIh, c.BHh, [], [],
            c.Gates, c.Cells, c.Hs, [], [], c.Scratch));
    }

    [Fact]
    public void CellActivationsMatchDoublePrecisionAtEveryWidth()
    {
        for (float x = -120f; x <= 120f; x += 0.0137f)
        {
            double sigmoid = 1 / (1 + Math.Exp(-x)), tanh = Math.Tanh(x);
            var got = new List<(string, float, float)>
            {
                ("scalar sigmoid", CellMath.Sigmoid(x), (float)sigmoid),
                ("scalar tanh", CellMath.Tanh(x), (float)tanh),
            };
            if (Vector512.IsHardwareAccelerated)
            {
                got.Add(("512 sigmoid", CellMath.Sigmoid(Vector512.Create(x)).GetElement(15), (float)sigmoid));
                got.Add(("512 tanh", CellMath.Tanh(Vector512.Create(x)).GetElement(15), (float)tanh));
            }
            if (Vector256.IsHardwareAccelerated)
            {
                got.Add(("256 sigmoid", CellMath.Sigmoid(Vector256.Create(x)).GetElement(7), (float)sigmoid));
                got.Add(("256 tanh", CellMath.Tanh(Vector256.Create(x)).GetElement(7), (float)tanh));
            }
            foreach (var (what, value, expected) in got)
            {
                Assert.True(Math.Abs(value - expected) <= 4e-7 + 4e-7 * Math.Abs(expected), $"{what}({x}) = {value}, expected {expected}");
                Assert.False(float.IsSubnormal(value), $"{what}({x}) is subnormal");
            }
        }
    }

    private static void AssertClose(IReadOnlyList<double> expected, float[] actual, string what) =>
        AssertClose(expected.Select(v => (float)v).ToArray(), actual, what);

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 2e-4 * Math.Max(1, Math.Abs(expected[i])),
                $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    /// <summary>One layer's inputs, parameters, incoming gradients and every buffer the kernels write.</summary>
    private sealed class Case
    {
        public readonly int Batch, Steps, Inputs, Hidden;
        public readonly float[] X, WIh, WHh, BIh, BHh, H0, C0, Dy, DhLast, DcLast;
        public readonly float[] Gates, Cells, Hs, HLast, CLast, Scratch, Dx, DwIh, DwHh, DbIh, DbHh, Dh0, Dc0;

        public Case(int batch, int steps, int inputs, int hidden, bool withState, ulong seed)
        {
            (Batch, Steps, Inputs, Hidden) = (batch, steps, inputs, hidden);
            int width = Lstm.Gates * hidden, rows = batch * steps, bh = batch * hidden;
            var rng = new Rng(seed);
            float[] Random(int n, float scale) { var a = new float[n]; RecurrentHarness.Fill(a, scale, ref rng); return a; }
            X = Random(rows * inputs, 1f);
            WIh = Random(inputs * width, 0.5f); WHh = Random(hidden * width, 0.5f);
            BIh = Random(width, 0.5f); BHh = Random(width, 0.5f);
            H0 = withState ? Random(bh, 0.5f) : []; C0 = withState ? Random(bh, 0.5f) : [];
            Dy = Random(rows * hidden, 1f);
            DhLast = withState ? Random(bh, 1f) : []; DcLast = withState ? Random(bh, 1f) : [];
            Gates = new float[rows * width]; Cells = new float[rows * hidden]; Hs = new float[rows * hidden];
            HLast = new float[bh]; CLast = new float[bh]; Scratch = new float[Lstm.ScratchLength(batch, hidden)];
            Dx = new float[rows * inputs]; DwIh = new float[WIh.Length]; DwHh = new float[WHh.Length];
            DbIh = new float[width]; DbHh = new float[width]; Dh0 = new float[bh]; Dc0 = new float[bh];
        }

        public void Forward(GemmIsa isa) =>
            Lstm.ForwardOn(Batch, Steps, Inputs, Hidden, X, WIh, WHh, BIh, BHh, H0, C0, Gates, Cells, Hs, HLast, CLast, Scratch, isa);
    }

    /// <summary>The LSTM and its backpropagation through time written out sample by sample, step by step, in double.</summary>
    private sealed class Oracle
    {
        public readonly double[] Hs, Cells, HLast, CLast, Dx, DwIh, DwHh, Db, Dh0, Dc0;

        public Oracle(Case c)
        {
            int b = c.Batch, T = c.Steps, F = c.Inputs, H = c.Hidden, W = 4 * H;
            Hs = new double[b * T * H]; Cells = new double[b * T * H]; HLast = new double[b * H]; CLast = new double[b * H];
            Dx = new double[b * T * F]; DwIh = new double[F * W]; DwHh = new double[H * W]; Db = new double[W];
            Dh0 = new double[b * H]; Dc0 = new double[b * H];
            var act = new double[b * T * W];
            static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
            double Initial(float[] state, int s, int j) => state.Length == 0 ? 0 : state[s * H + j];

            for (int s = 0; s < b; s++)
            {
                var h = new double[H]; var cell = new double[H];
                for (int j = 0; j < H; j++) { h[j] = Initial(c.H0, s, j); cell[j] = Initial(c.C0, s, j); }
                for (int t = 0; t < T; t++)
                {
                    int row = s * T + t;
                    var z = new double[W];
                    for (int j = 0; j < W; j++)
                    {
                        double v = c.BIh[j] + c.BHh[j];
                        for (int k = 0; k < F; k++) v += c.X[row * F + k] * (double)c.WIh[k * W + j];
                        for (int k = 0; k < H; k++) v += h[k] * c.WHh[k * W + j];
                        z[j] = j >= 2 * H && j < 3 * H ? Math.Tanh(v) : Sigmoid(v);
                        act[row * W + j] = z[j];
                    }
                    for (int j = 0; j < H; j++)
                    {
                        cell[j] = z[H + j] * cell[j] + z[j] * z[2 * H + j];
                        h[j] = z[3 * H + j] * Math.Tanh(cell[j]);
                        Cells[row * H + j] = cell[j];
                        Hs[row * H + j] = h[j];
                    }
                }
                Array.Copy(h, 0, HLast, s * H, H);
                Array.Copy(cell, 0, CLast, s * H, H);
            }

            for (int s = 0; s < b; s++)
            {
                var dhNext = new double[H]; var dcNext = new double[H];
                for (int j = 0; j < H; j++) { dhNext[j] = Initial(c.DhLast, s, j); dcNext[j] = Initial(c.DcLast, s, j); }
                for (int t = T - 1; t >= 0; t--)
                {
                    int row = s * T + t;
                    var dz = new double[W];
                    var dcPrev = new double[H];
                    for (int j = 0; j < H; j++)
                    {
                        double i = act[row * W + j], f = act[row * W + H + j], g = act[row * W + 2 * H + j], o = act[row * W + 3 * H + j];
                        double tc = Math.Tanh(Cells[row * H + j]);
                        double cPrev = t > 0 ? Cells[(row - 1) * H + j] : Initial(c.C0, s, j);
                        double dh = c.Dy[row * H + j] + dhNext[j];
                        double dc = dcNext[j] + dh * o * (1 - tc * tc);
                        dz[j] = dc * g * i * (1 - i);
                        dz[H + j] = dc * cPrev * f * (1 - f);
                        dz[2 * H + j] = dc * i * (1 - g * g);
                        dz[3 * H + j] = dh * tc * o * (1 - o);
                        dcPrev[j] = dc * f;
                    }
                    for (int j = 0; j < W; j++)
                    {
                        Db[j] += dz[j];
                        for (int k = 0; k < F; k++) DwIh[k * W + j] += c.X[row * F + k] * dz[j];
                        for (int k = 0; k < H; k++) DwHh[k * W + j] += (t > 0 ? Hs[(row - 1) * H + k] : Initial(c.H0, s, k)) * dz[j];
                    }
                    for (int k = 0; k < F; k++)
                        for (int j = 0; j < W; j++) Dx[row * F + k] += dz[j] * c.WIh[k * W + j];
                    for (int k = 0; k < H; k++)
                    {
                        double v = 0;
                        for (int j = 0; j < W; j++) v += dz[j] * c.WHh[k * W + j];
                        dhNext[k] = v;
                    }
                    dcNext = dcPrev;
                }
                Array.Copy(dhNext, 0, Dh0, s * H, H);
                Array.Copy(dcNext, 0, Dc0, s * H, H);
            }
        }
    }
}
