using ILGPU;
using ILGPU.Runtime;

namespace NetGen.Gpu;

/// <summary>
/// Optimizer updates as one pass over flat device buffers (parameters, gradients and the optimizer's state share one
/// layout), with PyTorch's update rules so that hyper-parameters carry over. <c>step</c> counts updates from 1.
/// </summary>
public static class GpuOptimizers
{
    /// <summary>
    /// torch.optim.SGD: g = ∇ + λ·p; with momentum μ ≠ 0, v = g on step 1 and v = μ·v + (1 − τ)·g afterwards, then
    /// g = g + μ·v (Nesterov) or g = v; finally p ← p − η·g. <paramref name="velocity"/> may be empty when μ = 0.
    /// </summary>
    public static void Sgd(GpuDevice device, ArrayView<float> parameters, ArrayView<float> gradients, ArrayView<float> velocity,
        int step, float learningRate, float momentum = 0f, float dampening = 0f, float weightDecay = 0f, bool nesterov = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step);
        if (nesterov && (momentum <= 0f || dampening != 0f))
            throw new ArgumentException("Nesterov momentum needs momentum > 0 and dampening = 0 (as in PyTorch).", nameof(nesterov));
        int count = Count(parameters);
        Views.Require(gradients, count, nameof(gradients));
        if (momentum != 0f) Views.Require(velocity, count, nameof(velocity));
        if (count == 0) return;
        device.Kernels<OptimizerKernels>().Sgd(device.Stream, count, parameters, gradients, Views.OrEmptyOf(velocity, parameters),
            new SgdSettings(learningRate, momentum, dampening, weightDecay, nesterov ? 1 : 0, step == 1 ? 1 : 0));
    }

    /// <summary>
    /// torch.optim.Adam (or AdamW when <paramref name="decoupledWeightDecay"/>): with g = ∇ (+ λ·p for Adam; AdamW
    /// instead scales p by 1 − η·λ), m = β₁·m + (1 − β₁)·g, v = β₂·v + (1 − β₂)·g², then
    /// p ← p − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε), t = <paramref name="step"/>.
    /// </summary>
    public static void Adam(GpuDevice device, ArrayView<float> parameters, ArrayView<float> gradients,
        ArrayView<float> firstMoment, ArrayView<float> secondMoment, int step, float learningRate,
        float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f, float weightDecay = 0f, bool decoupledWeightDecay = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step);
        int count = Count(parameters);
        Views.Require(gradients, count, nameof(gradients));
        Views.Require(firstMoment, count, nameof(firstMoment));
        Views.Require(secondMoment, count, nameof(secondMoment));
        if (count == 0) return;
        // Bias corrections in double on the host, as PyTorch computes them in Python floats.
        double correction1 = 1 - Math.Pow(beta1, step), correction2 = 1 - Math.Pow(beta2, step);
        device.Kernels<OptimizerKernels>().Adam(device.Stream, count, parameters, gradients, firstMoment, secondMoment,
            new AdamSettings(learningRate, beta1, beta2, epsilon, weightDecay, decoupledWeightDecay ? 1 : 0,
                (float)(learningRate / correction1), (float)(1 / Math.Sqrt(correction2))));
    }

    private static int Count(ArrayView<float> parameters) =>
        parameters.Length <= int.MaxValue ? (int)parameters.Length
            : throw new ArgumentException("Parameter views longer than int.MaxValue elements are not supported.", nameof(parameters));
}

/// <summary>SGD hyper-parameters as one kernel argument.</summary>
internal readonly record struct SgdSettings(float LearningRate, float Momentum, float Dampening, float WeightDecay, int Nesterov, int FirstStep);

/// <summary>Adam hyper-parameters as one kernel argument; <c>StepSize</c> = η/(1 − β₁ᵗ), <c>InvSqrtCorrection2</c> = 1/√(1 − β₂ᵗ).</summary>
internal readonly record struct AdamSettings(float LearningRate, float Beta1, float Beta2, float Epsilon, float WeightDecay, int Decoupled,
    float StepSize, float InvSqrtCorrection2);

internal sealed class OptimizerKernels : IKernelSet<OptimizerKernels>
{
    public required Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdSettings> Sgd { get; init; }
    public required Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamSettings> Adam { get; init; }

    public static OptimizerKernels Load(Accelerator accelerator) => new()
    {
        Sgd = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, SgdSettings>(SgdKernel),
        Adam = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamSettings>(AdamKernel),
    };

    [Kernel(explicitlyGrouped: false)]
    internal static void SgdKernel(Index1D i, ArrayView<float> p, ArrayView<float> g, ArrayView<float> velocity, SgdSettings s)
    {
        float d = g[i] + s.WeightDecay * p[i];
        if (s.Momentum != 0f)
        {
            float v = s.FirstStep != 0 ? d : s.Momentum * velocity[i] + (1f - s.Dampening) * d;
            velocity[i] = v;
            d = s.Nesterov != 0 ? d + s.Momentum * v : v;
        }
        p[i] -= s.LearningRate * d;
    }

    [Kernel(explicitlyGrouped: false)]
    internal static void AdamKernel(Index1D i, ArrayView<float> p, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v, AdamSettings s)
    {
        float w = p[i], d = g[i];
        if (s.Decoupled != 0) w *= 1f - s.LearningRate * s.WeightDecay;
        else d += s.WeightDecay * w;
        float mi = s.Beta1 * m[i] + (1f - s.Beta1) * d;
        float vi = s.Beta2 * v[i] + (1f - s.Beta2) * d * d;
        m[i] = mi;
        v[i] = vi;
        p[i] = w - s.StepSize * mi / (MathF.Sqrt(vi) * s.InvSqrtCorrection2 + s.Epsilon);
    }
}
