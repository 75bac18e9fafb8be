using NetGen.Gpu;
using NetGen.Kernels;

namespace NetGen.Tests.Gpu;

/// <summary>
/// A hand-written 6 → 9 (tanh) → 4 classifier shaped like generated code: flat parameter, gradient and activation
/// buffers, and a train step that calls the CPU kernels. <see cref="TinyMlpGpu"/> is its device twin.
/// </summary>
internal sealed class TinyMlp : INetwork
{
    public const int In = 6, Hidden = 9, Out = 4;
    public const int W1 = 0, B1 = W1 + In * Hidden, W2 = B1 + Hidden, B2 = W2 + Hidden * Out, ParameterCount = B2 + Out;

    private readonly float[] _parameters = new float[ParameterCount], _gradients = new float[ParameterCount];
    private readonly float[] _hidden, _logits, _dHidden, _dLogits;

    public TinyMlp(int maxBatch, ulong seed)
    {
        MaxBatch = maxBatch;
        _hidden = new float[maxBatch * Hidden]; _dHidden = new float[maxBatch * Hidden];
        _logits = new float[maxBatch * Out]; _dLogits = new float[maxBatch * Out];
        var rng = new Rng(seed);
        Init.Glorot(_parameters.AsSpan(W1, In * Hidden), In, Hidden, ref rng);
        Init.Glorot(_parameters.AsSpan(W2, Hidden * Out), Hidden, Out, ref rng);
        for (int i = B1; i < W2; i++) _parameters[i] = 0.1f * rng.NextGaussian();
    }

    /// <summary>Floats of activations (hidden, then logits) for <see cref="MaxBatch"/> samples.</summary>
    public int ActivationCount => MaxBatch * (Hidden + Out);

    public string Name => nameof(TinyMlp);
    public int MaxBatch { get; }
    public int CurrentBatch { get; private set; }
    public int InputSize => In;
    public int OutputSize => Out;
    public Loss Loss => Loss.SoftmaxCrossEntropy;
    public ulong ShapeSignature => 0x6_9_4;
    public (uint, uint, uint, uint) RngState { get; set; }
    public Span<float> Parameters => _parameters;
    public Span<float> Gradients => _gradients;
    public IReadOnlyList<Layer> Layers => [];
    public IReadOnlyList<ParameterTensor> ParameterTensors => [];
    public string Summary() => $"{Name}: {In} → {Hidden} tanh → {Out}";

    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> input, int batch)
    {
        CurrentBatch = batch;
        Dense.Forward<Tanh>(batch, In, Hidden, input, _parameters.AsSpan(W1, In * Hidden), _parameters.AsSpan(B1, Hidden), _hidden);
        Dense.Forward<Identity>(batch, Hidden, Out, _hidden, _parameters.AsSpan(W2, Hidden * Out), _parameters.AsSpan(B2, Out), _logits);
        return _logits.AsSpan(0, batch * Out);
    }

    public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int batch)
    {
        Forward(input, batch);
        float loss = Losses.SoftmaxCrossEntropy(batch, Out, _logits, labels, _dLogits);
        Dense.Backward<Identity>(batch, Hidden, Out, _hidden, _parameters.AsSpan(W2, Hidden * Out), _logits, _dLogits,
            _gradients.AsSpan(W2, Hidden * Out), _gradients.AsSpan(B2, Out), _dHidden);
        Dense.Backward<Tanh>(batch, In, Hidden, input, _parameters.AsSpan(W1, In * Hidden), _hidden, _dHidden,
            _gradients.AsSpan(W1, In * Hidden), _gradients.AsSpan(B1, Hidden), []);
        return loss;
    }

    public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> targets, int batch) =>
        throw new NotSupportedException("TinyMlp is trained with class labels.");
}

/// <summary>
/// The device twin of <see cref="TinyMlp"/>, written the way the generator will emit it: literal shapes and offsets,
/// the CPU code's calls with <c>Gpu</c> in front, views into the state's flat buffers.
/// </summary>
internal sealed class TinyMlpGpu(GpuDevice device, TinyMlp network) : IDisposable
{
    private const int In = TinyMlp.In, Hidden = TinyMlp.Hidden, Out = TinyMlp.Out;
    private readonly int _logitsAt = network.MaxBatch * Hidden;

    public GpuNetworkState State { get; } =
        new(device, network, network.ActivationCount, network.ActivationCount, optimizerState: TinyMlp.ParameterCount);

    /// <summary>Inference: uploads the input, runs both layers and copies the logits into <paramref name="logits"/>.</summary>
    public void Forward(ReadOnlySpan<float> input, int batch, Span<float> logits)
    {
        var s = State;
        var p = s.Parameters; var a = s.Activations;
        s.UploadInput(input, batch);
        GpuDense.Forward<GpuTanh>(device, batch, In, Hidden, s.Input.View, p.Slice(TinyMlp.W1, In * Hidden), p.Slice(TinyMlp.B1, Hidden), a.Slice(0, batch * Hidden));
        GpuDense.Forward<GpuIdentity>(device, batch, Hidden, Out, a.Slice(0, batch * Hidden), p.Slice(TinyMlp.W2, Hidden * Out), p.Slice(TinyMlp.B2, Out), a.Slice(_logitsAt, batch * Out));
        a.CopyTo(logits[..(batch * Out)], offset: _logitsAt);
    }

    /// <summary>Uploads the batch, runs forward, loss, backward and one SGD-momentum update; returns the mean loss.</summary>
    public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<int> labels, int batch, int step, float learningRate, float momentum)
    {
        var s = State;
        var p = s.Parameters; var g = s.Gradients; var a = s.Activations; var d = s.ActivationGradients;
        s.UploadBatch(input, labels, batch);
        GpuDense.Forward<GpuTanh>(device, batch, In, Hidden, s.Input.View, p.Slice(TinyMlp.W1, In * Hidden), p.Slice(TinyMlp.B1, Hidden), a.Slice(0, batch * Hidden));
        GpuDense.Forward<GpuIdentity>(device, batch, Hidden, Out, a.Slice(0, batch * Hidden), p.Slice(TinyMlp.W2, Hidden * Out), p.Slice(TinyMlp.B2, Out), a.Slice(_logitsAt, batch * Out));
        GpuLosses.SoftmaxCrossEntropy(device, batch, Out, a.Slice(_logitsAt, batch * Out), s.Labels.View, d.Slice(_logitsAt, batch * Out), s.Loss.View);
        GpuDense.Backward<GpuIdentity>(device, batch, Hidden, Out, a.Slice(0, batch * Hidden), p.Slice(TinyMlp.W2, Hidden * Out), a.Slice(_logitsAt, batch * Out),
            d.Slice(_logitsAt, batch * Out), g.Slice(TinyMlp.W2, Hidden * Out), g.Slice(TinyMlp.B2, Out), d.Slice(0, batch * Hidden));
        GpuDense.Backward<GpuTanh>(device, batch, In, Hidden, s.Input.View, p.Slice(TinyMlp.W1, In * Hidden), a.Slice(0, batch * Hidden),
            d.Slice(0, batch * Hidden), g.Slice(TinyMlp.W1, In * Hidden), g.Slice(TinyMlp.B1, Hidden), default);
        GpuOptimizers.Sgd(device, p.View, g.View, s.OptimizerSlot(0), step, learningRate, momentum);
        return s.ReadLoss();
    }

    public void Dispose() => State.Dispose();
}
