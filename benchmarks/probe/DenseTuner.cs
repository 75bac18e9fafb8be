// The Dense part of `-- tune` (Tuner.cs calls it): for each Dense layer of the sample and benchmark networks listed
// below, at each of its batch sizes, each product (forward y = x·w with its bias and activation, dx = dy·wᵀ unless the
// layer is a network's first, dw = xᵀ·dy with SGD's update fused into it) is timed under candidate GEMM tilings at 1
// thread, as the minimum over many short repetitions with the candidates alternating, in four stages that each keep the
// fastest so far: the k-block (128 … 512, the whole k when it fits, balanced blocks), then the loop order and each
// operand's packing, then the column block, then (dx only: the others have an epilogue) the transposition. The winner
// is timed again against the rule at 1 and at N threads (1 thread by its CPU clock, N by the wall clock); it is written only where it is more than 5% faster than the
// rule at 1 thread, else the rule (a line with no tiling keys), with the measured times in the note either way.
using System.Globalization;
using System.Text;
using NetGen.Generator.Tuning;
using NetGen.Kernels;
using NetGen.Optimizers;

static class DenseTuner
{
    /// <summary>A Dense layer to tune: where it comes from, its sizes (per step on a sequence of <c>Steps</c>), its
    /// activation, whether it is a network's first layer (no dx), and the batch sizes its networks run.</summary>
    private sealed record Layer(string Where, int Inputs, int Outputs, int Steps, bool Relu, bool First, int[] Batches);

    private static readonly Layer[] Layers =
    [
        new("MLP 784-256-128-10 H1 (NetGen.Samples, NetGen.Benchmarks)", 784, 256, 0, true, true, [1, 64, 256]),
        new("MLP H2", 256, 128, 0, true, false, [1, 64, 256]),
        new("MLP logits (also FashionConvNet's)", 128, 10, 0, false, false, [1, 64, 256]),
        new("LeNet-5 F5", 400, 120, 0, true, false, [1, 64]),
        new("LeNet-5 F6", 120, 84, 0, true, false, [1, 64]),
        new("LeNet-5 logits", 84, 10, 0, false, false, [1, 64]),
        new("FashionConvNet hidden (NetGen.Samples)", 3136, 128, 0, true, false, [1, 64]),
        new("char-LSTM logits (NetGen.Samples), 64 steps", 256, 128, 64, false, false, [1, 32]),
        new("char-LSTM logits (NetGen.Benchmarks), 64 steps", 128, 65, 64, false, false, [1, 32]),
    ];

    /// <summary>A tiling replaces the rule only when it is this much faster at 1 thread (repeated runs of the same
    /// product disagree by a few percent on this shared machine).</summary>
    private const double Margin = 1.05;

    public static void Run(StringBuilder table, string isa, int threads)
    {
        table.AppendLine("# Dense layers: product=forward|dx|dw and a GemmTiling (kc nc order a b transpose; none: the rule); the winner only where it is more than 5% faster than the rule at 1 thread.");
        foreach (var layer in Layers)
        {
            var batches = layer.Batches.Order().ToArray();
            for (int i = 0; i < batches.Length; i++)
            {
                int batch = batches[i];
                string range = batches.Length == 1 ? "*"
                    : i == batches.Length - 1 ? $"{batches[i - 1] + 1}-*"
                    : i == 0 ? (batch == 1 ? "1" : $"1-{batch}")
                    : $"{batches[i - 1] + 1}-{batch}";
                table.Append("# ").Append(layer.Where).Append(", batch ").Append(batch).AppendLine();
                foreach (string product in new[] { "forward", "dx", "dw" })
                {
                    if (product == "dx" && layer.First) continue;
                    var (winner, note) = Tune(layer, batch, product, threads);
                    Console.WriteLine($"{layer.Where}, batch {batch}, {product}: {winner}; {note}");
                    table.Append(TuningSignatures.Dense(layer.Inputs, layer.Outputs, layer.Steps)).Append(" batch=").Append(range)
                        .Append(" isa=").Append(isa).Append(" product=").Append(product)
                        .Append(winner.IsRule ? "" : " " + winner).Append(" # ").Append(note).AppendLine();
                }
            }
        }
    }

    /// <summary>The tiling to write for one product, and the line's note.</summary>
    private static (GemmTiling Winner, string Note) Tune(Layer layer, int batch, string product, int threads)
    {
        int rows = batch * Math.Max(1, layer.Steps), k = layer.Inputs, n = layer.Outputs;
        // The product's sizes as the driver sees them: forward and dx have a row per sample, dw a row per input.
        var (M, N, K) = product switch { "forward" => (rows, n, k), "dx" => (rows, k, n), _ => (k, n, rows) };
        var call = Call(layer, rows, product);
        double flop = 2.0 * rows * k * n;
        int inner = Math.Max(1, (int)(2e5 / flop));
        Threading.MaxThreads = 1;

        var best = default(GemmTiling);
        double bestTime = Time(call, best, inner);
        // The k-blocks: the usual sizes, the whole k where it fits, and k in equal blocks of at most 256 or 512.
        var kcs = new[] { 128, 192, 256, 384, 512, K <= 512 ? K : 0, Balanced(K, 256), Balanced(K, 512) }
            .Where(kc => kc > 0).Select(kc => Math.Min(kc, K)).Distinct();
        (best, bestTime) = Fastest(call, inner, best, bestTime, kcs.Select(kc => new GemmTiling { KC = kc == GemmRules.DefaultKC ? 0 : kc }));
        var orders = new[] { GemmLoopOrder.Rule, GemmLoopOrder.PanelsOuter };
        var operands = new[] { GemmOperand.Rule, GemmOperand.Packed, GemmOperand.InPlace };
        var kept = best;
        (best, bestTime) = Fastest(call, inner, best, bestTime,
            from o in orders from a in operands from b in operands select kept with { Order = o, A = a, B = b });
        kept = best;
        var ncs = new[] { 64, 128, 256, 512, 1024 }.Where(nc => nc < N || nc / 2 < N).Select(nc => nc == GemmRules.DefaultNC ? 0 : nc);
        (best, bestTime) = Fastest(call, inner, best, bestTime, ncs.Select(nc => kept with { NC = nc }));
        if (product == "dx")
        {
            kept = best;
            (best, bestTime) = Fastest(call, inner, best, bestTime,
                new[] { GemmTransposition.Direct, GemmTransposition.Transposed }.Select(t => kept with { Transposition = t }));
        }

        // The winner against the rule, alternating, at 1 and at N threads.
        double rule1 = double.MaxValue, win1 = double.MaxValue, ruleN = double.MaxValue, winN = double.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            Threading.MaxThreads = 1;
            rule1 = Math.Min(rule1, Time(call, default, inner));
            win1 = Math.Min(win1, Time(call, best, inner));
            Threading.MaxThreads = threads;
            ruleN = Math.Min(ruleN, Timing.MinUs(() => call(default), inner, 15, 3 * inner));
            winN = Math.Min(winN, Timing.MinUs(() => call(best), inner, 15, 3 * inner));
        }
        Threading.MaxThreads = 1;
        double ratio = win1 / rule1;
        bool wins = !best.IsRule && ratio * Margin < 1;
        string Rate(double us) => (flop / us / 1e3).ToString("F0", CultureInfo.InvariantCulture);
        string note = best.IsRule
            ? FormattableString.Invariant($"{M}×{N}×{K}: no candidate beat the rule; µs at 1 thread {rule1:F1} (GFLOP/s {Rate(rule1)}), at {threads} threads {ruleN:F1}")
            : FormattableString.Invariant(
                $"{M}×{N}×{K}: µs at 1 thread {best} {win1:F1}, rule {rule1:F1} (GFLOP/s {Rate(win1)}, {Rate(rule1)}); at {threads} threads {winN:F1}, {ruleN:F1}; {ratio:F2}× the rule")
              + (wins ? "" : ratio < 1 ? " (less than 5% faster: the rule)" : " (no faster in the final comparison: the rule)");
        return (wins ? best : default, note);
    }

    /// <summary>The fastest of <paramref name="current"/> and <paramref name="candidates"/> (those the product can run),
    /// timed over three alternating rounds.</summary>
    private static (GemmTiling, double) Fastest(Action<GemmTiling> call, int inner, GemmTiling current, double currentTime, IEnumerable<GemmTiling> candidates)
    {
        var list = new List<GemmTiling> { current };
        foreach (var t in candidates.Distinct())
        {
            if (list.Contains(t)) continue;
            try { call(t); }
            catch (ArgumentException) { continue; } // the rule says this tiling cannot run the product
            list.Add(t);
        }
        var times = list.Select(t => t.Equals(current) ? currentTime : double.MaxValue).ToArray();
        for (int round = 0; round < 3; round++)
            for (int i = 0; i < list.Count; i++) times[i] = Math.Min(times[i], Time(call, list[i], inner));
        int best = Array.IndexOf(times, times.Min());
        return (list[best], times[best]);
    }

    /// <summary>One thread's time per call by its CPU clock, which does not count the time slices other processes take on
    /// this shared machine (the N-thread figures, for the record, are by the wall clock).</summary>
    private static double Time(Action<GemmTiling> call, GemmTiling tiling, int inner) => Timing.MinCpuUs(() => call(tiling), inner, 15, 3 * inner);

    /// <summary>k in equal blocks of at most <paramref name="most"/>: ⌈k / ⌈k / most⌉⌉.</summary>
    private static int Balanced(int k, int most) => (k + (k + most - 1) / most - 1) / ((k + most - 1) / most);

    /// <summary>One product of the layer with a tiling, on preallocated operands.</summary>
    private static Action<GemmTiling> Call(Layer layer, int rows, string product)
    {
        var random = new Random(1);
        float[] Uniform(int count) { var a = new float[count]; for (int i = 0; i < count; i++) a[i] = random.NextSingle() - 0.5f; return a; }
        int k = layer.Inputs, n = layer.Outputs;
        var (x, w, bias, y, dy) = (Uniform(rows * k), Uniform(k * n), Uniform(n), Uniform(rows * n), Uniform(rows * n));
        switch (product)
        {
            case "forward":
                return layer.Relu
                    ? t => Dense.Forward<Relu>(rows, k, n, x, w, bias, y, new DenseTiling { Forward = t })
                    : t => Dense.Forward<Identity>(rows, k, n, x, w, bias, y, new DenseTiling { Forward = t });
            case "dx":
                var dx = new float[rows * k];
                return t => Gemm.MatMulTransB(rows, k, n, dy, w, dx, false, t);
            default:
                // dw with the network's optimizer update in its epilogue (the benchmarks' SGD with momentum; a tiny rate
                // keeps the weights from drifting over the repetitions).
                var (p, g) = (Uniform(k * n), new float[k * n]);
                var sgd = new Sgd(p.Length, learningRate: 1e-9f, momentum: 0.9f);
                return t => Dense.BackwardAndUpdate<Identity>(rows, k, n, x, y, dy, [], false, p, g, 0, false, sgd, new DenseTiling { WeightGradient = t });
        }
    }
}
