// `-- tune [--out FILE] [--batches 1,64] [--threads N] [--kinds conv,dense]`: the offline tuner. For each convolution layer listed below it
// times every algorithm that applies (Conv2D.SupportsForward/SupportsBackward) on each pass, at each batch size, at 1
// thread (by its CPU time) and at N threads (default Environment.ProcessorCount, by the wall clock), as the minimum over many short repetitions with the
// algorithms alternating, and writes a tuning table (format: NetGen.Generator/Tuning/TuningTable.cs, README "Tuning
// convolutions"): the algorithm fastest at 1 thread per layer, pass and batch range, with every measured time in the
// line's comment (where the rule's own choice is within 10% of the fastest, the rule's). Batch b_i of the sorted list
// covers b_{i-1}+1 … b_i, the last one everything above (a single batch covers all). Then the Dense layers' GEMM tilings
// (DenseTuner.cs, each layer at its own batch sizes); --kinds limits the run to one part.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using NetGen.Generator.Tuning;
using NetGen.Kernels;

static class Tuner
{
    /// <summary>A layer to tune: where it comes from, its table signature, the 2-D shape the kernels run, and whether
    /// it is a network's first layer (its backward computes no input gradient).</summary>
    private sealed record Layer(string Where, string Signature, Conv2DShape Shape, bool First);

    private static readonly Layer[] Layers =
    [
        Plane("LeNet-5 C1 (NetGen.Samples, NetGen.Benchmarks)", new Conv2DShape(1, 28, 28, 6, 5, 5, 1, 2), first: true),
        Plane("LeNet-5 C3", new Conv2DShape(6, 14, 14, 16, 5, 5, 1, 0), first: false),
        Plane("FashionConvNet Conv1 (NetGen.Samples)", new Conv2DShape(1, 28, 28, 32, 3, 3, 1, 1), first: true),
        Plane("FashionConvNet Conv2 (NetGen.Samples; 32 input channels: no direct kernel)", new Conv2DShape(32, 14, 14, 64, 3, 3, 1, 1), first: false),
        Line("a 1-D signal layer, 4×128 → 16, kernel 5", new Conv1DShape(4, 128, 16, 5, 1, 2), first: false),
        Line("a strided 1-D layer, 16×128 → 16, kernel 3, stride 2 (no direct kernel)", new Conv1DShape(16, 128, 16, 3, 2, 1), first: false),
    ];

    // On this shared 2-vCPU machine repeated runs disagree by up to ~8% on close pairs: another algorithm replaces the
    // rule's choice only when it is more than 10% faster, so that the committed table does not flip from run to run.
    private const double NoiseMargin = 1.10;

    private static readonly Conv2DAlgorithm[] Algorithms = [Conv2DAlgorithm.Direct, Conv2DAlgorithm.Im2Col, Conv2DAlgorithm.Im2ColDot];

    public static void Run(string[] args)
    {
        string? output = Option(args, "--out");
        int[] batches = (Option(args, "--batches") ?? "1,64").Split(',').Select(int.Parse).Order().Distinct().ToArray();
        int threads = int.Parse(Option(args, "--threads") ?? Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture));
        string[] kinds = (Option(args, "--kinds") ?? "conv,dense").Split(',');
        string isa = Conv2D.Isa switch { VectorIsa.Avx512 => "avx512", VectorIsa.Avx2 => "avx2", _ => "other" };
        var table = new StringBuilder();
        var described = new HashSet<string>();
        table.Append("# NetGen tuning table (convolution algorithms, Dense tilings), written by `dotnet run -c Release --project benchmarks/probe -- tune ")
            .Append(string.Join(' ', args)).Append('`').AppendLine();
        table.AppendLine(FormattableString.Invariant($"# {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} CPUs, ISA {isa}; choice = fastest at 1 thread (the rule's where it is within 10%); times are the minimum over many repetitions at 1 and {threads} threads (µs)."));
        double peak = 2.0 * 24 * 16 * 8192 / Timing.MinUs(() => NetGen.Benchmarks.PeakBenchmarks.Run(8192), 20, 200, 50) / 1e3;
        table.AppendLine(FormattableString.Invariant($"# FMA peak of one core (24 zmm chains): {peak:F1} GFLOP/s; GFLOP/s below count the multiply-adds of the pass (dx only where the layer computes it)."));
        table.AppendLine("# Format (README, \"Tuning tables\"): Conv2D|Conv1D in= out= kernel= stride= padding= batch= isa= forward|backward=algorithm # note");
        table.AppendLine("#   or Dense in= out= [steps=] batch= isa= product=forward|dx|dw [kc=] [nc=] [order=slivers|panels] [a=packed|inplace] [b=packed|inplace] [transpose=no|yes] # note");
        for (int i = 0; i < (kinds.Contains("conv") ? batches.Length : 0); i++)
        {
            int batch = batches[i];
            string range = batches.Length == 1 ? "*"
                : i == batches.Length - 1 ? $"{batches[i - 1] + 1}-*"
                : i == 0 ? (batch == 1 ? "1" : $"1-{batch}")
                : $"{batches[i - 1] + 1}-{batch}";
            foreach (var layer in Layers)
            {
                foreach (bool forward in new[] { true, false })
                {
                    var applicable = Algorithms.Where(a => forward ? Conv2D.SupportsForward(layer.Shape, a) : Conv2D.SupportsBackward(layer.Shape, a)).ToArray();
                    string pass = forward ? "forward" : "backward";
                    if (applicable.Length < 2)
                    {
                        Console.WriteLine($"{layer.Where}, batch {batch}, {pass}: only {string.Join(", ", applicable)} applies, nothing to tune");
                        continue;
                    }
                    var (one, many, flop) = Time(layer, batch, forward, applicable, threads);
                    // The fastest at 1 thread, unless the rule's own choice is within the noise of it: then the rule's.
                    int best = Array.IndexOf(one, one.Min());
                    int rule = Array.IndexOf(applicable, forward ? Conv2D.ChooseForward(layer.Shape) : Conv2D.ChooseBackward(layer.Shape));
                    if (rule != best && one[rule] <= NoiseMargin * one[best]) best = rule;
                    string Times(double[] t) => string.Join(", ", applicable.Select((a, k) => FormattableString.Invariant($"{Name(a)} {t[k]:F1}")));
                    string Rates(double[] t) => string.Join(", ", applicable.Select((a, k) => FormattableString.Invariant($"{Name(a)} {flop / t[k] / 1e3:F0}")));
                    int other = Enumerable.Range(0, applicable.Length).Where(k => k != best).MinBy(k => one[k]); // the runner-up
                    string note = FormattableString.Invariant(
                        $"µs at 1 thread {Times(one)} (GFLOP/s {Rates(one)}); at {threads} threads {Times(many)}; {Name(applicable[best])} {one[best] / one[other]:F2}× {Name(applicable[other])}{(best == rule ? " (the rule's choice)" : "")}");
                    if (described.Add(layer.Where + " " + batch)) table.Append("# ").Append(layer.Where).Append(", batch ").Append(batch).AppendLine();
                    Console.WriteLine($"{layer.Where}, batch {batch}, {pass}: {note}");
                    table.Append(layer.Signature).Append(" batch=").Append(range).Append(" isa=").Append(isa).Append(' ')
                        .Append(pass).Append('=').Append(Name(applicable[best])).Append(" # ").Append(note).AppendLine();
                }
            }
        }
        if (kinds.Contains("dense")) DenseTuner.Run(table, isa, threads);
        Threading.MaxThreads = 1;
        if (output is null) Console.Write(table);
        else
        {
            File.WriteAllText(output, table.ToString());
            Console.WriteLine($"wrote {output}");
        }
    }

    /// <summary>Minimum time per call (µs) of each algorithm at 1 and <paramref name="threads"/> threads, the algorithms
    /// and thread counts alternating over three rounds so that the machine's drifting load hits them alike.</summary>
    private static (double[] One, double[] Many, double Flop) Time(Layer layer, int batch, bool forward, Conv2DAlgorithm[] algorithms, int threads)
    {
        var s = layer.Shape;
        var random = new Random(1);
        float[] Uniform(int n) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = random.NextSingle() - 0.5f; return a; }
        var (x, w, bias, y) = (Uniform(batch * s.InputSize), Uniform(s.WeightSize), Uniform(s.OutChannels), Uniform(batch * s.OutputSize));
        var (dy, dw, db) = (Uniform(batch * s.OutputSize), new float[s.WeightSize], new float[s.OutChannels]);
        float[] dx = layer.First ? [] : new float[x.Length];
        var workspace = new float[Conv2D.WorkspaceSize(s)];
        double flop = 2.0 * batch * s.OutputSize * s.PatchSize * (forward || layer.First ? 1 : 2);
        int inner = Math.Max(1, (int)(2e6 / flop)), outer = 25; // ~ 20 µs or more per timed block at ~100 GFLOP/s
        var one = Enumerable.Repeat(double.MaxValue, algorithms.Length).ToArray();
        var many = (double[])one.Clone();
        for (int round = 0; round < 5; round++)
            for (int k = 0; k < algorithms.Length; k++)
            {
                var algorithm = algorithms[k];
                Action call = forward
                    ? () => Conv2D.Forward<Relu>(s, batch, x, w, bias, y, workspace, algorithm)
                    : () => Conv2D.Backward<Relu>(s, batch, x, w, y, dy, dw, db, dx, workspace, algorithm);
                Threading.MaxThreads = 1;
                // One thread by its CPU clock, which does not count the time slices other processes take on this
                // shared machine (a Conv1D choice flipped on wall-clock noise); all threads by the wall clock.
                one[k] = Math.Min(one[k], Timing.MinCpuUs(call, inner, outer, Math.Min(50, 2 * inner * outer)));
                Threading.MaxThreads = threads;
                many[k] = Math.Min(many[k], Timing.MinUs(call, inner, outer, Math.Min(50, 2 * inner * outer)));
            }
        return (one, many, flop);
    }

    private static string Name(Conv2DAlgorithm algorithm) => algorithm.ToString().ToLowerInvariant();

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static Layer Plane(string where, Conv2DShape s, bool first) => new(where,
        TuningSignatures.Conv2D(s.InChannels, s.Height, s.Width, s.OutChannels, s.KernelHeight, s.KernelWidth, s.StrideHeight, s.PaddingHeight),
        s, first);

    private static Layer Line(string where, Conv1DShape s, bool first) => new(where,
        TuningSignatures.Conv1D(s.InChannels, s.Length, s.OutChannels, s.Kernel, s.Stride, s.Padding),
        s.Plane, first);
}
