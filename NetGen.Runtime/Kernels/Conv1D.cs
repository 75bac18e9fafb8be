namespace NetGen.Kernels;

/// <summary>
/// The compile-time shape of one 1-D convolution: a per-sample input <c>[InChannels, Length]</c>, a weight
/// <c>[OutChannels, InChannels, Kernel]</c> (PyTorch's layout) and an output <c>[OutChannels, OutLength]</c> with
/// <c>OutLength = ⌊(Length + 2·Padding − Kernel) / Stride⌋ + 1</c>. It is a 2-D convolution of height 1.
/// </summary>
public readonly struct Conv1DShape
{
    /// <summary>A convolution of <paramref name="inChannels"/> × <paramref name="length"/> samples into <paramref name="outChannels"/> channels.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, padding is negative, or the kernel does not fit the padded input.</exception>
    public Conv1DShape(int inChannels, int length, int outChannels, int kernel, int stride = 1, int padding = 0)
    {
        Plane = new Conv2DShape(inChannels, 1, length, outChannels, 1, kernel, 1, stride, 0, padding);
    }

    /// <summary>The same convolution as a 2-D one over <c>[InChannels, 1, Length]</c>; the memory layouts coincide.</summary>
    public Conv2DShape Plane { get; }

    /// <summary>Input channels.</summary>
    public int InChannels => Plane.InChannels;
    /// <summary>Input length.</summary>
    public int Length => Plane.Width;
    /// <summary>Output channels (filters).</summary>
    public int OutChannels => Plane.OutChannels;
    /// <summary>Kernel length.</summary>
    public int Kernel => Plane.KernelWidth;
    /// <summary>Step between windows.</summary>
    public int Stride => Plane.StrideWidth;
    /// <summary>Zeros added at both ends.</summary>
    public int Padding => Plane.PaddingWidth;
    /// <summary>Output length, ⌊(Length + 2·Padding − Kernel) / Stride⌋ + 1.</summary>
    public int OutLength => Plane.OutWidth;
    /// <summary>Floats per input sample, InChannels·Length.</summary>
    public int InputSize => Plane.InputSize;
    /// <summary>Floats per output sample, OutChannels·OutLength.</summary>
    public int OutputSize => Plane.OutputSize;
    /// <summary>Weight floats, OutChannels·InChannels·Kernel.</summary>
    public int WeightSize => Plane.WeightSize;

    /// <inheritdoc />
    public override string ToString() =>
        $"[{InChannels},{Length}] → [{OutChannels},{OutLength}] (kernel {Kernel}, stride {Stride}, padding {Padding})";
}

/// <summary>
/// 1-D convolution kernels over batches laid out <c>[B, C, L]</c>, weights <c>[outC, inC, k]</c>, bias <c>[outC]</c>;
/// they run <see cref="Conv2D"/> on <see cref="Conv1DShape.Plane"/>.
/// </summary>
public static class Conv1D
{
    /// <summary>Output length: <c>⌊(input + 2·padding − kernel) / stride⌋ + 1</c> (see <see cref="Conv2D.OutputSize"/>).</summary>
    public static int OutputSize(int input, int kernel, int stride, int padding) => Conv2D.OutputSize(input, kernel, stride, padding);

    /// <summary>Floats of scratch that <see cref="Forward{TAct}"/> and <see cref="Backward{TAct}"/> need.</summary>
    public static int WorkspaceSize(in Conv1DShape shape) => Conv2D.WorkspaceSize(shape.Plane);

    /// <summary>y[b,o,i] = act(bias[o] + Σ_{c,u} w[o,c,u] · x[b, c, i·stride + u − padding]), zero outside x, computed by
    /// <paramref name="algorithm"/> on <see cref="Conv1DShape.Plane"/>. <paramref name="bias"/> may be empty.</summary>
    /// <exception cref="ArgumentException"><paramref name="algorithm"/> does not apply (see <see cref="Conv2D.SupportsForward"/>).</exception>
    public static void Forward<TAct>(in Conv1DShape shape, int batch,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, Span<float> workspace,
        Conv2DAlgorithm algorithm = Conv2DAlgorithm.Auto)
        where TAct : struct, IActivation
        => Conv2D.Forward<TAct>(shape.Plane, batch, x, w, bias, y, workspace, algorithm);

    /// <summary>
    /// Backward of <see cref="Forward{TAct}"/>: <c>dy ← dy ⊙ act′(y)</c> in place, then dw, dbias (skipped when empty)
    /// and dx (skipped when empty), all overwritten, computed by <paramref name="algorithm"/>; see <see cref="Conv2D.Backward{TAct}"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="algorithm"/> does not apply (see <see cref="Conv2D.SupportsBackward"/>).</exception>
    public static void Backward<TAct>(in Conv1DShape shape, int batch,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> y,
        Span<float> dy, Span<float> dw, Span<float> dbias, Span<float> dx, Span<float> workspace,
        Conv2DAlgorithm algorithm = Conv2DAlgorithm.Auto)
        where TAct : struct, IActivation
        => Conv2D.Backward<TAct>(shape.Plane, batch, x, w, y, dy, dw, dbias, dx, workspace, algorithm);
}
