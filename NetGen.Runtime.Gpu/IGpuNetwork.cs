using NetGen.Optimizers;

namespace NetGen.Gpu;

/// <summary>
/// The generated device twin of a network (<c>Mlp.Gpu</c>): the same layers as the CPU network's code, launched on one
/// <see cref="GpuDevice"/> stream over the flat buffers of a <see cref="GpuNetworkState"/>. The CPU network stays the
/// master copy for initialisation and checkpoints: <see cref="DownloadParameters"/> before saving,
/// <see cref="UploadParameters"/> after loading.
/// </summary>
public interface IGpuNetwork : IDisposable
{
    /// <summary>The device every buffer lives on.</summary>
    GpuDevice Device { get; }

    /// <summary>The device buffers (parameters, gradients, activations, optimizer state, batch).</summary>
    GpuNetworkState State { get; }

    /// <summary>The optimizer applied by <c>TrainStep</c>, or null when <c>TrainStep</c> only computes gradients.</summary>
    GpuOptimizer? Optimizer { get; }

    /// <summary>Largest batch <see cref="Forward"/> and <c>TrainStep</c> accept.</summary>
    int MaxBatch { get; }

    /// <summary>Runs the network on <paramref name="batch"/> samples and copies the last layer's output (batch × OutputSize floats) into <paramref name="output"/>.</summary>
    void Forward(ReadOnlySpan<float> input, int batch, Span<float> output);

    /// <summary>
    /// Copies the last layer's output of the latest <see cref="Forward"/> or <c>TrainStep</c> for its first
    /// <paramref name="batch"/> samples into <paramref name="output"/> (waits for the device), e.g. to count correct
    /// predictions during training.
    /// </summary>
    void CopyOutput(int batch, Span<float> output);

    /// <summary>
    /// One training step on class labels: upload, forward, loss, backward and (with an <see cref="Optimizer"/>) one update,
    /// all on the device stream; returns the mean loss (the only copy back).
    /// </summary>
    float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int batch);

    /// <summary>One training step on float targets (batch × OutputSize); see the label overload.</summary>
    float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, int batch);

    /// <summary>Copies the CPU network's parameters (and the host optimizer's state) to the device.</summary>
    void UploadParameters(INetwork network);

    /// <summary>Copies the device parameters (and optimizer state) into the CPU network (and the host optimizer); waits for pending work.</summary>
    void DownloadParameters(INetwork network);
}

/// <summary>
/// Implemented by every generated network that has a device twin (its layer kinds, activations and loss all run on the
/// GPU); lets code that holds an <see cref="INetwork"/> create the twin without knowing the concrete type.
/// </summary>
public interface IGpuTrainable : INetwork
{
    /// <summary>
    /// Creates the device twin with buffers for <paramref name="maxBatch"/> samples, copying this network's parameters
    /// (and <paramref name="optimizer"/>'s state, which must be <see cref="Sgd"/> or <see cref="Adam"/>) to
    /// <paramref name="device"/>.
    /// </summary>
    IGpuNetwork CreateGpu(GpuDevice device, int maxBatch, Optimizer? optimizer);
}
