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

    /// <summary>
    /// <c>TrainStep(input, labels, batch)</c> followed by <c>optimizer.Step(Parameters, Gradients)</c> (no update when
    /// <paramref name="optimizer"/> is null), with the same parameters and optimizer state bit for bit, but each layer is
    /// updated right after its own backward while it is in cache (a Dense layer's weights inside their gradient's
    /// product, so that <see cref="Gradients"/> is then unspecified for Dense weights). When the loss is not finite
    /// nothing is updated and the optimizer's step count does not advance: the parameters stay those of the last good
    /// step. Gradient clipping needs every gradient first: use <c>TrainStep</c>, clip, then <c>Step</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The optimizer was created for another parameter count, or a span has the wrong length.</exception>
    /// <remarks>Generated networks implement it layer by layer; this default (for hand-written networks) runs the two calls.</remarks>
    float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int batch, Optimizers.Optimizer? optimizer)
        => StepIfFinite(TrainStep(input, labels, batch), optimizer);

    /// <summary>The float-target form of <see cref="TrainStep(ReadOnlySpan{float}, ReadOnlySpan{int}, int, Optimizers.Optimizer?)"/>.</summary>
    /// <exception cref="ArgumentException">The optimizer was created for another parameter count, or a span has the wrong length.</exception>
    float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, int batch, Optimizers.Optimizer? optimizer)
        => StepIfFinite(TrainStep(input, targets, batch), optimizer);

    /// <summary>One <paramref name="optimizer"/> step over this network's gradients unless <paramref name="loss"/> is not finite; returns the loss.</summary>
    private float StepIfFinite(float loss, Optimizers.Optimizer? optimizer)
    {
        if (optimizer is not null && float.IsFinite(loss)) optimizer.Step(Parameters, Gradients);
        return loss;
    }

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
