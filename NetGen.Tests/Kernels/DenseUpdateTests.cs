using NetGen.Kernels;
using NetGen.Optimizers;
using NetGen.Tests.Networks;

namespace NetGen.Tests.Kernels;

/// <summary>
/// <see cref="Dense.BackwardAndUpdate{TAct}(int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, bool, Span{float}, Span{float}, int, bool, Optimizer?, DenseTiling)"/>
/// — the weight update in the epilogue of the weight-gradient product — against <c>Backward</c>, an accumulating dx
/// product and <see cref="Optimizer.UpdateRange"/> run one after the other: parameters, optimizer state, dx, dy and the
/// bias gradient bit for bit, nothing outside the layer touched. Shapes cover the driver's one-k-block path (gradient
/// kept in scratch), several k-blocks (batch 300 > KC: gradient in C), column blocks (600 outputs > NC), few-input
/// products (the skinny path), an empty batch, and odd sizes off every tile; every kernel path and optimizer width.
/// </summary>
public class DenseUpdateTests
{
    private static readonly (int Batch, int Inputs, int Outputs)[] Shapes =
        [(1, 1, 1), (5, 3, 40), (3, 17, 33), (7, 65, 10), (13, 257, 37), (64, 100, 40), (300, 30, 70), (9, 40, 600), (0, 5, 7)];

    private static readonly string[] Kinds = ["sgd", "sgd momentum decay", "sgd nesterov decay", "adam decay", "adamw decay", "other"];

    public static IEnumerable<object[]> Cases()
    {
        foreach (var isa in Oracle.Paths())
            foreach (string kind in Kinds)
                foreach (var (batch, inputs, outputs) in Shapes)
                    yield return [isa.ToString(), kind, batch, inputs, outputs];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedUpdateEqualsBackwardThenUpdateRange(string path, string kind, int batch, int inputs, int outputs)
    {
        var isa = Enum.Parse<GemmIsa>(path);
        foreach (bool bias in new[] { true, false })
            foreach (bool accumulateDx in new[] { false, true })
                foreach (int lanes in new[] { 16, 8, 4, 1 })
                {
                    string what = $"{path} {kind} {batch}×{inputs}→{outputs} bias {bias} accumulate {accumulateDx} lanes {lanes}";
                    if (bias) Check<Relu>(isa, kind, batch, inputs, outputs, bias, accumulateDx, lanes, what);
                    else Check<Identity>(isa, kind, batch, inputs, outputs, bias, accumulateDx, lanes, what);
                }
    }

    /// <summary>Weight-gradient tilings (k-blocks that keep the gradient in scratch or not, column blocks off the panel
    /// width, the panel-outer order, each packing) and input-gradient tilings with the rule's k-block: the fused update
    /// equals the backward pass with the same tilings followed by the update.</summary>
    public static IEnumerable<object[]> TilingCases()
    {
        foreach (var isa in Oracle.Paths())
            for (int t = 0; t < Tilings.Length; t++)
                yield return [isa.ToString(), t];
    }

    private static readonly DenseTiling[] Tilings =
    [
        new() { WeightGradient = new() { KC = 7, NC = 17 } },
        new() { WeightGradient = new() { KC = 512, NC = 40, A = GemmOperand.Packed, B = GemmOperand.InPlace } },
        new() { WeightGradient = new() { Order = GemmLoopOrder.PanelsOuter, NC = 33 }, InputGradient = new() { Order = GemmLoopOrder.PanelsOuter } },
        new() { WeightGradient = new() { KC = 50, Order = GemmLoopOrder.PanelsOuter, B = GemmOperand.Packed },
                InputGradient = new() { NC = 70, A = GemmOperand.Packed, Transposition = GemmTransposition.Transposed } },
        new() { WeightGradient = new() { A = GemmOperand.InPlace, B = GemmOperand.Packed, Transposition = GemmTransposition.Direct },
                InputGradient = new() { Transposition = GemmTransposition.Direct, Order = GemmLoopOrder.PanelsOuter, A = GemmOperand.InPlace } },
    ];

    [Theory]
    [MemberData(nameof(TilingCases))]
    public void FusedUpdateWithTilings_EqualsBackwardThenUpdateRange(string path, int tilingIndex)
    {
        var isa = Enum.Parse<GemmIsa>(path);
        var tiling = Tilings[tilingIndex];
        foreach (string kind in new[] { "sgd momentum decay", "adam decay" })
            foreach (var (batch, inputs, outputs) in Shapes)
                foreach (bool accumulateDx in new[] { false, true })
                    Check<Relu>(isa, kind, batch, inputs, outputs, true, accumulateDx, 16, $"{path} {kind} {batch}×{inputs}→{outputs} accumulate {accumulateDx} tiling {tilingIndex}", tiling);
    }

    [Fact]
    public void RejectsBuffersThatDoNotMatch()
    {
        float[] x = new float[6], y = new float[4], dy = new float[4];
        float[] p = new float[20], g = new float[20];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Dense.BackwardAndUpdate<Identity>(2, 3, 2, x, y, dy, [], false, p, g, 15, true, null));
        Assert.Equal("offset", e.ParamName);
        Assert.Throws<ArgumentException>(() => Dense.BackwardAndUpdate<Identity>(2, 3, 2, x, y, dy, [], false, p, new float[19], 0, true, null));
        var o = Assert.Throws<ArgumentException>(() => Dense.BackwardAndUpdate<Identity>(2, 3, 2, x, y, dy, [], false, p, g, 0, true, new Sgd(21, 0.1f)));
        Assert.Equal("optimizer", o.ParamName);
    }

    internal static void Check<TAct>(GemmIsa isa, string kind, int batch, int inputs, int outputs, bool bias, bool accumulateDx, int lanes, string what,
        DenseTiling tiling = default)
        where TAct : struct, IActivation
    {
        // The layer sits between other parameters, which must come out untouched.
        int weights = inputs * outputs, offset = 11, length = weights + (bias ? outputs : 0), total = offset + length + 5;
        var x = Oracle.Uniform(batch * inputs, 1);
        var y = Oracle.Uniform(batch * outputs, 2).Select(v => MathF.Abs(v) * (v < -0.5f ? 0 : 1)).ToArray(); // some ReLU zeros
        var dyIn = Oracle.Uniform(batch * outputs, 3);
        var dxIn = Oracle.Uniform(batch * inputs, 4);
        var parametersIn = Oracle.Uniform(total, 5);
        var gradientsIn = Oracle.Uniform(total, 6);
        // Two steps, so that momentum and Adam's moments start non-zero in the compared one.
        var (expected, expectedOptimizer) = Run(fused: false);
        var (actual, actualOptimizer) = Run(fused: true);
        Assert.True(expected.P.AsSpan().SequenceEqual(actual.P), what + ": parameters");
        for (int s = 0; s < expectedOptimizer.State.Count; s++)
            Assert.True(expectedOptimizer.State[s].Values.AsSpan().SequenceEqual(actualOptimizer.State[s].Values), what + ": " + expectedOptimizer.State[s].Name);
        Assert.True(expected.Dx.AsSpan().SequenceEqual(actual.Dx), what + ": dx");
        Assert.True(expected.Dy.AsSpan().SequenceEqual(actual.Dy), what + ": dy");
        // Every gradient but the weight's (unspecified after a block update) is as Backward leaves it.
        Assert.True(expected.G.AsSpan(0, offset).SequenceEqual(actual.G.AsSpan(0, offset)), what + ": gradients before the layer");
        Assert.True(expected.G.AsSpan(offset + weights).SequenceEqual(actual.G.AsSpan(offset + weights)), what + ": bias gradient and after");
        if (!actualOptimizer.UpdatesBlocks || batch == 0)
            Assert.True(expected.G.AsSpan().SequenceEqual(actual.G), what + ": weight gradient");

        ((float[] P, float[] G, float[] Dx, float[] Dy), Optimizer) Run(bool fused)
        {
            var optimizer = FusedOptimizerStepTests.Make(kind, total);
            optimizer.MaxLanes = lanes;
            float[] p = (float[])parametersIn.Clone(), g = (float[])gradientsIn.Clone(), dx = [], dy = [];
            for (int step = 0; step < 2; step++)
            {
                dx = (float[])dxIn.Clone();
                dy = (float[])dyIn.Clone();
                if (fused)
                    Dense.BackwardAndUpdate<TAct>(batch, inputs, outputs, x, y, dy, dx, accumulateDx, p, g, offset, bias, optimizer, isa, tiling);
                else
                {
                    // As the generated code did before the fused update: an accumulating dx as a separate product.
                    var w = p.AsSpan(offset, weights);
                    Dense.Backward<TAct>(batch, inputs, outputs, x, w, y, dy, g.AsSpan(offset, weights),
                        bias ? g.AsSpan(offset + weights, outputs) : [], accumulateDx ? [] : dx, isa, tiling);
                    if (accumulateDx) Gemm.MatMulTransB(batch, inputs, outputs, dy, w, dx, true, isa);
                    optimizer.UpdateRange(p, g, offset, length);
                }
                optimizer.CompleteStep();
            }
            return ((p, g, dx, dy), optimizer);
        }
    }
}

/// <summary>The fused update on a product split over threads (by columns and by rows) equals the separate calls at 1, 2
/// and 3 threads. Changes the process-wide <see cref="Threading.MaxThreads"/>, so it runs alone.</summary>
[Collection(nameof(ThreadingTests))]
public class ThreadedDenseUpdateTests : IDisposable
{
    /// <summary>Every run is split (the pool's timing policy is off), so the fused update really runs on the workers.</summary>
    public ThreadedDenseUpdateTests() => NetGen.Kernels.GemmCore.WorkerPool.Adaptive = false;

    public void Dispose() => NetGen.Kernels.GemmCore.WorkerPool.Adaptive = true;

    [Theory]
    [InlineData(64, 300, 200)]
    [InlineData(64, 2000, 40)]
    public void ThreadedFusedUpdateEqualsSingleThreaded(int batch, int inputs, int outputs)
    {
        Assert.True((long)batch * inputs * outputs >= Gemm.ParallelThreshold, "shape must be large enough to be split");
        int saved = Threading.MaxThreads;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                Threading.MaxThreads = threads;
                foreach (string kind in new[] { "sgd momentum decay", "adam decay" })
                    foreach (var tiling in new DenseTiling[] { default, new() { WeightGradient = new() { KC = 50, NC = 33, Order = GemmLoopOrder.PanelsOuter }, InputGradient = new() { NC = 70, Order = GemmLoopOrder.PanelsOuter } } })
                        DenseUpdateTests.Check<Relu>(Gemm.BestIsa, kind, batch, inputs, outputs, true, false, 16, $"{threads} threads {kind} {tiling.WeightGradient}", tiling);
            }
        }
        finally
        {
            Threading.MaxThreads = saved;
        }
    }
}
