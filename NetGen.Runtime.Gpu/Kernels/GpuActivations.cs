using ILGPU;

namespace NetGen.Gpu;

/// <summary>
/// An element-wise activation for device kernels: the GPU twin of <see cref="NetGen.Kernels.IActivation"/>, written
/// with operations every ILGPU backend implements (CUDA has no <c>MathF.Exp</c>; exponentials go through
/// <c>exp2</c>). <c>Derivative</c> takes the activation's output <c>y</c>, as on the CPU.
/// </summary>
public interface IGpuActivation
{
    /// <summary>y = f(x).</summary>
    static abstract float Apply(float x);
    /// <summary>f′ expressed through y = f(x).</summary>
    static abstract float Derivative(float y);
}

/// <summary>f(x) = x (GPU twin of <see cref="NetGen.Kernels.Identity"/>).</summary>
public readonly struct GpuIdentity : IGpuActivation
{
    public static float Apply(float x) => x;
    public static float Derivative(float y) => 1f;
}

/// <summary>f(x) = max(0, x); f′ = 1 where y &gt; 0 (GPU twin of <see cref="NetGen.Kernels.Relu"/>).</summary>
public readonly struct GpuRelu : IGpuActivation
{
    public static float Apply(float x) => x > 0f ? x : 0f;
    public static float Derivative(float y) => y > 0f ? 1f : 0f;
}

/// <summary>f(x) = tanh x = 1 − 2 / (e^{2x} + 1); f′ = 1 − y² (GPU twin of <see cref="NetGen.Kernels.Tanh"/>).</summary>
public readonly struct GpuTanh : IGpuActivation
{
    // e^{2x} overflows to +∞ for large x, giving exactly 1; underflows to 0 for very negative x, giving −1.
    public static float Apply(float x) => 1f - 2f / (GpuMath.Exp(2f * x) + 1f);
    public static float Derivative(float y) => 1f - y * y;
}

/// <summary>f(x) = 1 / (1 + e^−x); f′ = y(1 − y) (GPU twin of <see cref="NetGen.Kernels.Sigmoid"/>).</summary>
public readonly struct GpuSigmoid : IGpuActivation
{
    public static float Apply(float x) => 1f / (1f + GpuMath.Exp(-x));
    public static float Derivative(float y) => y * (1f - y);
}

/// <summary>Transcendentals built on the base-2 hardware instructions (PTX <c>ex2</c>/<c>lg2</c>, ≈2 ulp).</summary>
internal static class GpuMath
{
    private const float Log2E = 1.44269504f, Ln2 = 0.693147181f;

    /// <summary>eˣ = 2^(x·log₂e).</summary>
    public static float Exp(float x) => IntrinsicMath.CPUOnly.Exp2(x * Log2E);

    /// <summary>ln x = log₂x · ln 2.</summary>
    public static float Log(float x) => IntrinsicMath.CPUOnly.Log2(x) * Ln2;
}
