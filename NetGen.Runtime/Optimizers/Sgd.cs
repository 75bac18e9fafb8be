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
        // One pass, memory-bound (three streams in, two out).
        fixed (float* p = parameters, g = gradients, b = _momentumBuffer)
            UpdateRows(p + start, g + start, b == null ? null : b + start, 1, length, 0, 0);
    }

    /// <inheritdoc />
    internal override bool UpdatesBlocks => true;

    /// <inheritdoc />
    internal override unsafe void UpdateBlock(float* parameters, nint offset, int rows, int columns, nint stride, float* gradients, nint gradientStride)
    {
        fixed (float* b = _momentumBuffer)
            UpdateRows(parameters, gradients, b == null ? null : b + offset, rows, columns, stride, gradientStride);
    }

    /// <summary>The rule on rows×columns elements: row r's parameters and momentum start at p + r·stride and b + r·stride
    /// (b is null without momentum), its gradients at g + r·gradientStride. The widest vectors, the same rule one lane at
    /// a time on each row's tail.</summary>
    private unsafe void UpdateRows(float* p, float* g, float* b, int rows, int columns, nint stride, nint gradientStride)
    {
        if (MaxLanes >= 16 && Lanes16.IsAccelerated) UpdateRows<Lanes16>(p, g, b, rows, columns, stride, gradientStride);
        else if (MaxLanes >= 8 && Lanes8.IsAccelerated) UpdateRows<Lanes8>(p, g, b, rows, columns, stride, gradientStride);
        else if (MaxLanes >= 4 && Lanes4.IsAccelerated) UpdateRows<Lanes4>(p, g, b, rows, columns, stride, gradientStride);
        else UpdateRows<Lanes1>(p, g, b, rows, columns, stride, gradientStride);
    }

    /// <summary>Compiled optimised from the first call and never inlined: code that does not keep the width's values in
    /// registers (unoptimised, or this loop inlined into its caller) ran 10–50× slower.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private unsafe void UpdateRows<T>(float* p, float* g, float* b, int rows, int columns, nint stride, nint gradientStride)
        where T : struct, ILanes<T>
    {
        var rule = new Rule<T>(this);
        var tail = new Rule<Lanes1>(this);
        for (int r = 0; r < rows; r++, p += stride, g += gradientStride, b += stride)
        {
            int i = 0;
            for (; i <= columns - T.Count; i += T.Count) rule.Apply(p + i, g + i, b + i);
            for (; i < columns; i++) tail.Apply(p + i, g + i, b + i);
        }
    }

    /// <summary>The update of one value of T (T.Count elements), with the step's constants broadcast once.</summary>
    private readonly unsafe struct Rule<T>(Sgd sgd) where T : struct, ILanes<T>
    {
        private readonly T _negLr = T.Create(-sgd.LearningRate), _mu = T.Create(sgd.Momentum), _wd = T.Create(sgd.WeightDecay);
        private readonly bool _momentum = sgd.Momentum != 0, _nesterov = sgd.Nesterov;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(float* p, float* g, float* b)
        {
            var pi = T.Load(p);
            var gi = T.FusedMultiplyAdd(_wd, pi, T.Load(g));
            if (_momentum)
            {
                var bi = T.FlushSubnormal(T.FusedMultiplyAdd(_mu, T.Load(b), gi));
                T.Store(bi, b);
                gi = _nesterov ? T.FusedMultiplyAdd(_mu, bi, gi) : bi;
            }
            T.Store(T.FusedMultiplyAdd(_negLr, gi, pi), p);
        }
    }
}
