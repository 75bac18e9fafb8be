namespace NetGen;

/// <summary>
/// What every generated network exposes, so that optimizers, trainers and checkpoints work on any network
/// without reflection. Generated classes implement it; user code normally uses the generated members directly.
/// </summary>
public interface INetwork
{
    /// <summary>Network type name, e.g. <c>LeNet5</c>.</summary>
    string Name { get; }

    /// <summary>Largest batch <see cref="Forward"/> and <c>TrainStep</c> accept (set at construction).</summary>
    int MaxBatch { get; }

    /// <summary>Batch size of the last <see cref="Forward"/> or <c>TrainStep</c> call.</summary>
    int CurrentBatch { get; }

    /// <summary>Floats per input sample (the product of the input shape).</summary>
    int InputSize { get; }

    /// <summary>Floats per output sample (the number of classes for cross-entropy).</summary>
    int OutputSize { get; }

    /// <summary>The training objective.</summary>
    Loss Loss { get; }

    /// <summary>Hash of every layer's kind and shape; checkpoints refuse a network whose signature differs.</summary>
    ulong ShapeSignature { get; }

    /// <summary>All trainable parameters in one contiguous buffer.</summary>
    Span<float> Parameters { get; }

    /// <summary>Gradients of the mean loss, same layout as <see cref="Parameters"/>; overwritten by each <c>TrainStep</c>.</summary>
    Span<float> Gradients { get; }

    /// <summary>Layers in data-flow order, including the input.</summary>
    IReadOnlyList<Layer> Layers { get; }

    /// <summary>Named parameter tensors (<c>F5.weight</c>, <c>F5.bias</c>) with their place in <see cref="Parameters"/>.</summary>
    IReadOnlyList<ParameterTensor> ParameterTensors { get; }

    /// <summary>Runs inference on <paramref name="batch"/> samples laid out one after another; returns the outputs
    /// (logits for cross-entropy), <c>batch × OutputSize</c> floats, valid until the next call.</summary>
    ReadOnlySpan<float> Forward(ReadOnlySpan<float> input, int batch);

    /// <summary>Forward, softmax cross-entropy and backward for integer class labels; returns the mean loss.</summary>
    float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int batch);

    /// <summary>Forward, squared error and backward for float targets (<c>batch × OutputSize</c>); returns the mean loss.</summary>
    float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, int batch);

    /// <summary>State of the network's own <see cref="Rng"/>, which draws the dropout masks of <c>TrainStep</c>; seeded by the
    /// constructor's seed. Setting a state captured earlier makes the following steps draw the same masks again, so a
    /// checkpoint that stores it resumes exactly. Networks without dropout keep it unchanged.</summary>
    (uint, uint, uint, uint) RngState { get; set; }

    /// <summary>A Keras-style table of layers, output shapes and parameter counts.</summary>
    string Summary();

    /// <summary>
    /// The global L2 norm gradients should be clipped to before each update when the caller sets none (the
    /// <see cref="Training.Trainer"/> uses it when <c>TrainerOptions.ClipNorm</c> is null); null: no clipping. Generated
    /// networks with a recurrent layer return their <c>DefaultClipNorm</c> (5), all others null.
    /// </summary>
    float? RecommendedClipNorm => null;
}
