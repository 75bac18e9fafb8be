using System.Numerics;

namespace NetGen.Optimizers;

/// <summary>
/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay, exactly as PyTorch's
/// <c>torch.optim.SGD</c> with <c>dampening = 0</c>:
/// g ← ∇ + λ·θ;  b ← μ·b + g;  g ← Nesterov ? g + μ·b : b;  θ ← θ − η·g
/// (without momentum, θ ← θ − η·(∇ + λ·θ)).
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly float[] _momentumBuffer;
    private readonly OptimizerState[] _state;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameterCount">Length of the network's flat parameter buffer.</param>
    /// <param name="learningRate">η.</param>
    /// <param name="momentum">μ in [0, 1); 0 disables the momentum buffer.</param>
    /// <param name="nesterov">Use Nesterov momentum (requires μ &gt; 0).</param>
    /// <param name="weightDecay">λ, L2 penalty added to the gradient.</param>
    public Sgd(int parameterCount, float learningRate, float momentum = 0, bool nesterov = false, float weightDecay = 0)
        : base(parameterCount, learningRate)
    {
        if (momentum < 0 || momentum >= 1) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1).");
        if (nesterov && momentum == 0) throw new ArgumentException("Nesterov momentum needs momentum > 0.", nameof(nesterov));
        ArgumentOutOfRangeException.ThrowIfNegative(weightDecay);
        Momentum = momentum;
        Nesterov = nesterov;
        WeightDecay = weightDecay;
        _momentumBuffer = momentum == 0 ? [] : new float[parameterCount];
        _state = momentum == 0 ? [] : [new OptimizerState("momentum", _momentumBuffer)];
    }

    /// <summary>μ.</summary>
    public float Momentum { get; }

    /// <summary>Whether the update uses Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <summary>λ.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc />
    public override string Kind => "sgd";

    /// <inheritdoc />
    public override IReadOnlyList<OptimizerState> State => _state;

    /// <inheritdoc />
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        float lr = LearningRate, mu = Momentum, wd = WeightDecay;
        Span<float> buffer = _momentumBuffer;
        int i = 0;
        // The update is memory-bound (3–4 streams, 2 flops per element), so the hardware width of Vector<T> is enough.
        if (Vector.IsHardwareAccelerated)
        {
            var vLr = new Vector<float>(lr); var vMu = new Vector<float>(mu); var vWd = new Vector<float>(wd);
            for (; i <= parameters.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var p = new Vector<float>(parameters[i..]);
                var g = new Vector<float>(gradients[i..]) + vWd * p;
                if (mu != 0)
                {
                    var b = FlushSubnormal(vMu * new Vector<float>(buffer[i..]) + g);
                    b.CopyTo(buffer[i..]);
                    g = Nesterov ? g + vMu * b : b;
                }
                (p - vLr * g).CopyTo(parameters[i..]);
            }
        }
        for (; i < parameters.Length; i++)
        {
            float p = parameters[i];
            float g = gradients[i] + wd * p;
            if (mu != 0)
            {
                float b = buffer[i] = FlushSubnormal(mu * buffer[i] + g);
                g = Nesterov ? g + mu * b : b;
            }
            parameters[i] = p - lr * g;
        }
    }
}
