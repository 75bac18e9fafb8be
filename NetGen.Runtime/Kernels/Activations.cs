using System.Runtime.Intrinsics;

namespace NetGen.Kernels;

/// <summary>
/// An element-wise activation, as a struct so that every kernel gets a dedicated body per activation with the
/// function inlined. <c>Derivative</c> is written in terms of the activation's output <c>y</c>, which is what the
/// forward pass keeps.
/// </summary>
public interface IActivation
{
    /// <summary>y = f(x).</summary>
    static abstract float Apply(float x);
    /// <summary>y = f(x), 16 lanes.</summary>
    static abstract Vector512<float> Apply(Vector512<float> x);
    /// <summary>y = f(x), 8 lanes.</summary>
    static abstract Vector256<float> Apply(Vector256<float> x);
    /// <summary>f′ expressed through y = f(x).</summary>
    static abstract float Derivative(float y);
    /// <summary>f′ expressed through y, 16 lanes.</summary>
    static abstract Vector512<float> Derivative(Vector512<float> y);
    /// <summary>f′ expressed through y, 8 lanes.</summary>
    static abstract Vector256<float> Derivative(Vector256<float> y);
}

/// <summary>f(x) = x.</summary>
public readonly struct Identity : IActivation
{
    public static float Apply(float x) => x;
    public static Vector512<float> Apply(Vector512<float> x) => x;
    public static Vector256<float> Apply(Vector256<float> x) => x;
    public static float Derivative(float y) => 1f;
    public static Vector512<float> Derivative(Vector512<float> y) => Vector512<float>.One;
    public static Vector256<float> Derivative(Vector256<float> y) => Vector256<float>.One;
}

/// <summary>f(x) = max(0, x); f′ = 1 where y &gt; 0.</summary>
public readonly struct Relu : IActivation
{
    public static float Apply(float x) => x > 0f ? x : 0f;
    public static Vector512<float> Apply(Vector512<float> x) => Vector512.Max(x, Vector512<float>.Zero);
    public static Vector256<float> Apply(Vector256<float> x) => Vector256.Max(x, Vector256<float>.Zero);
    public static float Derivative(float y) => y > 0f ? 1f : 0f;
    public static Vector512<float> Derivative(Vector512<float> y) => Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), Vector512<float>.One, Vector512<float>.Zero);
    public static Vector256<float> Derivative(Vector256<float> y) => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), Vector256<float>.One, Vector256<float>.Zero);
}

/// <summary>f(x) = tanh x; f′ = 1 − y².</summary>
public readonly struct Tanh : IActivation
{
    // The recurrent cells' forms (CellMath): one inlined exponential for every sigmoid and tanh in the runtime.
    public static float Apply(float x) => CellMath.Tanh(x);
    public static Vector512<float> Apply(Vector512<float> x) => CellMath.Tanh(x);
    public static Vector256<float> Apply(Vector256<float> x) => CellMath.Tanh(x);
    public static float Derivative(float y) => 1f - y * y;
    public static Vector512<float> Derivative(Vector512<float> y) => Vector512<float>.One - y * y;
    public static Vector256<float> Derivative(Vector256<float> y) => Vector256<float>.One - y * y;
}

/// <summary>f(x) = 1 / (1 + e^−x); f′ = y(1 − y).</summary>
public readonly struct Sigmoid : IActivation
{
    public static float Apply(float x) => CellMath.Sigmoid(x);
    public static Vector512<float> Apply(Vector512<float> x) => CellMath.Sigmoid(x);
    public static Vector256<float> Apply(Vector256<float> x) => CellMath.Sigmoid(x);
    public static float Derivative(float y) => y * (1f - y);
    public static Vector512<float> Derivative(Vector512<float> y) => y * (Vector512<float>.One - y);
    public static Vector256<float> Derivative(Vector256<float> y) => y * (Vector256<float>.One - y);
}
