using System.Runtime.CompilerServices;
using NetGen.Kernels;

namespace NetGen.Optimizers;

/// <summary>
/// Adam (Kingma &amp; Ba) with bias correction, exactly as PyTorch's <c>torch.optim.Adam</c> (coupled L2 decay) or
/// <c>torch.optim.AdamW</c> (decoupled decay), at step t:
/// AdamW: θ ← θ·(1 − η·λ); Adam: g ← ∇ + λ·θ;
/// m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;
/// θ ← θ − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly float[] _m, _v;
    private readonly OptimizerState[] _state;

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameterCount">Length of the network's flat parameter buffer.</param>
    /// <param name="learningRate">η.</param>
    /// <param name="beta1">β₁, decay of the first moment, in [0, 1).</param>
    /// <param name="beta2">β₂, decay of the second moment, in [0, 1).</param>
    /// <param name="epsilon">ε, added to the denominator.</param>
    /// <param name="weightDecay">λ.</param>
    /// <param name="decoupledWeightDecay">True for AdamW (decay applied to θ directly); false adds λ·θ to the gradient.</param>
    public Adam(int parameterCount, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f,
        float weightDecay = 0, bool decoupledWeightDecay = false)
        : base(parameterCount, learningRate)
    {
        if (beta1 < 0 || beta1 >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "β₁ must be in [0, 1).");
        if (beta2 < 0 || beta2 >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "β₂ must be in [0, 1).");
        ArgumentOutOfRangeException.ThrowIfNegative(epsilon);
        ArgumentOutOfRangeException.ThrowIfNegative(weightDecay);
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon; WeightDecay = weightDecay; DecoupledWeightDecay = decoupledWeightDecay;
        _m = new float[parameterCount];
        _v = new float[parameterCount];
        _state = [new OptimizerState("m", _m), new OptimizerState("v", _v)];
    }

    /// <summary>β₁.</summary>
    public float Beta1 { get; }

    /// <summary>β₂.</summary>
    public float Beta2 { get; }

    /// <summary>ε.</summary>
    public float Epsilon { get; }

    /// <summary>λ.</summary>
    public float WeightDecay { get; }

    /// <summary>True for AdamW.</summary>
    public bool DecoupledWeightDecay { get; }

    /// <inheritdoc />
    public override string Kind => DecoupledWeightDecay ? "adamw" : "adam";

    /// <inheritdoc />
    public override IReadOnlyList<OptimizerState> State => _state;

    /// <inheritdoc />
    protected override unsafe void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int start, int length, long step)
    {
        // One pass, memory-bound (four streams in, three out).
        Prepare(step);
        fixed (float* p = parameters, g = gradients, m = _m, v = _v)
            UpdateRows(p + start, g + start, m + start, v + start, 1, length, 0, 0);
    }

    /// <inheritdoc />
    internal override bool UpdatesBlocks => true;

    /// <inheritdoc />
    internal override void BeginBlocks() => Prepare(StepCount + 1);

    /// <inheritdoc />
    internal override unsafe void UpdateBlock(float* parameters, nint offset, int rows, int columns, nint stride, float* gradients, nint gradientStride)
    {
        fixed (float* m = _m, v = _v)
            UpdateRows(parameters, gradients, m + offset, v + offset, rows, columns, stride, gradientStride);
    }

    // The step's bias-corrected constants, computed once per step and learning rate (by Update, or by BeginBlocks before
    // the block updates of one product, which only read them).
    private long _preparedStep;
    private float _preparedRate, _stepSize, _invCorrection2;

    /// <summary>Sets the bias corrections of step <paramref name="step"/>, in double as PyTorch computes them in Python floats.</summary>
    private void Prepare(long step)
    {
        if (step == _preparedStep && LearningRate == _preparedRate) return;
        _stepSize = (float)(LearningRate / (1 - Math.Pow(Beta1, step)));
        _invCorrection2 = (float)(1 / Math.Sqrt(1 - Math.Pow(Beta2, step)));
        _preparedStep = step;
        _preparedRate = LearningRate;
    }

    /// <summary>The rule on rows×columns elements: row r's parameters and moments start at p, m, v + r·stride, its
    /// gradients at g + r·gradientStride. The widest vectors, the same rule one lane at a time on each row's tail.</summary>
    private unsafe void UpdateRows(float* p, float* g, float* m, float* v, int rows, int columns, nint stride, nint gradientStride)
    {
        if (MaxLanes >= 16 && Lanes16.IsAccelerated) UpdateRows<Lanes16>(p, g, m, v, rows, columns, stride, gradientStride);
        else if (MaxLanes >= 8 && Lanes8.IsAccelerated) UpdateRows<Lanes8>(p, g, m, v, rows, columns, stride, gradientStride);
        else if (MaxLanes >= 4 && Lanes4.IsAccelerated) UpdateRows<Lanes4>(p, g, m, v, rows, columns, stride, gradientStride);
        else UpdateRows<Lanes1>(p, g, m, v, rows, columns, stride, gradientStride);
    }

    /// <summary>Compiled optimised from the first call and never inlined: code that does not keep the width's values in
    /// registers (unoptimised, or this loop inlined into its caller) ran 10–50× slower.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private unsafe void UpdateRows<T>(float* p, float* g, float* m, float* v, int rows, int columns, nint stride, nint gradientStride)
        where T : struct, ILanes<T>
    {
        var rule = new Rule<T>(this);
        var tail = new Rule<Lanes1>(this);
        for (int r = 0; r < rows; r++, p += stride, g += gradientStride, m += stride, v += stride)
        {
            int i = 0;
            for (; i <= columns - T.Count; i += T.Count) rule.Apply(p + i, g + i, m + i, v + i);
            for (; i < columns; i++) tail.Apply(p + i, g + i, m + i, v + i);
        }
    }

    /// <summary>The update of one value of T (T.Count elements), with the step's constants broadcast once.</summary>
    private readonly unsafe struct Rule<T>(Adam adam) where T : struct, ILanes<T>
    {
        private readonly T _b1 = T.Create(adam.Beta1), _b2 = T.Create(adam.Beta2), _c1 = T.Create(1 - adam.Beta1), _c2 = T.Create(1 - adam.Beta2);
        private readonly T _eps = T.Create(adam.Epsilon), _inv = T.Create(adam._invCorrection2), _negStep = T.Create(-adam._stepSize);
        private readonly T _coupled = T.Create(adam.DecoupledWeightDecay ? 0 : adam.WeightDecay);
        private readonly T _shrink = T.Create(adam.DecoupledWeightDecay ? 1 - adam.LearningRate * adam.WeightDecay : 1);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(float* p, float* g, float* m, float* v)
        {
            var pi = T.Load(p);
            var gi = T.FusedMultiplyAdd(_coupled, pi, T.Load(g));
            var mi = T.FlushSubnormal(T.FusedMultiplyAdd(_b1, T.Load(m), T.Multiply(_c1, gi)));
            var vi = T.FlushSubnormal(T.FusedMultiplyAdd(_b2, T.Load(v), T.Multiply(_c2, T.Multiply(gi, gi))));
            T.Store(mi, m);
            T.Store(vi, v);
            var denominator = T.FusedMultiplyAdd(T.Sqrt(vi), _inv, _eps);
            T.Store(T.FusedMultiplyAdd(_negStep, T.Divide(mi, denominator), T.Multiply(pi, _shrink)), p);
        }
    }
}
