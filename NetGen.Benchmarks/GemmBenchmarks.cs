using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using NetGen.Kernels;

namespace NetGen.Benchmarks;

/// <summary>Square products in the three forms; 2·n³ FLOP each.</summary>
[Config(typeof(FlopsConfig<GemmBenchmarks>))]
public class GemmBenchmarks : ThreadedBenchmark, IFlopCount
{
    private float[] _a = [], _b = [], _c = [];

    [Params(256, 512, 1024)]
    public int Size { get; set; }

    public static double Flops(BenchmarkCase benchmark)
    {
        double n = (int)benchmark.Parameters["Size"];
        return 2 * n * n * n;
    }

    [GlobalSetup]
    public void Setup()
    {
        Threading.MaxThreads = Threads;
        var random = new Random(42);
        _a = Enumerable.Range(0, Size * Size).Select(_ => random.NextSingle() - 0.5f).ToArray();
        _b = Enumerable.Range(0, Size * Size).Select(_ => random.NextSingle() - 0.5f).ToArray();
        _c = new float[Size * Size];
        SteadyState.WarmUp(MatMul, seconds: 1);
    }

    [Benchmark(Baseline = true, Description = "A·B")]
    public void MatMul() => Gemm.MatMul(Size, Size, Size, _a, _b, _c, accumulate: false);

    [Benchmark(Description = "Aᵀ·B")]
    public void MatMulTransA() => Gemm.MatMulTransA(Size, Size, Size, _a, _b, _c, accumulate: false);

    [Benchmark(Description = "A·Bᵀ")]
    public void MatMulTransB() => Gemm.MatMulTransB(Size, Size, Size, _a, _b, _c, accumulate: false);
}
