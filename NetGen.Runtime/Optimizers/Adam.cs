using System.Numerics;

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
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, long step)
    {
        // Bias corrections in double, as PyTorch computes them in Python floats.
        float stepSize = (float)(LearningRate / (1 - Math.Pow(Beta1, step)));
        float invCorrection2 = (float)(1 / Math.Sqrt(1 - Math.Pow(Beta2, step)));
        float b1 = Beta1, b2 = Beta2, c1 = 1 - Beta1, c2 = 1 - Beta2, eps = Epsilon;
        float coupled = DecoupledWeightDecay ? 0 : WeightDecay;
        float shrink = DecoupledWeightDecay ? 1 - LearningRate * WeightDecay : 1;
        Span<float> m = _m, v = _v;
        int i = 0;
        // Memory-bound (5 streams): Vector<T> at hardware width; the scalar loop below finishes the tail.
        if (Vector.IsHardwareAccelerated)
        {
            var vB1 = new Vector<float>(b1); var vB2 = new Vector<float>(b2); var vC1 = new Vector<float>(c1);
            var vC2 = new Vector<float>(c2); var vEps = new Vector<float>(eps); var vCoupled = new Vector<float>(coupled);
            var vShrink = new Vector<float>(shrink); var vStep = new Vector<float>(stepSize); var vInv = new Vector<float>(invCorrection2);
            for (; i <= parameters.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var p = new Vector<float>(parameters[i..]);
                var g = new Vector<float>(gradients[i..]) + vCoupled * p;
                var mi = FlushSubnormal(vB1 * new Vector<float>(m[i..]) + vC1 * g);
                var vi = FlushSubnormal(vB2 * new Vector<float>(v[i..]) + vC2 * (g * g));
                mi.CopyTo(m[i..]);
                vi.CopyTo(v[i..]);
                (p * vShrink - vStep * mi / (Vector.SquareRoot(vi) * vInv + vEps)).CopyTo(parameters[i..]);
            }
        }
        for (; i < parameters.Length; i++)
        {
            float p = parameters[i];
            float g = gradients[i] + coupled * p;
            float mi = m[i] = FlushSubnormal(b1 * m[i] + c1 * g);
            float vi = v[i] = FlushSubnormal(b2 * v[i] + c2 * (g * g));
            parameters[i] = p * shrink - stepSize * mi / (MathF.Sqrt(vi) * invCorrection2 + eps);
        }
    }
}
