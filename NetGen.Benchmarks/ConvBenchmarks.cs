using BenchmarkDotNet.Attributes;
using NetGen;
using NetGen.Kernels;

/// <summary>
/// Conv2D forward on im2col + GEMM and on the path <c>Conv2D.Forward</c> chooses (the register-blocked wide kernel up to
/// <c>Conv2DRules.DirectMaxInChannels</c> input channels), and backward, batch 16, for LeNet-5's first layer and 3×3 layers
/// with a growing number of input channels.
/// A layer named <c>"c-o 3x3 s"</c> is c→o channels, 3×3, padding 1, on s×s.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class ConvBenchmarks
{
    private const int Batch = 16;
    private Conv2DShape _shape;
    private float[] _x = [], _w = [], _b = [], _y = [], _dy = [], _dw = [], _db = [], _dx = [], _workspace = [];

    /// <summary>The layer: LeNet-5 C1 (1→6, 5×5, padding 2, 28×28) or c→o, 3×3, padding 1, s×s.</summary>
    [Params("C1 1-6 5x5 28", "1-16 3x3 32", "4-16 3x3 32", "8-16 3x3 32", "16-16 3x3 32", "32-32 3x3 16", "64-64 3x3 16")]
    public string Layer { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _shape = Layer.StartsWith("C1", StringComparison.Ordinal)
            ? new Conv2DShape(1, 28, 28, 6, 5, 5, 1, 2)
            : Parse(Layer);
        var rng = new Rng(1);
        _x = Random(Batch * _shape.InputSize, ref rng);
        _w = Random(_shape.WeightSize, ref rng);
        _b = Random(_shape.OutChannels, ref rng);
        _y = new float[Batch * _shape.OutputSize];
        _dy = Random(_y.Length, ref rng);
        _dw = new float[_w.Length];
        _db = new float[_b.Length];
        _dx = new float[_x.Length];
        _workspace = new float[Conv2D.WorkspaceSize(_shape)];
    }

    [Benchmark(Baseline = true)]
    public void ForwardIm2Col() => Conv2D.Forward<Relu>(_shape, Batch, _x, _w, _b, _y, _workspace, Conv2DAlgorithm.Im2Col);

    [Benchmark]
    public void ForwardChosen() => Conv2D.Forward<Relu>(_shape, Batch, _x, _w, _b, _y, _workspace);

    [Benchmark]
    public void Backward() => Conv2D.Backward<Identity>(_shape, Batch, _x, _w, _y, _dy, _dw, _db, _dx, _workspace);

    private static Conv2DShape Parse(string layer)
    {
        var parts = layer.Split(' ');
        var channels = parts[0].Split('-');
        int size = int.Parse(parts[2]);
        return new Conv2DShape(int.Parse(channels[0]), size, size, int.Parse(channels[1]), 3, 3, 1, 1);
    }

    private static float[] Random(int n, ref Rng rng)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = 2f * rng.NextFloat() - 1f;
        return a;
    }
}
