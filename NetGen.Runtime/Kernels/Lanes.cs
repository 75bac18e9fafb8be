using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Kernels;

/// <summary>
/// Lane-wise arithmetic at one vector width, so that an element-wise rule (an optimizer's update, the few-class
/// softmax of <see cref="Losses"/>) is written once and runs as 16-, 8-, 4- and 1-lane code (the last for a tail and
/// for machines without vectors). The 16-, 8- and 4-lane widths compute each lane the same way on one machine, so
/// results do not depend on which of them the JIT or NativeAOT picks there; fused multiply-adds, division, square root
/// and the subnormal flush are the same at every width on every machine. The sigmoid and tanh start their reciprocal
/// from the 14-bit estimate where AVX-512 is present and from AVX's 12-bit one where it is not, so without AVX-512
/// they can differ from an AVX-512 machine's in the last bit.
/// </summary>
internal unsafe interface ILanes<T> where T : struct, ILanes<T>
{
    /// <summary>Elements per value.</summary>
    static abstract int Count { get; }
    /// <summary>Whether this width runs in hardware here.</summary>
    static abstract bool IsAccelerated { get; }
    static abstract T Create(float x);
    static abstract T Load(float* p);
    static abstract void Store(T x, float* p);
    static abstract T Add(T a, T b);
    static abstract T Subtract(T a, T b);
    static abstract T Multiply(T a, T b);
    static abstract T Divide(T a, T b);
    /// <summary>a·b + c with one rounding.</summary>
    static abstract T FusedMultiplyAdd(T a, T b, T c);
    static abstract T Sqrt(T x);
    static abstract T Max(T a, T b);
    static abstract T Exp(T x);
    static abstract T Log(T x);
    /// <summary>1 / (1 + e^−x), as <see cref="CellMath"/> computes it at this width.</summary>
    static abstract T Sigmoid(T x);
    /// <summary>tanh x, as <see cref="CellMath"/> computes it at this width.</summary>
    static abstract T Tanh(T x);
    static abstract float GetElement(T x, int lane);
    /// <summary>
    /// Zero where |x| is below the smallest normal float, x elsewhere. State that decays geometrically (momentum,
    /// Adam's moments of parameters whose gradient stays zero) would otherwise sink into the subnormal range and stick
    /// there, and every later update of those entries takes a microcode assist (measured here, an MLP's SGD step went
    /// from ~80 µs to 1.5–2 ms).
    /// </summary>
    static abstract T FlushSubnormal(T x);
}

/// <summary>16 lanes (AVX-512).</summary>
internal readonly unsafe struct Lanes16 : ILanes<Lanes16>
{
    private readonly Vector512<float> _v;
    private Lanes16(Vector512<float> v) => _v = v;
    public static int Count => 16;
    public static bool IsAccelerated => Vector512.IsHardwareAccelerated;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 Create(float x) => new(Vector512.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 Load(float* p) => new(Vector512.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Lanes16 x, float* p) => x._v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 Multiply(Lanes16 a, Lanes16 b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 Add(Lanes16 a, Lanes16 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 Subtract(Lanes16 a, Lanes16 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 Divide(Lanes16 a, Lanes16 b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 FusedMultiplyAdd(Lanes16 a, Lanes16 b, Lanes16 c) => new(Vector512.FusedMultiplyAdd(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 Sqrt(Lanes16 x) => new(Vector512.Sqrt(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 Max(Lanes16 a, Lanes16 b) => new(Vector512.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 Exp(Lanes16 x) => new(Vector512.Exp(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 Log(Lanes16 x) => new(Vector512.Log(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 Sigmoid(Lanes16 x) => new(CellMath.Sigmoid(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 Tanh(Lanes16 x) => new(CellMath.Tanh(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float GetElement(Lanes16 x, int lane) => x._v.GetElement(lane);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes16 FlushSubnormal(Lanes16 x) =>
        new(Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(x._v), Vector512.Create(Lanes1.MinNormal)), Vector512<float>.Zero, x._v));
}

/// <summary>8 lanes (AVX2).</summary>
internal readonly unsafe struct Lanes8 : ILanes<Lanes8>
{
    private readonly Vector256<float> _v;
    private Lanes8(Vector256<float> v) => _v = v;
    public static int Count => 8;
    public static bool IsAccelerated => Vector256.IsHardwareAccelerated;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 Create(float x) => new(Vector256.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 Load(float* p) => new(Vector256.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Lanes8 x, float* p) => x._v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 Multiply(Lanes8 a, Lanes8 b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 Add(Lanes8 a, Lanes8 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 Subtract(Lanes8 a, Lanes8 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 Divide(Lanes8 a, Lanes8 b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 FusedMultiplyAdd(Lanes8 a, Lanes8 b, Lanes8 c) => new(Vector256.FusedMultiplyAdd(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 Sqrt(Lanes8 x) => new(Vector256.Sqrt(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 Max(Lanes8 a, Lanes8 b) => new(Vector256.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 Exp(Lanes8 x) => new(Vector256.Exp(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 Log(Lanes8 x) => new(Vector256.Log(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 Sigmoid(Lanes8 x) => new(CellMath.Sigmoid(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 Tanh(Lanes8 x) => new(CellMath.Tanh(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float GetElement(Lanes8 x, int lane) => x._v.GetElement(lane);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 FlushSubnormal(Lanes8 x) =>
        new(Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(x._v), Vector256.Create(Lanes1.MinNormal)), Vector256<float>.Zero, x._v));
}

/// <summary>4 lanes (ARM64's NEON; SSE with FMA on x86-64).</summary>
internal readonly unsafe struct Lanes4 : ILanes<Lanes4>
{
    private readonly Vector128<float> _v;
    private Lanes4(Vector128<float> v) => _v = v;
    public static int Count => 4;
    public static bool IsAccelerated => Vector128.IsHardwareAccelerated && (Fma.IsSupported || AdvSimd.Arm64.IsSupported);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 Create(float x) => new(Vector128.Create(x));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 Load(float* p) => new(Vector128.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Lanes4 x, float* p) => x._v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 Multiply(Lanes4 a, Lanes4 b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 Add(Lanes4 a, Lanes4 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 Subtract(Lanes4 a, Lanes4 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 Divide(Lanes4 a, Lanes4 b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 FusedMultiplyAdd(Lanes4 a, Lanes4 b, Lanes4 c) => new(Vector128.FusedMultiplyAdd(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 Sqrt(Lanes4 x) => new(Vector128.Sqrt(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 Max(Lanes4 a, Lanes4 b) => new(Vector128.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 Exp(Lanes4 x) => new(Vector128.Exp(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 Log(Lanes4 x) => new(Vector128.Log(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 Sigmoid(Lanes4 x) => new(CellMath.Sigmoid(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes4 Tanh(Lanes4 x) => new(CellMath.Tanh(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float GetElement(Lanes4 x, int lane) => x._v.GetElement(lane);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes4 FlushSubnormal(Lanes4 x) =>
        new(Vector128.ConditionalSelect(Vector128.LessThan(Vector128.Abs(x._v), Vector128.Create(Lanes1.MinNormal)), Vector128<float>.Zero, x._v));
}

/// <summary>One lane: the tail of every loop, and the whole loop without vector hardware.</summary>
internal readonly unsafe struct Lanes1 : ILanes<Lanes1>
{
    /// <summary>Smallest positive normal float, 2⁻¹²⁶.</summary>
    public const float MinNormal = 1.17549435e-38f;
    private readonly float _v;
    private Lanes1(float v) => _v = v;
    public static int Count => 1;
    public static bool IsAccelerated => true;
    public static Lanes1 Create(float x) => new(x);
    public static Lanes1 Load(float* p) => new(*p);
    public static void Store(Lanes1 x, float* p) => *p = x._v;
    public static Lanes1 Multiply(Lanes1 a, Lanes1 b) => new(a._v * b._v);
    public static Lanes1 Add(Lanes1 a, Lanes1 b) => new(a._v + b._v);
    public static Lanes1 Subtract(Lanes1 a, Lanes1 b) => new(a._v - b._v);
    public static Lanes1 Divide(Lanes1 a, Lanes1 b) => new(a._v / b._v);
    public static Lanes1 FusedMultiplyAdd(Lanes1 a, Lanes1 b, Lanes1 c) => new(MathF.FusedMultiplyAdd(a._v, b._v, c._v));
    public static Lanes1 Sqrt(Lanes1 x) => new(MathF.Sqrt(x._v));
    public static Lanes1 Max(Lanes1 a, Lanes1 b) => new(MathF.Max(a._v, b._v));
    public static Lanes1 Exp(Lanes1 x) => new(MathF.Exp(x._v));
    public static Lanes1 Log(Lanes1 x) => new(MathF.Log(x._v));
    public static Lanes1 Sigmoid(Lanes1 x) => new(CellMath.Sigmoid(x._v));
    public static Lanes1 Tanh(Lanes1 x) => new(CellMath.Tanh(x._v));
    public static float GetElement(Lanes1 x, int lane) => x._v;
    public static Lanes1 FlushSubnormal(Lanes1 x) => new(MathF.Abs(x._v) < MinNormal ? 0f : x._v);
}
