using System.Runtime.CompilerServices;
using NetGen.Kernels;

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
    protected override unsafe void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int start, int length, long step)
    {
        // One pass, memory-bound (three streams in, two out): the widest vectors, then the same rule on the tail.
        int n = start + length, i = start;
        fixed (float* p = parameters, g = gradients, b = _momentumBuffer)
        {
            if (MaxLanes >= 16 && Lanes16.IsAccelerated) i = Update<Lanes16>(p, g, b, i, n);
            if (MaxLanes >= 8 && Lanes8.IsAccelerated) i = Update<Lanes8>(p, g, b, i, n);
            Update<Lanes1>(p, g, b, i, n);
        }
    }

    /// <summary>Updates elements from i on, whole vectors of T.Count below n; returns where it stopped. Compiled optimised
    /// from the first call and never inlined: code that does not keep the width's values in registers (unoptimised,
    /// or this loop inlined into its caller) ran 10–50× slower.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private unsafe int Update<T>(float* p, float* g, float* b, int i, int n) where T : struct, ILanes<T>
    {
        var negLr = T.Create(-LearningRate);
        var mu = T.Create(Momentum);
        var wd = T.Create(WeightDecay);
        bool momentum = Momentum != 0, nesterov = Nesterov;
        for (; i <= n - T.Count; i += T.Count)
        {
            var pi = T.Load(p + i);
            var gi = T.FusedMultiplyAdd(wd, pi, T.Load(g + i));
            if (momentum)
            {
                var bi = T.FlushSubnormal(T.FusedMultiplyAdd(mu, T.Load(b + i), gi));
                T.Store(bi, b + i);
                gi = nesterov ? T.FusedMultiplyAdd(mu, bi, gi) : bi;
            }
            T.Store(T.FusedMultiplyAdd(negLr, gi, pi), p + i);
        }
        return i;
    }
}
