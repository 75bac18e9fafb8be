using System.Diagnostics;
using NetGen;
using NetGen.Benchmarks;
using NetGen.Kernels;

/// <summary>
/// `-- parts`: the MLP's train step (784-256-128-10, SGD momentum 0.9) rebuilt from the public kernels in the order the
/// generated code calls them, each call's time summed over many steps, at 1 and 2 threads in alternating blocks of 10
/// steps; once with each layer's weights updated in its weight-gradient product (the generated step) and once with
/// the same backward and no update (the weights then stay unchanged, as read-only data, from step to step). The
/// difference is what the update costs the 2-thread step: the weights it writes on one core are read by both in the
/// next step's forward.
/// </summary>
static class StepParts
{
    private static readonly string[] Names = ["forward 1", "forward 2", "forward 3", "loss", "backward 3", "backward 2", "backward 1"];

    public static void Run()
    {
        for (int round = 0; round < 2; round++)
            foreach (bool update in new[] { true, false })
                foreach (int batch in new[] { 64, 256 })
                    Compare(batch, update);
    }

    private static void Compare(int batch, bool update)
    {
        var f = Mlp.NewFixture(batch);
        var (h1, h2, logits) = (new AlignedBuffer(batch * 256), new AlignedBuffer(batch * 128), new AlignedBuffer(batch * 10));
        var (d1, d2, dLogits) = (new AlignedBuffer(batch * 256), new AlignedBuffer(batch * 128), new AlignedBuffer(batch * 10));
        var ticks = new long[3, Names.Length];
        var optimizer = update ? f.Sgd : null;
        void Step(int slot)
        {
            Span<float> p = f.Net.Parameters, g = f.Net.Gradients;
            long t0 = Stopwatch.GetTimestamp();
            void Mark(int part)
            {
                long t = Stopwatch.GetTimestamp();
                ticks[slot, part] += t - t0;
                t0 = t;
            }
            Dense.Forward<Relu>(batch, 784, 256, f.Input, p.Slice(0, 200704), p.Slice(200704, 256), h1); Mark(0);
            Dense.Forward<Relu>(batch, 256, 128, h1, p.Slice(200960, 32768), p.Slice(233728, 128), h2); Mark(1);
            Dense.Forward<Identity>(batch, 128, 10, h2, p.Slice(233856, 1280), p.Slice(235136, 10), logits); Mark(2);
            Losses.SoftmaxCrossEntropy(batch, 10, logits, f.Labels, dLogits); Mark(3);
            Dense.BackwardAndUpdate<Identity>(batch, 128, 10, h2, logits, dLogits, d2, false, p, g, 233856, true, optimizer); Mark(4);
            Dense.BackwardAndUpdate<Relu>(batch, 256, 128, h1, h2, d2, d1, false, p, g, 200960, true, optimizer); Mark(5);
            Dense.BackwardAndUpdate<Relu>(batch, 784, 256, f.Input, h1, d1, [], false, p, g, 0, true, optimizer); Mark(6);
            optimizer?.CompleteStep();
        }
        for (int s = 0; s < 300; s++)
        {
            Threading.MaxThreads = 1 + s % 2;
            Step(2);
        }
        const int Blocks = 40, PerBlock = 10;
        for (int block = 0; block < Blocks; block++)
            for (int threads = 1; threads <= 2; threads++)
            {
                Threading.MaxThreads = threads;
                for (int s = 0; s < PerBlock; s++) Step(threads - 1);
            }
        Threading.MaxThreads = 1;
        double us = 1e6 / Stopwatch.Frequency / (Blocks * PerBlock);
        double one = 0, two = 0;
        var parts = new List<string>();
        for (int part = 0; part < Names.Length; part++)
        {
            double a = ticks[0, part] * us, b = ticks[1, part] * us;
            one += a;
            two += b;
            parts.Add($"{Names[part]} {a:F0}→{b:F0} ({a / b:F2}×)");
        }
        Console.WriteLine($"MLP b{batch} {(update ? "with the fused SGD update" : "without an update")}: 1 thread {one:F0} µs, 2 threads {two:F0} µs, {one / two:F2}×; µs per part: {string.Join(", ", parts)}");
    }
}
