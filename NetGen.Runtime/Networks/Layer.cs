namespace NetGen;

/// <summary>
/// Named access to one layer of a generated network: its parameters, their gradients and its activations.
/// Every view is a window into the network's flat buffers; nothing is copied.
/// </summary>
public sealed class Layer
{
    private readonly INetwork _owner;
    private readonly AlignedBuffer _parameters, _gradients, _activations;
    private readonly int _weightOffset, _weightLength, _biasOffset, _biasLength, _activationOffset;

    /// <summary>Created by generated code at construction.</summary>
    public Layer(INetwork owner, string name, string kind, int[] outputShape,
        AlignedBuffer parameters, AlignedBuffer gradients, int weightOffset, int weightLength, int biasOffset, int biasLength,
        AlignedBuffer activations, int activationOffset)
    {
        _owner = owner;
        Name = name;
        Kind = kind;
        OutputShape = outputShape;
        _parameters = parameters;
        _gradients = gradients;
        _weightOffset = weightOffset;
        _weightLength = weightLength;
        _biasOffset = biasOffset;
        _biasLength = biasLength;
        _activations = activations;
        _activationOffset = activationOffset;
        int size = 1;
        foreach (int d in outputShape) size *= d;
        OutputSize = size;
    }

    /// <summary>The property name in the network class.</summary>
    public string Name { get; }

    /// <summary>The layer kind, e.g. <c>Dense</c>, <c>Input</c>.</summary>
    public string Kind { get; }

    /// <summary>Per-sample output shape.</summary>
    public IReadOnlyList<int> OutputShape { get; }

    /// <summary>Floats per sample in <see cref="Output"/>.</summary>
    public int OutputSize { get; }

    /// <summary>Number of trainable parameters (weight + bias).</summary>
    public int ParameterCount => _weightLength + _biasLength;

    /// <summary>The weight tensor, in the network's internal layout (see <see cref="ParameterTensor.Transposed"/>).</summary>
    public Span<float> Weight => _parameters.AsSpan(_weightOffset, _weightLength);

    /// <summary>The bias vector (empty when the layer has none).</summary>
    public Span<float> Bias => _parameters.AsSpan(_biasOffset, _biasLength);

    /// <summary>Gradient of the mean loss with respect to <see cref="Weight"/>, from the last train step.</summary>
    public ReadOnlySpan<float> WeightGradient => _gradients.AsSpan(_weightOffset, _weightLength);

    /// <summary>Gradient of the mean loss with respect to <see cref="Bias"/>, from the last train step.</summary>
    public ReadOnlySpan<float> BiasGradient => _gradients.AsSpan(_biasOffset, _biasLength);

    /// <summary>This layer's activations for the last batch, <c>CurrentBatch × OutputSize</c> floats (after the activation function).</summary>
    public ReadOnlySpan<float> Output => _activations.AsSpan(_activationOffset, _owner.CurrentBatch * OutputSize);

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Kind}) [{string.Join(",", OutputShape)}]";
}
