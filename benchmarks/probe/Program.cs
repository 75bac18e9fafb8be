// Quick probe of where the MLP's time goes, by the minimum over many short repetitions (robust on a shared,
// loaded machine where BenchmarkDotNet's means drift): the train step and its parts, each Dense layer's forward and
// backward products at batch 64, batch-1 layers, a streaming read of the first layer's weights (the bandwidth bound
// of batch-1 inference), the FMA peak and square GEMMs. One thread.
// Run: dotnet run -c Release --project benchmarks/probe [-- batch]   (the networks come from NetGen.Benchmarks)
using System.Diagnostics;
using System.Runtime.Intrinsics;
using NetGen.Kernels;
using NetGen.Benchmarks;

Threading.MaxThreads = 1;
int batch = args.Length > 0 ? int.Parse(args[0]) : 64;
var random = new Random(1);
float[] Uniform(int n) { var x = new float[n]; for (int i = 0; i < n; i++) x[i] = random.NextSingle() - 0.5f; return x; }

var mlp = new Mlp.Fixture(batch);
Report($"train step b{batch} + SGD", MinUs(() => mlp.TrainStep()));
Report($"train step b{batch} alone", MinUs(() => mlp.Net.TrainStep(mlp.Input, mlp.Labels, batch)));
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
{
    var (x, w, bias, y, dy) = (Uniform(m * k), Uniform(k * n), Uniform(n), new float[m * n], Uniform(m * n));
    var (dw, db, dx) = (new float[k * n], new float[n], new float[m * k]);
    double flop = 2.0 * m * n * k;
    double forward = MinUs(() => Dense.Forward<Relu>(m, k, n, x, w, bias, y), m == 1 ? 200 : 20);
    double dwTime = MinUs(() => Gemm.MatMulTransA(k, n, m, x, dy, dw, false));
    double dxTime = MinUs(() => Gemm.MatMulTransB(m, k, n, dy, w, dx, false));
    Console.WriteLine($"{m}×{k}→{n}: forward {forward:F2} µs ({flop / forward / 1e3:F0} GFLOP/s), dw {dwTime:F2} µs ({flop / dwTime / 1e3:F0}), dx {dxTime:F2} µs ({flop / dxTime / 1e3:F0})");
}

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

static void Report(string what, double us) => Console.WriteLine($"{what}: {us:F2} µs");

static double MinUs(Action action, int inner = 20, int outer = 40)
{
    for (int i = 0; i < 200; i++) action();
    double best = double.MaxValue;
    for (int o = 0; o < outer; o++)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < inner; i++) action();
        best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMicroseconds / inner);
    }
    return best;
}
