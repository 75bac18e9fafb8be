using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using NetGen.Kernels;

namespace NetGen.Benchmarks;

/// <summary>One Dense layer of an MNIST MLP (784-256-128-10); forward 2·B·I·O FLOP, backward 4·B·I·O (dw and dx).</summary>
[Config(typeof(FlopsConfig<DenseBenchmarks>))]
public class DenseBenchmarks : ThreadedBenchmark, IFlopCount
{
    /// <summary>A layer shape; the string is what the summary table shows.</summary>
    public sealed record Shape(int Batch, int Inputs, int Outputs)
    {
        public override string ToString() => $"{Batch}×{Inputs}→{Outputs}";
    }

    private float[] _x = [], _w = [], _bias = [], _y = [], _dy = [], _dw = [], _dbias = [], _dx = [];

    [ParamsSource(nameof(Shapes))]
    public Shape Layer { get; set; } = new(1, 1, 1);

    public static IEnumerable<Shape> Shapes => [new(64, 784, 256), new(64, 256, 128), new(64, 128, 10), new(1, 784, 256)];

    public static double Flops(BenchmarkCase benchmark)
    {
        var s = (Shape)benchmark.Parameters["Layer"];
        double forward = 2.0 * s.Batch * s.Inputs * s.Outputs;
        return benchmark.Descriptor.WorkloadMethod.Name == nameof(Backward) ? 2 * forward : forward;
    }

    [GlobalSetup]
    public void Setup()
    {
        Threading.MaxThreads = Threads;
        var random = new Random(7);
        float[] Make(int n) => Enumerable.Range(0, n).Select(_ => random.NextSingle() - 0.5f).ToArray();
        var (b, i, o) = (Layer.Batch, Layer.Inputs, Layer.Outputs);
        (_x, _w, _bias, _y, _dy) = (Make(b * i), Make(i * o), Make(o), new float[b * o], Make(b * o));
        (_dw, _dbias, _dx) = (new float[i * o], new float[o], new float[b * i]);
        Dense.Forward<Relu>(b, i, o, _x, _w, _bias, _y);
    }

    [Benchmark(Description = "Forward (ReLU)")]
    public void Forward() => Dense.Forward<Relu>(Layer.Batch, Layer.Inputs, Layer.Outputs, _x, _w, _bias, _y);

    // dy is scaled by act′ in place on every call; ReLU's 0/1 derivative keeps it bounded.
    [Benchmark(Description = "Backward (ReLU)")]
    public void Backward() => Dense.Backward<Relu>(Layer.Batch, Layer.Inputs, Layer.Outputs, _x, _w, _y, _dy, _dw, _dbias, _dx);
}
