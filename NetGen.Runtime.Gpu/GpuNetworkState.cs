using ILGPU;

namespace NetGen.Gpu;

/// <summary>
/// The device-side memory of one network: one flat buffer each for parameters, gradients, activations, activation
/// gradients and optimizer state (same layouts as the CPU network's buffers), plus the batch inputs, labels or
/// targets, and the one-float loss. The CPU <see cref="INetwork"/> stays the master copy for initialisation and
/// checkpoints: <see cref="UploadParameters"/> after loading, <see cref="DownloadParameters"/> before saving.
/// </summary>
public sealed class GpuNetworkState : IDisposable
{
    private readonly float[] _loss = new float[1];
    private readonly uint _seed;

    /// <summary>
    /// Allocates every buffer and copies <paramref name="network"/>'s parameters to the device; gradients and optimizer
    /// state start at zero. Sizes are in floats: <paramref name="activations"/> and <paramref name="activationGradients"/>
    /// for <see cref="INetwork.MaxBatch"/> samples, <paramref name="optimizerState"/> e.g. one parameter count for SGD
    /// momentum, two for Adam (zero for plain SGD).
    /// </summary>
    public GpuNetworkState(GpuDevice device, INetwork network, int activations, int activationGradients, int optimizerState)
        : this(device, network, network?.MaxBatch ?? 0, activations, activationGradients, optimizerState)
    {
    }

    /// <summary>
    /// As <see cref="GpuNetworkState(GpuDevice, INetwork, int, int, int)"/>, with batches of up to <paramref name="maxBatch"/>
    /// samples on the device, independent of the CPU network's <see cref="INetwork.MaxBatch"/> (the CPU copy only holds
    /// parameters for initialisation and checkpoints, so it can stay small).
    /// </summary>
    public GpuNetworkState(GpuDevice device, INetwork network, int maxBatch, int activations, int activationGradients, int optimizerState)
        : this(device, network, maxBatch, activations, activationGradients, optimizerState, labelsPerSample: 1)
    {
    }

    /// <summary>
    /// As <see cref="GpuNetworkState(GpuDevice, INetwork, int, int, int, int)"/>, for a network trained with
    /// <paramref name="labelsPerSample"/> class labels per sample (softmax cross-entropy at every step of a sequence
    /// output <c>[T, C]</c>: T labels, each in <c>[0, OutputSize / T)</c>).
    /// </summary>
    public GpuNetworkState(GpuDevice device, INetwork network, int maxBatch, int activations, int activationGradients, int optimizerState,
        int labelsPerSample)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(network);
        if (maxBatch < 1)
            throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, "maxBatch must be at least 1.");
        ArgumentOutOfRangeException.ThrowIfNegative(activations);
        ArgumentOutOfRangeException.ThrowIfNegative(activationGradients);
        ArgumentOutOfRangeException.ThrowIfNegative(optimizerState);
        if (labelsPerSample < 1 || network.OutputSize % labelsPerSample != 0)
            throw new ArgumentOutOfRangeException(nameof(labelsPerSample), labelsPerSample,
                $"labelsPerSample must be at least 1 and divide the network's OutputSize ({network.OutputSize}): one label per step of [steps, classes].");
        Device = device;
        LabelsPerSample = labelsPerSample;
        MaxBatch = maxBatch;
        InputSize = network.InputSize;
        OutputSize = network.OutputSize;
        var (s0, s1, s2, s3) = network.RngState;
        _seed = MaskKernels.Hash(s0 ^ MaskKernels.Hash(s1 ^ MaskKernels.Hash(s2 ^ MaskKernels.Hash(s3))));
        int parameterCount = network.Parameters.Length;
        Parameters = device.Allocate<float>(parameterCount);
        Gradients = device.Allocate<float>(parameterCount);
        Activations = device.Allocate<float>(activations);
        ActivationGradients = device.Allocate<float>(activationGradients);
        OptimizerState = device.Allocate<float>(optimizerState);
        Input = device.Allocate<float>(MaxBatch * InputSize);
        Labels = device.Allocate<int>(MaxBatch * labelsPerSample);
        Targets = device.Allocate<float>(MaxBatch * OutputSize);
        Loss = device.Allocate<float>(1);
        Gradients.Clear();
        OptimizerState.Clear();
        UploadParameters(network);
    }

    /// <summary>The device everything lives on.</summary>
    public GpuDevice Device { get; }

    /// <summary>Largest batch the input, label and target buffers hold.</summary>
    public int MaxBatch { get; }

    /// <summary>Class labels per sample: 1, or T for a loss at every step of a sequence output.</summary>
    public int LabelsPerSample { get; }

    /// <summary>Floats per input sample.</summary>
    public int InputSize { get; }

    /// <summary>Floats per output sample.</summary>
    public int OutputSize { get; }

    /// <summary>All parameters, laid out as <see cref="INetwork.Parameters"/>.</summary>
    public GpuBuffer<float> Parameters { get; }

    /// <summary>Gradients of the mean loss, laid out as <see cref="Parameters"/>.</summary>
    public GpuBuffer<float> Gradients { get; }

    /// <summary>Every layer's output for the current batch.</summary>
    public GpuBuffer<float> Activations { get; }

    /// <summary>Gradients of the loss with respect to <see cref="Activations"/> (the <c>d</c>-buffers of backward).</summary>
    public GpuBuffer<float> ActivationGradients { get; }

    /// <summary>Optimizer state (momentum, Adam moments) over the parameter layout, one block after another.</summary>
    public GpuBuffer<float> OptimizerState { get; }

    /// <summary>The current batch's inputs, <c>batch × InputSize</c>.</summary>
    public GpuBuffer<float> Input { get; }

    /// <summary>The current batch's class labels (softmax cross-entropy).</summary>
    public GpuBuffer<int> Labels { get; }

    /// <summary>The current batch's float targets, <c>batch × OutputSize</c> (squared error).</summary>
    public GpuBuffer<float> Targets { get; }

    /// <summary>The last mean loss, one float, written by the loss kernels.</summary>
    public GpuBuffer<float> Loss { get; }

    /// <summary>The <paramref name="index"/>-th parameter-sized block of <see cref="OptimizerState"/> (0: momentum or Adam's m, 1: Adam's v).</summary>
    public ArrayView<float> OptimizerSlot(int index) => OptimizerState.Slice(index * Parameters.Length, Parameters.Length);

    /// <summary>True after <c>UploadBatch</c> (a train step: dropout draws masks), false after <see cref="UploadInput"/> (inference).</summary>
    public bool Training { get; private set; }

    /// <summary>How many batches <c>UploadBatch</c> has uploaded: the train step count that dropout seeds are drawn from.</summary>
    public long TrainingSteps { get; private set; }

    /// <summary>
    /// The <see cref="GpuDropout"/> seed of dropout layer <paramref name="layer"/> (its index) in the current train step:
    /// a hash of the CPU network's <see cref="INetwork.RngState"/> when this state was created, <see cref="TrainingSteps"/>
    /// and the layer, so that every layer and step draws a different mask and the same run draws the same ones.
    /// </summary>
    public uint DropoutSeed(int layer) =>
        MaskKernels.Hash(_seed ^ MaskKernels.Hash((uint)TrainingSteps ^ MaskKernels.Hash((uint)layer + 0x632BE5ABu)));

    /// <summary>Copies the CPU network's parameters to the device (after construction or after loading a checkpoint).</summary>
    public void UploadParameters(INetwork network) => Parameters.CopyFrom(CheckParameters(network));

    /// <summary>Copies the device parameters into the CPU network (waits for pending work); do this before saving a checkpoint.</summary>
    public void DownloadParameters(INetwork network) => Parameters.CopyTo(CheckParameters(network));

    /// <summary>Copies <paramref name="batch"/> input samples to <see cref="Input"/> (for inference; training uses <c>UploadBatch</c>).</summary>
    public void UploadInput(ReadOnlySpan<float> input, int batch)
    {
        if (batch < 1 || batch > MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(batch), $"Batch {batch} is outside [1, {MaxBatch}] (MaxBatch is set when the network is built).");
        if (input.Length < batch * InputSize)
            throw new ArgumentException($"input has {input.Length} floats but a batch of {batch} needs {batch * InputSize} ({InputSize} per sample).", nameof(input));
        Input.CopyFrom(input[..(batch * InputSize)]);
        Training = false;
    }

    /// <summary>
    /// Copies a batch of inputs and <c>batch × LabelsPerSample</c> class labels to the device; labels are checked
    /// against the classes (<see cref="OutputSize"/> / <see cref="LabelsPerSample"/>) first.
    /// </summary>
    public void UploadBatch(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int batch)
    {
        CheckSamples(labels.Length / LabelsPerSample, batch, nameof(labels));
        int count = batch * LabelsPerSample, classes = OutputSize / LabelsPerSample;
        for (int i = 0; i < count; i++)
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {labels[i]} of sample {i / LabelsPerSample} is outside [0, {classes}).");
        UploadInput(input, batch);
        Labels.CopyFrom(labels[..count]);
        StartTrainingStep();
    }

    /// <summary>Copies a batch of inputs and float targets (<c>batch × OutputSize</c>) to the device.</summary>
    public void UploadBatch(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, int batch)
    {
        CheckSamples(targets.Length / Math.Max(OutputSize, 1), batch, nameof(targets));
        UploadInput(input, batch);
        Targets.CopyFrom(targets[..(batch * OutputSize)]);
        StartTrainingStep();
    }

    private void StartTrainingStep()
    {
        Training = true;
        TrainingSteps++;
    }

    /// <summary>Waits for pending work and returns the last mean loss (the only copy back a train step needs).</summary>
    public float ReadLoss()
    {
        Loss.CopyTo(_loss);
        return _loss[0];
    }

    private Span<float> CheckParameters(INetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var parameters = network.Parameters;
        if (parameters.Length != Parameters.Length)
            throw new ArgumentException(
                $"Network '{network.Name}' has {parameters.Length} parameters but this GPU state was built for {Parameters.Length}; " +
                "use the network the state was created from.", nameof(network));
        return parameters;
    }

    private static void CheckSamples(int samples, int batch, string name)
    {
        if (samples < batch)
            throw new ArgumentException($"{name} covers {samples} samples but the batch has {batch}.", name);
    }

    /// <summary>Frees every device buffer.</summary>
    public void Dispose()
    {
        Parameters.Dispose();
        Gradients.Dispose();
        Activations.Dispose();
        ActivationGradients.Dispose();
        OptimizerState.Dispose();
        Input.Dispose();
        Labels.Dispose();
        Targets.Dispose();
        Loss.Dispose();
    }
}
