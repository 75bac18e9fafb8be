namespace NetGen.Tests.Checkpoints;

/// <summary>
/// A hand-written stand-in for a generated network, for checkpoint tests: Input(3) → Dense(hidden) as <c>L1</c> →
/// Dense(2) as <c>L2</c>, plus an untransposed 2-D table <c>Emb.weight</c> [5, 2]. Dense weights are stored [in, out]
/// (transposed) as generated networks store them. Parameter i starts as <c>i / 100 + 1</c>.
/// It never runs: checkpoints only need its metadata and buffers.
/// </summary>
internal sealed class TinyNetwork : INetwork
{
    private readonly AlignedBuffer _parameters, _gradients;

    public TinyNetwork(int hidden = 4)
    {
        Hidden = hidden;
        int w1 = 3 * hidden, w2 = hidden * 2;
        ParameterTensors =
        [
            new("L1.weight", [hidden, 3], 0, w1, Transposed: true),
            new("L1.bias", [hidden], w1, hidden, Transposed: false),
            new("L2.weight", [2, hidden], w1 + hidden, w2, Transposed: true),
            new("L2.bias", [2], w1 + hidden + w2, 2, Transposed: false),
            new("Emb.weight", [5, 2], w1 + hidden + w2 + 2, 10, Transposed: false),
        ];
        int count = w1 + hidden + w2 + 2 + 10;
        _parameters = new AlignedBuffer(count);
        _gradients = new AlignedBuffer(count);
        var parameters = _parameters.AsSpan();
        for (int i = 0; i < count; i++) parameters[i] = i / 100f + 1;
        var activations = new AlignedBuffer(3 + hidden + 2);
        Layers =
        [
            new Layer(this, "Image", "Input", [3], _parameters, _gradients, 0, 0, 0, 0, activations, 0),
            new Layer(this, "L1", "Dense", [hidden], _parameters, _gradients, 0, w1, w1, hidden, activations, 3),
            new Layer(this, "L2", "Dense", [2], _parameters, _gradients, w1 + hidden, w2, w1 + hidden + w2, 2, activations, 3 + hidden),
        ];
    }

    public int Hidden { get; }
    public string Name => Hidden == 4 ? "TinyNetwork" : $"TinyNetwork{Hidden}";
    public int MaxBatch => 1;
    public int CurrentBatch => 1;
    public int InputSize => 3;
    public int OutputSize => 2;
    public Loss Loss => Loss.SquaredError;
    public ulong ShapeSignature => 0x5EED_0000_0000_0000UL ^ (ulong)Hidden * 0x9E3779B97F4A7C15UL;
    public (uint, uint, uint, uint) RngState { get; set; }
    public Span<float> Parameters => _parameters;
    public Span<float> Gradients => _gradients;
    public IReadOnlyList<Layer> Layers { get; }
    public IReadOnlyList<ParameterTensor> ParameterTensors { get; }
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> input, int batch) => throw new NotSupportedException("Checkpoint tests never run the network.");
    public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int batch) => throw new NotSupportedException("Checkpoint tests never run the network.");
    public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, int batch) => throw new NotSupportedException("Checkpoint tests never run the network.");
    public string Summary() => string.Join(Environment.NewLine, Layers);
}
