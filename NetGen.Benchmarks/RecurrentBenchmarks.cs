using BenchmarkDotNet.Attributes;
using NetGen.Kernels;

namespace NetGen.Benchmarks;

/// <summary>
/// One training step's forward and backward through time of each recurrent layer at a character-language-model
/// size (batch 32, 64 steps, 64 inputs, 256 hidden). Compare with <c>nn.LSTM</c> et al. at the same size; the GEMMs
/// are 2·B·T·G·H·(F + H) multiply-adds forward and twice that backward.
/// </summary>
[MemoryDiagnoser]
public class RecurrentBenchmarks
{
    private const int Batch = 32, Steps = 64, Inputs = 64, Hidden = 256;
    private readonly float[] _x = new float[Batch * Steps * Inputs], _dx = new float[Batch * Steps * Inputs];
    private readonly float[] _wIh = new float[Inputs * 4 * Hidden], _wHh = new float[Hidden * 4 * Hidden];
    private readonly float[] _bIh = new float[4 * Hidden], _bHh = new float[4 * Hidden];
    private readonly float[] _dwIh = new float[Inputs * 4 * Hidden], _dwHh = new float[Hidden * 4 * Hidden];
    private readonly float[] _dbIh = new float[4 * Hidden], _dbHh = new float[4 * Hidden];
    private readonly float[] _gates = new float[Batch * Steps * 4 * Hidden];
    private readonly float[] _cells = new float[Batch * Steps * Hidden], _hs = new float[Batch * Steps * Hidden];
    private readonly float[] _dy = new float[Batch * Steps * Hidden];
    private readonly float[] _scratch = new float[Lstm.ScratchLength(Batch, Hidden)];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(1);
        foreach (var a in new[] { _x, _dy }) for (int i = 0; i < a.Length; i++) a[i] = rng.NextGaussian();
        Lstm.Initialize(Hidden, _wIh, _wHh, _bIh, _bHh, 1f, ref rng);
    }

    [Benchmark]
    public void Lstm_ForwardBackward()
    {
        Lstm.Forward(Batch, Steps, Inputs, Hidden, _x, _wIh, _wHh, _bIh, _bHh, [], [], _gates, _cells, _hs, [], [], _scratch);
        Lstm.Backward(Batch, Steps, Inputs, Hidden, _x, _wIh, _wHh, [], [], _gates, _cells, _hs, _dy, [], [],
            _dx, _dwIh, _dwHh, _dbIh, _dbHh, [], [], _scratch);
    }

    [Benchmark]
    public void Gru_ForwardBackward()
    {
        const int width = 3 * Hidden;
        Gru.Forward(Batch, Steps, Inputs, Hidden, _x, _wIh.AsSpan(0, Inputs * width), _wHh.AsSpan(0, Hidden * width),
            _bIh.AsSpan(0, width), _bHh.AsSpan(0, width), [], _gates, _cells, _hs, [], _scratch);
        Gru.Backward(Batch, Steps, Inputs, Hidden, _x, _wIh.AsSpan(0, Inputs * width), _wHh.AsSpan(0, Hidden * width), [],
            _gates, _cells, _hs, _dy, [], _dx, _dwIh, _dwHh, _dbIh, _dbHh, [], _scratch);
    }

    [Benchmark]
    public void Rnn_ForwardBackward()
    {
        Rnn.Forward(Batch, Steps, Inputs, Hidden, _x, _wIh.AsSpan(0, Inputs * Hidden), _wHh.AsSpan(0, Hidden * Hidden),
            _bIh.AsSpan(0, Hidden), _bHh.AsSpan(0, Hidden), [], _gates, _hs, [], _scratch);
        Rnn.Backward(Batch, Steps, Inputs, Hidden, _x, _wIh.AsSpan(0, Inputs * Hidden), _wHh.AsSpan(0, Hidden * Hidden), [],
            _gates, _hs, _dy, [], _dx, _dwIh, _dwHh, _dbIh, _dbHh, [], _scratch);
    }
}
