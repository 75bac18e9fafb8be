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
        // One pass, memory-bound (four streams in, three out): the widest vectors, then the same rule on the tail.
        // Bias corrections in double, as PyTorch computes them in Python floats.
        float stepSize = (float)(LearningRate / (1 - Math.Pow(Beta1, step)));
        float invCorrection2 = (float)(1 / Math.Sqrt(1 - Math.Pow(Beta2, step)));
        int n = start + length, i = start;
        fixed (float* p = parameters, g = gradients, m = _m, v = _v)
        {
            if (MaxLanes >= 16 && Lanes16.IsAccelerated) i = Update<Lanes16>(p, g, m, v, i, n, stepSize, invCorrection2);
            if (MaxLanes >= 8 && Lanes8.IsAccelerated) i = Update<Lanes8>(p, g, m, v, i, n, stepSize, invCorrection2);
            Update<Lanes1>(p, g, m, v, i, n, stepSize, invCorrection2);
        }
    }

    /// <summary>Updates elements from i on, whole vectors of T.Count below n; returns where it stopped. Compiled optimised
    /// from the first call and never inlined: code that does not keep the width's values in registers (unoptimised,
    /// or this loop inlined into its caller) ran 10–50× slower.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private unsafe int Update<T>(float* p, float* g, float* m, float* v, int i, int n, float stepSize, float invCorrection2)
        where T : struct, ILanes<T>
    {
        var b1 = T.Create(Beta1); var b2 = T.Create(Beta2);
        var c1 = T.Create(1 - Beta1); var c2 = T.Create(1 - Beta2);
        var eps = T.Create(Epsilon); var inv = T.Create(invCorrection2); var negStep = T.Create(-stepSize);
        var coupled = T.Create(DecoupledWeightDecay ? 0 : WeightDecay);
        var shrink = T.Create(DecoupledWeightDecay ? 1 - LearningRate * WeightDecay : 1);
        for (; i <= n - T.Count; i += T.Count)
        {
            var pi = T.Load(p + i);
            var gi = T.FusedMultiplyAdd(coupled, pi, T.Load(g + i));
            var mi = T.FlushSubnormal(T.FusedMultiplyAdd(b1, T.Load(m + i), T.Multiply(c1, gi)));
            var vi = T.FlushSubnormal(T.FusedMultiplyAdd(b2, T.Load(v + i), T.Multiply(c2, T.Multiply(gi, gi))));
            T.Store(mi, m + i);
            T.Store(vi, v + i);
            var denominator = T.FusedMultiplyAdd(T.Sqrt(vi), inv, eps);
            T.Store(T.FusedMultiplyAdd(negStep, T.Divide(mi, denominator), T.Multiply(pi, shrink)), p + i);
        }
        return i;
    }
}
