// Quick probe of where the MLP's time goes, by the minimum over many short repetitions (robust on a shared,
// loaded machine where BenchmarkDotNet's means drift): the train step and its parts, each Dense layer's forward and
// backward products at batch 64, batch-1 layers, a streaming read of the first layer's weights (the bandwidth bound
// of batch-1 inference), the FMA peak and square GEMMs. One thread.
// Run: dotnet run -c Release --project benchmarks/probe [-- batch]   (the networks come from NetGen.Benchmarks)
// `-- models`: the same per-layer look at LeNet-5 (batch 64 and 1) and the char-LSTM (batch 32, 64 steps) instead;
// `-- lstm`: the char-LSTM part alone.
// `-- gemm`: the GEMM core alone: square products and the networks' products, each at 1 and 2 threads.
// `-- threads`: the MLP (batch 64 and 256), LeNet-5 and char-LSTM train steps, then LeNet-5's convolution and pooling
// layers (batch 64), at 1 and 2 threads side by side; `-- threads lstm`: the char-LSTM alone, with more samples.
// `-- fused [batch]`: the first MLP layer's backward and optimizer update (SGD, Adam), separately and fused.
// `-- parts`: the MLP step's parts at 1 and 2 threads, with and without the fused update (StepParts.cs).
// `-- tune [--out FILE] [--batches 1,64] [--threads N]`: the convolution tuner (Tuner.cs), which writes a tuning table.
// `-- loop mlp|mlp256|lenet|lstm [threads] [seconds]`: one network's train step in a loop (default 1 thread, 8 s), to
// profile under `perf record` (see benchmarks/RESULTS.md, Commands).
using System.Diagnostics;
using System.Runtime.Intrinsics;
using NetGen.Kernels;
using NetGen.Benchmarks;
using static Timing;

Threading.MaxThreads = 1;
var random = new Random(1);
float[] Uniform(int n) { var x = new float[n]; for (int i = 0; i < n; i++) x[i] = random.NextSingle() - 0.5f; return x; }

// One dense layer m×k→n: forward (bias, ReLU), dW = xᵀ·dy and dx = dy·Wᵀ, each the minimum over many calls.
void DenseLayer(int m, int k, int n)
{
    var (x, w, bias, y, dy) = (Uniform(m * k), Uniform(k * n), Uniform(n), new float[m * n], Uniform(m * n));
    var (dw, dx) = (new float[k * n], new float[m * k]);
    double flop = 2.0 * m * n * k;
    double forward = MinUs(() => Dense.Forward<Relu>(m, k, n, x, w, bias, y), m == 1 ? 200 : 20);
    double dwTime = MinUs(() => Gemm.MatMulTransA(k, n, m, x, dy, dw, false));
    double dxTime = MinUs(() => Gemm.MatMulTransB(m, k, n, dy, w, dx, false));
    Console.WriteLine($"{m}×{k}→{n}: forward {forward:F2} µs ({flop / forward / 1e3:F0} GFLOP/s), dw {dwTime:F2} µs ({flop / dwTime / 1e3:F0}), dx {dxTime:F2} µs ({flop / dxTime / 1e3:F0})");
}

if (args.Length > 0 && args[0] == "loop")
{
    Loop(args.Length > 1 ? args[1] : "mlp", args.Length > 2 ? int.Parse(args[2]) : 1, args.Length > 3 ? double.Parse(args[3]) : 8);
    return;
}
if (args.Length > 0 && args[0] == "models")
{
    ProbeLeNet5();
    ProbeCharLstm();
    return;
}
if (args.Length > 0 && args[0] == "lstm")
{
    ProbeCharLstm();
    return;
}

if (args.Length > 0 && args[0] == "gemm")
{
    ProbeGemm();
    return;
}

if (args.Length > 0 && args[0] == "fused")
{
    ProbeFused(args.Length > 1 ? int.Parse(args[1]) : 64);
    return;
}

if (args.Length > 0 && args[0] == "parts")
{
    StepParts.Run();
    return;
}

if (args.Length > 0 && args[0] == "tune")
{
    Tuner.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "threads")
{
    if (args.Length > 1 && args[1] == "lstm") ProbeLstmThreads();
    else ProbeThreads();
    return;
}

int batch = args.Length > 0 ? int.Parse(args[0]) : 64;

var mlp = Mlp.NewFixture(batch);
// Three ways to the same step, interleaved three times (they differ by a few percent and the machine's load drifts):
// TrainStep then Sgd.Step; each layer updated by UpdateRange right after its backward (the path before the fused
// update, rebuilt here from the public kernels); and the generated overload, whose Dense layers update their weights
// in the epilogue of the weight-gradient product.
{
    var perLayer = new PerLayerMlpStep(mlp, batch);
    double alone = double.MaxValue, separate = double.MaxValue, layered = double.MaxValue, fused = double.MaxValue;
    int inner = batch <= 64 ? 4 : 1;
    for (int round = 0; round < 8; round++)
    {
        alone = Math.Min(alone, MinUs(() => mlp.Net.TrainStep(mlp.Input, mlp.Labels, batch), inner, 60, 20));
        separate = Math.Min(separate, MinUs(() => { mlp.Net.TrainStep(mlp.Input, mlp.Labels, batch); mlp.Sgd.Step(mlp.Net.Parameters, mlp.Net.Gradients); }, inner, 60, 20));
        layered = Math.Min(layered, MinUs(perLayer.Run, inner, 60, 20));
        fused = Math.Min(fused, MinUs(() => mlp.TrainStep(), inner, 60, 20));
    }
    Report($"train step b{batch} alone (no optimizer)", alone);
    Report($"train step b{batch}, then SGD step", separate);
    Report($"train step b{batch} + SGD per layer after its backward", layered);
    Report($"train step b{batch} + SGD fused into the dW products", fused);
    Console.WriteLine($"fused vs per layer: {layered / fused:F3}×, vs separate: {separate / fused:F3}×");
}
mlp.Net.TrainStep(mlp.Input, mlp.Labels, batch); // every gradient (the fused overload does not keep the Dense weights')
Report("SGD momentum step", MinUs(() => mlp.Sgd.Step(mlp.Net.Parameters, mlp.Net.Gradients)));
{
    // Subnormal values make every multiply on them take a microcode assist.
    int nan = 0, sub = 0;
    foreach (float v in mlp.Net.Parameters) { if (!float.IsFinite(v)) nan++; else if (float.IsSubnormal(v)) sub++; }
    int bsub = 0;
    foreach (float v in mlp.Sgd.State[0].Values) if (float.IsSubnormal(v)) bsub++;
    int gsub = 0;
    foreach (float v in mlp.Net.Gradients) if (float.IsSubnormal(v)) gsub++;
    Console.WriteLine($"after the SGD steps: non-finite params {nan}, subnormal params {sub}, subnormal momentum {bsub}, subnormal grads {gsub}");
}
Report($"forward b{batch}", MinUs(() => mlp.Net.Forward(mlp.Input, batch)));
Report("forward b1", MinUs(() => mlp.Net.Forward(mlp.Input.AsSpan(0, Mlp.InputSize), 1), 200));

foreach (var (m, n, k) in new[] { (batch, 256, 784), (batch, 128, 256), (batch, 10, 128), (1, 256, 784), (1, 128, 256), (1, 10, 128) })
    DenseLayer(m, k, n);

var weights = Uniform(784 * 256);
double read = MinUs(() => StreamRead(weights), 200);
Console.WriteLine($"streaming read of 784×256 floats: {read:F2} µs, {weights.Length * 4 / read / 1e3:F1} GB/s");
Console.WriteLine($"FMA peak (24 zmm chains): {2.0 * 24 * 16 * 8192 / MinUs(() => PeakBenchmarks.Run(8192), 20, 200) / 1e3:F1} GFLOP/s");
foreach (int s in new[] { 256, 384, 512 })
{
    var (a, b, c) = (Uniform(s * s), Uniform(s * s), new float[s * s]);
    double t = MinUs(() => Gemm.MatMul(s, s, s, a, b, c, false), 1, 60);
    Console.WriteLine($"GEMM {s}³: {t:F0} µs, {2.0 * s * s * s / t / 1e3:F1} GFLOP/s");
}

// `-- loop`: warms the step up, then runs it for the given seconds and prints the mean time per step.
void Loop(string network, int threads, double seconds)
{
    Func<float> step = network switch
    {
        "mlp" => Mlp.NewFixture(64).TrainStep,
        "mlp256" => Mlp.NewFixture(256).TrainStep,
        "lenet" => LeNet5.NewFixture(64).TrainStep,
        "lstm" => CharLstm.NewFixture(32).TrainStep,
        _ => throw new ArgumentException($"loop: unknown network '{network}' (mlp, mlp256, lenet, lstm)."),
    };
    Threading.MaxThreads = threads;
    for (int i = 0; i < 50; i++) step();
    var clock = Stopwatch.StartNew();
    int steps = 0;
    while (clock.Elapsed.TotalSeconds < seconds) { step(); steps++; }
    Console.WriteLine($"{network} train step, {threads} thread(s): {clock.Elapsed.TotalMicroseconds / steps:F1} µs per step over {steps} steps");
    Threading.MaxThreads = 1;
}

// Σ x with four vector accumulators: a streaming read.
static unsafe float StreamRead(float[] x)
{
    fixed (float* p = x)
    {
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        for (int i = 0; i <= x.Length - 64; i += 64)
        {
            s0 += Vector512.Load(p + i); s1 += Vector512.Load(p + i + 16);
            s2 += Vector512.Load(p + i + 32); s3 += Vector512.Load(p + i + 48);
        }
        return Vector512.Sum(s0 + s1 + s2 + s3);
    }
}

// The first MLP layer's backward and optimizer update (SGD with momentum, then Adam), separately and fused, interleaved.
void ProbeFused(int m)
{
    var mlp = Mlp.NewFixture(m);
    const int k = 784, n = 256, weights = k * n;
    var (x, y, dy) = (Uniform(m * k), Uniform(m * n), Uniform(m * n));
    var p = mlp.Net.Parameters.ToArray();
    var g = new float[p.Length];
    foreach (var optimizer in new NetGen.Optimizers.Optimizer[] { mlp.Sgd, new NetGen.Optimizers.Adam(p.Length) })
    {
        double prod = double.MaxValue, upd = double.MaxValue, both = double.MaxValue, fused = double.MaxValue;
        for (int round = 0; round < 4; round++)
        {
            prod = Math.Min(prod, MinUs(() => Dense.Backward<Identity>(m, k, n, x, p.AsSpan(0, weights), y, dy, g.AsSpan(0, weights), g.AsSpan(weights, n), []), 2, 60, 20));
            upd = Math.Min(upd, MinUs(() => optimizer.UpdateRange(p, g, 0, weights + n), 2, 60, 20));
            both = Math.Min(both, MinUs(() =>
            {
                Dense.Backward<Identity>(m, k, n, x, p.AsSpan(0, weights), y, dy, g.AsSpan(0, weights), g.AsSpan(weights, n), []);
                optimizer.UpdateRange(p, g, 0, weights + n);
            }, 2, 60, 20));
            fused = Math.Min(fused, MinUs(() => Dense.BackwardAndUpdate<Identity>(m, k, n, x, y, dy, [], false, p, g, 0, true, optimizer), 2, 60, 20));
        }
        double flop = 2.0 * m * n * k;
        Console.WriteLine($"{optimizer.Kind}: {m}×{k}→{n} backward (dW, db) {prod:F1} µs ({flop / prod / 1e3:F0} GFLOP/s); update {upd:F1} µs; "
            + $"both {both:F1} µs; fused {fused:F1} µs ({both / fused:F2}×, {flop / fused / 1e3:F0} GFLOP/s)");
    }
}

// LeNet-5: the whole step, then each convolution's and pooling's forward and backward at batch 64 and the forward at
// batch 1, then the dense layers.
void ProbeLeNet5()
{
    var lenet = LeNet5.NewFixture(64);
    Report("LeNet-5 train step b64 + SGD", MinUs(() => lenet.TrainStep(), 5));
    Report("LeNet-5 train step b64 alone", MinUs(() => lenet.Net.TrainStep(lenet.Input, lenet.Labels, 64), 5));
    Report("LeNet-5 SGD step (61,706)", MinUs(() => lenet.Sgd.Step(lenet.Net.Parameters, lenet.Net.Gradients)));
    Report("LeNet-5 forward b64", MinUs(() => lenet.Net.Forward(lenet.Input, 64), 5));
    Report("LeNet-5 forward b1", MinUs(() => lenet.Net.Forward(lenet.Input.AsSpan(0, LeNet5.InputSize), 1), 100));
    foreach (var (name, shape) in new[] { ("C1 1→6 5×5 pad 2, 28×28", new Conv2DShape(1, 28, 28, 6, 5, 5, 1, 2)),
                                          ("C3 6→16 5×5, 14×14", new Conv2DShape(6, 14, 14, 16, 5, 5, 1, 0)) })
    {
        var (x, w, bias) = (Uniform(64 * shape.InputSize), Uniform(shape.WeightSize), Uniform(shape.OutChannels));
        var (y, dy, dw, db) = (new float[64 * shape.OutputSize], Uniform(64 * shape.OutputSize), new float[shape.WeightSize], new float[shape.OutChannels]);
        float[] dx = shape.InChannels == 1 ? [] : new float[x.Length]; // the first layer computes no input gradient
        var workspace = new float[Conv2D.WorkspaceSize(shape)];
        Report($"{name}: forward b64", MinUs(() => Conv2D.Forward<Relu>(shape, 64, x, w, bias, y, workspace), 5));
        Report($"{name}: backward b64", MinUs(() => Conv2D.Backward<Identity>(shape, 64, x, w, y, dy, dw, db, dx, workspace), 5));
        Report($"{name}: forward b1", MinUs(() => Conv2D.Forward<Relu>(shape, 1, x, w, bias, y, workspace), 100));
    }
    foreach (var (name, shape) in new[] { ("S2 pool 6×28×28", new Pool2DShape(6, 28, 28, 2, 2)), ("S4 pool 16×10×10", new Pool2DShape(16, 10, 10, 2, 2)) })
    {
        var (x, y, dy, dx, argmax) = (Uniform(64 * shape.InputSize), new float[64 * shape.OutputSize], Uniform(64 * shape.OutputSize),
            new float[64 * shape.InputSize], new int[64 * shape.OutputSize]);
        Report($"{name}: forward b64", MinUs(() => MaxPool2D.Forward(shape, 64, x, y, argmax)));
        Report($"{name}: backward b64", MinUs(() => MaxPool2D.Backward(shape, 64, argmax, dy, dx)));
    }
    foreach (var (m, k, n) in new[] { (64, 400, 120), (64, 120, 84), (64, 84, 10), (1, 400, 120), (1, 120, 84), (1, 84, 10) })
        DenseLayer(m, k, n);
}

// The char-LSTM: the whole step, the LSTM's forward and backward through time, and the per-step logits layer.
void ProbeCharLstm()
{
    Console.WriteLine("(char-LSTM figures: minimum thread CPU time, so that time slices lost to other processes on this shared machine do not count)");
    const int b = 32, t = CharLstm.Steps, f = 64, h = 128, width = Lstm.Gates * h;
    var lstm = CharLstm.NewFixture(b);
    Report("char-LSTM train step b32×64 + SGD", MinCpuUs(() => lstm.TrainStep(), 1, 100));
    Report("char-LSTM train step alone", MinCpuUs(() => lstm.Net.TrainStep(lstm.Input, lstm.Labels, b), 1, 100));
    Report("char-LSTM SGD step (111,873)", MinCpuUs(() => lstm.Sgd.Step(lstm.Net.Parameters, lstm.Net.Gradients)));
    var (x, dy, dx) = (Uniform(b * t * f), Uniform(b * t * h), new float[b * t * f]);
    var (wIh, wHh, bIh, bHh) = (Uniform(f * width), Uniform(h * width), Uniform(width), Uniform(width));
    var (dwIh, dwHh, dbIh, dbHh) = (new float[wIh.Length], new float[wHh.Length], new float[width], new float[width]);
    var (gates, cells, hs, scratch) = (new float[b * t * width], new float[b * t * h], new float[b * t * h], new float[Lstm.ScratchLength(b, h)]);
    // Backward overwrites the saved gate values with gradients, so it is timed together with the forward that
    // restores them (a backward repeated alone would run on gradients as gate values).
    double forward = MinCpuUs(() => Lstm.Forward(b, t, f, h, x, wIh, wHh, bIh, bHh, [], [], gates, cells, hs, [], [], scratch), 1, 60);
    double pair = MinCpuUs(() =>
    {
        Lstm.Forward(b, t, f, h, x, wIh, wHh, bIh, bHh, [], [], gates, cells, hs, [], [], scratch);
        Lstm.Backward(b, t, f, h, x, wIh, wHh, [], [], gates, cells, hs, dy, [], [], dx, dwIh, dwHh, dbIh, dbHh, [], [], scratch);
    }, 1, 60);
    Console.WriteLine($"LSTM 64→128 b32 × 64 steps: forward {forward:F0} µs, forward + backward {pair:F0} µs (backward ≈ {pair - forward:F0})");
    var (tokens, table, dTable) = (lstm.Input, Uniform(CharLstm.Vocabulary * f), new float[CharLstm.Vocabulary * f]);
    forward = MinCpuUs(() => Lstm.ForwardTokens(b, t, CharLstm.Vocabulary, f, h, tokens, table, wIh, wHh, bIh, bHh, [], [],
        gates, cells, hs, [], [], scratch), 1, 60);
    pair = MinCpuUs(() =>
    {
        Lstm.ForwardTokens(b, t, CharLstm.Vocabulary, f, h, tokens, table, wIh, wHh, bIh, bHh, [], [], gates, cells, hs, [], [], scratch);
        Lstm.BackwardTokens(b, t, CharLstm.Vocabulary, f, h, tokens, table, wIh, wHh, [], [],
            gates, cells, hs, dy, [], [], dTable, dwIh, dwHh, dbIh, dbHh, [], [], scratch);
    }, 1, 60);
    Console.WriteLine($"LSTM from tokens (embedding folded in): forward {forward:F0} µs, forward + backward {pair:F0} µs (backward ≈ {pair - forward:F0})");
    double step = MinCpuUs(() => Gemm.MatMul(b, width, h, hs, wHh, gates, false), 200);
    Console.WriteLine($"one step's recurrent product {b}×{h}→{width}: {step:F2} µs ({2.0 * b * h * width / step / 1e3:F0} GFLOP/s), ×64 steps = {64 * step:F0} µs");
    // dW_hh over every row but the first (k = B·T − 1): as hsᵀ·dz (M = H) and as its transpose dzᵀ·hs (M = 4H).
    double flop = 2.0 * h * width * (b * t - 1);
    double direct = MinCpuUs(() => Gemm.MatMulTransA(h, width, b * t - 1, hs, gates.AsSpan(width), dwHh, false), 1, 60);
    double transposed = MinCpuUs(() => Gemm.MatMulTransA(width, h, b * t - 1, gates.AsSpan(width), hs, dwHh, false), 1, 60);
    Console.WriteLine($"dW_hh {h}×{width}, k = {b * t - 1}: hsᵀ·dz {direct:F0} µs ({flop / direct / 1e3:F0} GFLOP/s), dzᵀ·hs {transposed:F0} µs ({flop / transposed / 1e3:F0} GFLOP/s)");
    DenseLayer(b * t, h, CharLstm.Vocabulary);
}

// The FMA peak, square A·B from 256³ to 2048³, then the products the sample networks run most (forward with bias
// and ReLU, dW = xᵀ·dy, dx = dy·Wᵀ), each at 1 and 2 threads side by side.
void ProbeGemm()
{
    Console.WriteLine($"FMA peak (24 zmm chains): {2.0 * 24 * 16 * 8192 / MinUs(() => PeakBenchmarks.Run(8192), 20, 200) / 1e3:F1} GFLOP/s");
    foreach (int s in new[] { 256, 512, 1024, 2048 })
    {
        var (a, b, c) = (Uniform(s * s), Uniform(s * s), new float[s * s]);
        int inner = Math.Max(1, (1 << 27) / s / s / s), outer = s >= 2048 ? 6 : s >= 1024 ? 15 : 40;
        Pair($"GEMM {s}³", 2.0 * s * s * s, () => Gemm.MatMul(s, s, s, a, b, c, false), inner, outer);
    }
    foreach (var (m, k, n) in new[] { (64, 784, 256), (64, 256, 128), (256, 784, 256), (256, 256, 128), (64, 400, 120), (32, 128, 512) })
    {
        var (x, w, bias, y, dy) = (Uniform(m * k), Uniform(k * n), Uniform(n), new float[m * n], Uniform(m * n));
        var (dw, dx) = (new float[k * n], new float[m * k]);
        double flop = 2.0 * m * n * k;
        Pair($"{m}×{k}→{n} forward", flop, () => Dense.Forward<Relu>(m, k, n, x, w, bias, y), 20, 40);
        Pair($"{m}×{k}→{n} dw = xᵀ·dy", flop, () => Gemm.MatMulTransA(k, n, m, x, dy, dw, false), 20, 40);
        Pair($"{m}×{k}→{n} dx = dy·Wᵀ", flop, () => Gemm.MatMulTransB(m, k, n, dy, w, dx, false), 20, 40);
    }
    Threading.MaxThreads = 1;
}

// The networks' train steps, then LeNet-5's convolution and pooling layers, at 1 and 2 threads (FMA peak of one core
// printed first).
void ProbeThreads()
{
    Console.WriteLine($"FMA peak (24 zmm chains, 1 thread): {2.0 * 24 * 16 * 8192 / MinUs(() => PeakBenchmarks.Run(8192), 20, 200) / 1e3:F1} GFLOP/s");
    var (ga, gb, gc) = (Uniform(512 * 512), Uniform(512 * 512), new float[512 * 512]);
    Pair("GEMM 512³ (how much of a second core the load leaves)", 2.0 * 512 * 512 * 512, () => Gemm.MatMul(512, 512, 512, ga, gb, gc, false), 1);
    foreach (int batch in new[] { 64, 256 })
    {
        var mlp = Mlp.NewFixture(batch);
        Pair($"MLP train step b{batch} + SGD", 0, () => mlp.TrainStep(), batch == 64 ? 10 : 4);
    }
    var lenet = LeNet5.NewFixture(64);
    Pair("LeNet-5 train step b64 + SGD", 0, () => lenet.TrainStep(), 5);
    var lstm = CharLstm.NewFixture(32);
    Pair("char-LSTM train step b32×64 + SGD", 0, () => lstm.TrainStep(), 1, 15);
    foreach (var (name, shape) in new[] { ("C1 1→6 5×5 pad 2, 28×28", new Conv2DShape(1, 28, 28, 6, 5, 5, 1, 2)),
                                          ("C3 6→16 5×5, 14×14", new Conv2DShape(6, 14, 14, 16, 5, 5, 1, 0)) })
    {
        var (x, w, bias) = (Uniform(64 * shape.InputSize), Uniform(shape.WeightSize), Uniform(shape.OutChannels));
        var (y, dy, dw, db) = (new float[64 * shape.OutputSize], Uniform(64 * shape.OutputSize), new float[shape.WeightSize], new float[shape.OutChannels]);
        float[] dx = shape.InChannels == 1 ? [] : new float[x.Length];
        var workspace = new float[Conv2D.WorkspaceSize(shape)];
        double flop = 2.0 * 64 * shape.OutputSize * shape.PatchSize;
        Pair($"{name}: forward b64", flop, () => Conv2D.Forward<Relu>(shape, 64, x, w, bias, y, workspace), 5);
        Pair($"{name}: backward b64", flop * (dx.Length == 0 ? 1 : 2), () => Conv2D.Backward<Identity>(shape, 64, x, w, y, dy, dw, db, dx, workspace), 5);
    }
    foreach (var (name, shape) in new[] { ("S2 pool 6×28×28", new Pool2DShape(6, 28, 28, 2, 2)), ("S4 pool 16×10×10", new Pool2DShape(16, 10, 10, 2, 2)) })
    {
        var (x, y, dy, dx, argmax) = (Uniform(64 * shape.InputSize), new float[64 * shape.OutputSize], Uniform(64 * shape.OutputSize),
            new float[64 * shape.InputSize], new int[64 * shape.OutputSize]);
        Pair($"{name}: forward b64", 0, () => MaxPool2D.Forward(shape, 64, x, y, argmax), 20);
        Pair($"{name}: backward b64", 0, () => MaxPool2D.Backward(shape, 64, argmax, dy, dx), 20);
    }
    Threading.MaxThreads = 1;

}

// `-- threads lstm`: the char-LSTM alone at 1 and 2 threads, more samples: GEMM 512³ (what the load leaves of the
// second core), the train step, and the LSTM layer from tokens (forward and backward), whose batch groups run on
// their own threads.
void ProbeLstmThreads()
{
    var (ga, gb, gc) = (Uniform(512 * 512), Uniform(512 * 512), new float[512 * 512]);
    Pair("GEMM 512³ (how much of a second core the load leaves)", 2.0 * 512 * 512 * 512, () => Gemm.MatMul(512, 512, 512, ga, gb, gc, false), 1);
    var lstm = CharLstm.NewFixture(32);
    Pair("char-LSTM train step b32×64 + SGD", 0, () => lstm.TrainStep(), 1, 80);
    const int b = 32, t = CharLstm.Steps, f = 64, h = 128, width = Lstm.Gates * h;
    var (dy, wIh, wHh, bIh, bHh) = (Uniform(b * t * h), Uniform(f * width), Uniform(h * width), Uniform(width), Uniform(width));
    var (dwIh, dwHh, dbIh, dbHh) = (new float[wIh.Length], new float[wHh.Length], new float[width], new float[width]);
    var (gates, cells, hs, scratch) = (new float[b * t * width], new float[b * t * h], new float[b * t * h], new float[Lstm.ScratchLength(b, h)]);
    var (table, dTable) = (Uniform(CharLstm.Vocabulary * f), new float[CharLstm.Vocabulary * f]);
    Pair("LSTM layer from tokens, forward", 0, () =>
        Lstm.ForwardTokens(b, t, CharLstm.Vocabulary, f, h, lstm.Input, table, wIh, wHh, bIh, bHh, [], [], gates, cells, hs, [], [], scratch), 1, 80);
    Pair("LSTM layer from tokens, forward + backward", 0, () =>
    {
        Lstm.ForwardTokens(b, t, CharLstm.Vocabulary, f, h, lstm.Input, table, wIh, wHh, bIh, bHh, [], [], gates, cells, hs, [], [], scratch);
        Lstm.BackwardTokens(b, t, CharLstm.Vocabulary, f, h, lstm.Input, table, wIh, wHh, [], [],
            gates, cells, hs, dy, [], [], dTable, dwIh, dwHh, dbIh, dbHh, [], [], scratch);
    }, 1, 80);
    Threading.MaxThreads = 1;
}

// One case at Threading.MaxThreads = 1 and 2, alternating every few calls (the load on the shared machine drifts
// within seconds, so both settings must see the same stretches of it): the minimum per setting, the ratio, and GFLOP/s
// when the FLOP count is given.
static void Pair(string what, double flop, Action action, int inner, int outer = 40)
{
    for (int threads = 1; threads <= 2; threads++)
    {
        Threading.MaxThreads = threads;
        MinUs(action, inner, 1, Math.Min(200, 2 * inner * outer));
    }
    double one = double.MaxValue, two = double.MaxValue;
    for (int o = 0; o < 3 * outer; o++)
    {
        Threading.MaxThreads = 1;
        one = Math.Min(one, MinUs(action, inner, 1, 1));
        Threading.MaxThreads = 2;
        two = Math.Min(two, MinUs(action, inner, 1, 1));
    }
    string rate = flop > 0 ? $" ({flop / one / 1e3:F0} → {flop / two / 1e3:F0} GFLOP/s)" : "";
    Console.WriteLine($"{what}: 1 thread {one:F1} µs, 2 threads {two:F1} µs, {one / two:F2}×{rate}");
}

static void Report(string what, double us) => Console.WriteLine($"{what}: {us:F2} µs");


// The MLP's train step with each layer's SGD update run by UpdateRange after the layer's backward, the kernels in the
// order the generated code called them before the update moved into the dW product's epilogue (dW, then dx): a
// same-process baseline for the fused step. Same parameters, optimizer and batch as the fixture; 64-byte aligned
// activations as the network's own.
sealed class PerLayerMlpStep(Fixture<Mlp> f, int batch)
{
    private readonly NetGen.AlignedBuffer _h1 = new(batch * 256), _h2 = new(batch * 128), _logits = new(batch * 10);
    private readonly NetGen.AlignedBuffer _d1 = new(batch * 256), _d2 = new(batch * 128), _dLogits = new(batch * 10);

    public void Run()
    {
        Span<float> p = f.Net.Parameters, g = f.Net.Gradients;
        Span<float> h1 = _h1, h2 = _h2, logits = _logits, d1 = _d1, d2 = _d2, dLogits = _dLogits;
        Dense.Forward<Relu>(batch, 784, 256, f.Input, p.Slice(0, 200704), p.Slice(200704, 256), h1);
        Dense.Forward<Relu>(batch, 256, 128, h1, p.Slice(200960, 32768), p.Slice(233728, 128), h2);
        Dense.Forward<Identity>(batch, 128, 10, h2, p.Slice(233856, 1280), p.Slice(235136, 10), logits);
        Losses.SoftmaxCrossEntropy(batch, 10, logits, f.Labels, dLogits);
        Layer<Identity>(128, 10, h2, logits, dLogits, d2, 233856);
        Layer<Relu>(256, 128, h1, h2, d2, d1, 200960);
        Layer<Relu>(784, 256, f.Input, h1, d1, [], 0);
        f.Sgd.CompleteStep();
    }

    private void Layer<TAct>(int inputs, int outputs, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dy, Span<float> dx, int offset)
        where TAct : struct, IActivation
    {
        Span<float> p = f.Net.Parameters, g = f.Net.Gradients;
        int weights = inputs * outputs;
        Dense.Backward<TAct>(batch, inputs, outputs, x, p.Slice(offset, weights), y, dy, g.Slice(offset, weights), g.Slice(offset + weights, outputs), []);
        if (!dx.IsEmpty) Gemm.MatMulTransB(batch, inputs, outputs, dy, p.Slice(offset, weights), dx, false);
        f.Sgd.UpdateRange(p, g, offset, weights + outputs);
    }
}
