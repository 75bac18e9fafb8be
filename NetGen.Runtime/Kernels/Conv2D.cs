using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NetGen.Kernels;

/// <summary>
/// The compile-time shape of one 2-D convolution: a per-sample input <c>[InChannels, Height, Width]</c>, a weight
/// <c>[OutChannels, InChannels, KernelHeight, KernelWidth]</c> (PyTorch's layout) and an output
/// <c>[OutChannels, OutHeight, OutWidth]</c> with <c>OutHeight = ⌊(Height + 2·PaddingHeight − KernelHeight) / StrideHeight⌋ + 1</c>
/// (likewise the width). Generated code builds it from literals; the constructor rejects shapes that do not fit.
/// </summary>
public readonly struct Conv2DShape
{
    /// <summary>A convolution with the same stride and padding in both directions.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, padding is negative, or the kernel does not fit the padded input.</exception>
    public Conv2DShape(int inChannels, int height, int width, int outChannels, int kernelHeight, int kernelWidth, int stride = 1, int padding = 0)
        : this(inChannels, height, width, outChannels, kernelHeight, kernelWidth, stride, stride, padding, padding) { }

    /// <summary>A convolution with separate strides and paddings per direction (a 1-D convolution is height 1, kernel height 1, padding height 0).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, padding is negative, or the kernel does not fit the padded input.</exception>
    public Conv2DShape(int inChannels, int height, int width, int outChannels, int kernelHeight, int kernelWidth,
        int strideHeight, int strideWidth, int paddingHeight, int paddingWidth)
    {
        Positive(inChannels, nameof(inChannels));
        Positive(height, nameof(height));
        Positive(width, nameof(width));
        Positive(outChannels, nameof(outChannels));
        InChannels = inChannels; Height = height; Width = width; OutChannels = outChannels;
        KernelHeight = kernelHeight; KernelWidth = kernelWidth;
        StrideHeight = strideHeight; StrideWidth = strideWidth;
        PaddingHeight = paddingHeight; PaddingWidth = paddingWidth;
        OutHeight = Conv2D.OutputSize(height, kernelHeight, strideHeight, paddingHeight);
        OutWidth = Conv2D.OutputSize(width, kernelWidth, strideWidth, paddingWidth);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }
    /// <summary>Input height.</summary>
    public int Height { get; }
    /// <summary>Input width.</summary>
    public int Width { get; }
    /// <summary>Output channels (filters).</summary>
    public int OutChannels { get; }
    /// <summary>Kernel height.</summary>
    public int KernelHeight { get; }
    /// <summary>Kernel width.</summary>
    public int KernelWidth { get; }
    /// <summary>Vertical step between windows.</summary>
    public int StrideHeight { get; }
    /// <summary>Horizontal step between windows.</summary>
    public int StrideWidth { get; }
    /// <summary>Zero rows added above and below the input.</summary>
    public int PaddingHeight { get; }
    /// <summary>Zero columns added left and right of the input.</summary>
    public int PaddingWidth { get; }
    /// <summary>Output height, ⌊(Height + 2·PaddingHeight − KernelHeight) / StrideHeight⌋ + 1.</summary>
    public int OutHeight { get; }
    /// <summary>Output width, ⌊(Width + 2·PaddingWidth − KernelWidth) / StrideWidth⌋ + 1.</summary>
    public int OutWidth { get; }

    /// <summary>Floats per input sample, InChannels·Height·Width.</summary>
    public int InputSize => InChannels * Height * Width;
    /// <summary>Floats per output sample, OutChannels·OutHeight·OutWidth.</summary>
    public int OutputSize => OutChannels * OutHeight * OutWidth;
    /// <summary>Weight floats, OutChannels·InChannels·KernelHeight·KernelWidth.</summary>
    public int WeightSize => OutChannels * PatchSize;
    /// <summary>Inputs seen by one output value, InChannels·KernelHeight·KernelWidth (the GEMM's inner dimension).</summary>
    public int PatchSize => InChannels * KernelHeight * KernelWidth;

    /// <summary>A 1×1 kernel with stride 1 and no padding reads the input as the patch matrix itself: no im2col needed.</summary>
    internal bool IsPointwise => Conv2DRules.IsPointwise(KernelHeight, KernelWidth, StrideHeight, StrideWidth, PaddingHeight, PaddingWidth);

    /// <summary>Why the direct kernels do not apply to this shape's forward or backward pass, or null (see <see cref="Conv2DRules"/>).</summary>
    internal string? DirectUnsupported(bool forward) => Conv2DRules.DirectUnsupported(InChannels, OutChannels, KernelHeight, KernelWidth,
        StrideHeight, StrideWidth, PaddingHeight, PaddingWidth, forward);

    /// <inheritdoc />
    public override string ToString() =>
        $"[{InChannels},{Height},{Width}] → [{OutChannels},{OutHeight},{OutWidth}] (kernel {KernelHeight}×{KernelWidth}, stride {StrideHeight}×{StrideWidth}, padding {PaddingHeight}×{PaddingWidth})";

    private static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"Conv2D {name} must be positive.");
    }
}

/// <summary>
/// How <see cref="Conv2D"/> (and <see cref="Conv1D"/>) computes one pass of a layer. Generated code passes a literal per
/// layer and pass: <see cref="Auto"/> where it knows no better, or the choice a tuning table recorded for the layer's
/// shape, batch and instruction set (see README, "Tuning tables").
/// </summary>
public enum Conv2DAlgorithm
{
    /// <summary>The kernels' shape rules choose (<see cref="Conv2D.ChooseForward"/>, <see cref="Conv2D.ChooseBackward"/>).</summary>
    Auto = Conv2DRules.Auto,
    /// <summary>im2col into the workspace and GEMMs per sample (any shape): the output, the weight gradient and the
    /// input gradient are each one matrix product.</summary>
    Im2Col = Conv2DRules.Im2Col,
    /// <summary>Register-blocked direct kernels over the zero-padded input's rows, no im2col: stride 1, not pointwise, at
    /// most 8 input channels (and at least 4 output channels in the forward pass), AVX-512 only.</summary>
    Direct = Conv2DRules.Direct,
    /// <summary>The backward pass only (any shape): as <see cref="Im2Col"/>, but the weight gradient is one dot product
    /// over the output pixels per weight instead of a matrix product, which suits few weights and many pixels.</summary>
    Im2ColDot = Conv2DRules.Im2ColDot,
}

/// <summary>The vector instruction set the kernels run on; a tuning table's entries are measured on one
/// (<see cref="Conv2D.Isa"/>).</summary>
public enum VectorIsa
{
    /// <summary>Neither of the others: 128-bit vectors or scalar code.</summary>
    Other,
    /// <summary>x86-64 with AVX2 and FMA (256-bit vectors).</summary>
    Avx2,
    /// <summary>x86-64 with AVX-512F (512-bit vectors).</summary>
    Avx512,
}

/// <summary>
/// 2-D convolution kernels over batches laid out <c>[B, C, H, W]</c> (batch outermost), weights
/// <c>[outC, inC, kH, kW]</c>, bias <c>[outC]</c>, with scratch in a caller-provided workspace of
/// <see cref="WorkspaceSize"/> floats allocated once with the network. Each pass runs one of three algorithms
/// (<see cref="Conv2DAlgorithm"/>, chosen by the caller or by the shape rules of <see cref="ChooseForward"/> and
/// <see cref="ChooseBackward"/>): register-blocked direct kernels (the "wide" path, for stride 1 and few input channels
/// on AVX-512), im2col, which lowers each sample to a matrix product (whose products spread over threads themselves),
/// or, for the backward pass, im2col with the weight gradient as dot products. Large wide-path calls use up to <see cref="Threading.MaxThreads"/> threads (at most 8): the forward pass
/// splits over samples, and the backward pass runs in groups of samples that depend on the batch alone, each with its
/// own weight and bias sums added in group order, so every result is the same bit for bit whatever the number of
/// threads; a call that finds the worker pool busy runs on its own thread.
/// </summary>
public static partial class Conv2D
{
    /// <summary>
    /// Output length along one axis: <c>⌊(input + 2·padding − kernel) / stride⌋ + 1</c>, the rule the generator's shape
    /// inference mirrors.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, padding is negative, or the kernel is larger than the padded input.</exception>
    public static int OutputSize(int input, int kernel, int stride, int padding)
    {
        if (input <= 0) throw new ArgumentOutOfRangeException(nameof(input), input, "The input length must be positive.");
        if (kernel <= 0) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "The kernel size must be positive.");
        if (stride <= 0) throw new ArgumentOutOfRangeException(nameof(stride), stride, "The stride must be positive.");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "The padding must be zero or positive.");
        if (kernel > input + 2 * padding)
            throw new ArgumentOutOfRangeException(nameof(kernel), kernel,
                $"The kernel ({kernel}) is larger than the padded input ({input} + 2·{padding}); use a smaller kernel or more padding.");
        return (input + 2 * padding - kernel) / stride + 1;
    }

    /// <summary>Floats of scratch that <see cref="Forward{TAct}"/> and <see cref="Backward{TAct}"/> need: PatchSize·OutHeight·OutWidth
    /// (one sample's patch matrix), or 0 for a pointwise convolution; more where a direct kernel applies (a padded copy
    /// of one sample and, for the stride-1 kernels, its gradient and a widened output gradient, per thread or sample
    /// group, up to 8; the weight and bias gradients' sums of up to 8 sample groups). Depends on the machine's vector support, so
    /// generated code asks for it at run time.</summary>
    public static int WorkspaceSize(in Conv2DShape shape)
    {
        int size = shape.IsPointwise ? 0 : shape.PatchSize * shape.OutHeight * shape.OutWidth;
        if (UsesWide(shape)) size = Math.Max(size, new WideLayout(shape).WorkspaceSize);
        return size;
    }

    /// <summary>The vector instruction set of this machine as the kernels see it (the direct kernels need
    /// <see cref="VectorIsa.Avx512"/>). Generated code compares it with the instruction set a tuning-table entry was
    /// measured on, and uses the entry's choice only where they agree.</summary>
    public static VectorIsa Isa { get; } = Gemm.BestIsa switch
    {
        GemmIsa.Vector512 => VectorIsa.Avx512,
        GemmIsa.Vector256 => VectorIsa.Avx2,
        _ => VectorIsa.Other,
    };

    /// <summary>Whether <paramref name="algorithm"/> can run the forward pass of <paramref name="shape"/> on this machine
    /// (<see cref="Conv2DAlgorithm.Auto"/> and <see cref="Conv2DAlgorithm.Im2Col"/> always can, <see cref="Conv2DAlgorithm.Im2ColDot"/> never).</summary>
    public static bool SupportsForward(in Conv2DShape shape, Conv2DAlgorithm algorithm) => Unsupported(shape, algorithm, forward: true) is null;

    /// <summary>Whether <paramref name="algorithm"/> can run the backward pass of <paramref name="shape"/> on this machine
    /// (all but <see cref="Conv2DAlgorithm.Direct"/> always can).</summary>
    public static bool SupportsBackward(in Conv2DShape shape, Conv2DAlgorithm algorithm) => Unsupported(shape, algorithm, forward: false) is null;

    /// <summary>What <see cref="Conv2DAlgorithm.Auto"/> runs for the forward pass of <paramref name="shape"/> on this
    /// machine: <see cref="Conv2DAlgorithm.Direct"/> wherever it applies, else <see cref="Conv2DAlgorithm.Im2Col"/>.</summary>
    public static Conv2DAlgorithm ChooseForward(in Conv2DShape shape) => UsesWideForward(shape) ? Conv2DAlgorithm.Direct : Conv2DAlgorithm.Im2Col;

    /// <summary>What <see cref="Conv2DAlgorithm.Auto"/> runs for the backward pass of <paramref name="shape"/> on this
    /// machine: <see cref="Conv2DAlgorithm.Direct"/> wherever it applies, else <see cref="Conv2DAlgorithm.Im2ColDot"/> for
    /// at least 512 output pixels and at most 4,096 weights, else <see cref="Conv2DAlgorithm.Im2Col"/>.</summary>
    public static Conv2DAlgorithm ChooseBackward(in Conv2DShape shape) =>
        UsesWide(shape) ? Conv2DAlgorithm.Direct
        : shape.OutHeight * shape.OutWidth >= DotWeightGradientMinPixels && shape.WeightSize <= DotWeightGradientMaxWeights ? Conv2DAlgorithm.Im2ColDot
        : Conv2DAlgorithm.Im2Col;

    /// <summary>
    /// y[b,o,i,j] = act(bias[o] + Σ_{c,u,v} w[o,c,u,v] · x[b, c, i·sH + u − pH, j·sW + v − pW]), zero outside x, computed
    /// by <paramref name="algorithm"/> (<see cref="Conv2DAlgorithm.Auto"/>: <see cref="ChooseForward"/>).
    /// <paramref name="bias"/> may be empty. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="algorithm"/> does not apply to <paramref name="shape"/> on this
    /// machine (<see cref="SupportsForward"/> is false), or a span is too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Forward<TAct>(in Conv2DShape shape, int batch,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, Span<float> workspace,
        Conv2DAlgorithm algorithm = Conv2DAlgorithm.Auto)
        where TAct : struct, IActivation
    {
        Check(shape, batch, x.Length, w.Length, bias.Length, y.Length, workspace.Length);
        if (Resolve(shape, algorithm, forward: true) == Conv2DAlgorithm.Direct)
        {
            fixed (float* px = x, pw = w, pb = bias, py = y, pws = workspace)
                WideForward<TAct>(shape, batch, px, pw, bias.IsEmpty ? null : pb, py, pws);
            return;
        }
        int pixels = shape.OutHeight * shape.OutWidth;
        for (int b = 0; b < batch; b++)
        {
            var xb = x.Slice(b * shape.InputSize, shape.InputSize);
            var yb = y.Slice(b * shape.OutputSize, shape.OutputSize);
            Gemm.MatMul(shape.OutChannels, pixels, shape.PatchSize, w, Patches(shape, xb, workspace), yb, accumulate: false);
            for (int o = 0; o < shape.OutChannels; o++)
                Elementwise.BiasActivate<TAct>(yb.Slice(o * pixels, pixels), bias.IsEmpty ? 0f : bias[o]);
        }
    }

    /// <summary>
    /// Backward of <see cref="Forward{TAct}"/>: first <c>dy ← dy ⊙ act′(y)</c> in place, then
    /// <c>dw[o,c,u,v] = Σ_{b,i,j} dy[b,o,i,j] · x[b, c, i·sH + u − pH, j·sW + v − pW]</c>,
    /// <c>dbias[o] = Σ_{b,i,j} dy[b,o,i,j]</c> (skipped when empty) and <c>dx</c>, the adjoint scatter of
    /// <c>wᵀ·dy</c> (skipped when empty, as for the first layer), computed by <paramref name="algorithm"/>
    /// (<see cref="Conv2DAlgorithm.Auto"/>: <see cref="ChooseBackward"/>). dw, dbias and dx are overwritten. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="algorithm"/> does not apply to <paramref name="shape"/> on this
    /// machine (<see cref="SupportsBackward"/> is false), or a span is too short.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Backward<TAct>(in Conv2DShape shape, int batch,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> y,
        Span<float> dy, Span<float> dw, Span<float> dbias, Span<float> dx, Span<float> workspace,
        Conv2DAlgorithm algorithm = Conv2DAlgorithm.Auto)
        where TAct : struct, IActivation
    {
        Check(shape, batch, x.Length, w.Length, 0, y.Length, workspace.Length);
        if (!dbias.IsEmpty) Elementwise.Require(dbias.Length, shape.OutChannels, nameof(dbias), nameof(Conv2D));
        Elementwise.Require(dy.Length, (long)batch * shape.OutputSize, nameof(dy), nameof(Conv2D));
        Elementwise.Require(dw.Length, shape.WeightSize, nameof(dw), nameof(Conv2D));
        if (!dx.IsEmpty) Elementwise.Require(dx.Length, (long)batch * shape.InputSize, nameof(dx), nameof(Conv2D));
        var resolved = Resolve(shape, algorithm, forward: false);
        if (resolved == Conv2DAlgorithm.Direct)
        {
            fixed (float* px = x, pw = w, py = y, pdy = dy, pdw = dw, pdb = dbias, pdx = dx, pws = workspace)
                WideBackward<TAct>(shape, batch, px, pw, py, pdy, pdw, dbias.IsEmpty ? null : pdb, dx.IsEmpty ? null : pdx, pws);
            return;
        }

        int pixels = shape.OutHeight * shape.OutWidth;
        dw.Slice(0, shape.WeightSize).Clear();
        if (!dbias.IsEmpty) dbias.Slice(0, shape.OutChannels).Clear();
        for (int b = 0; b < batch; b++)
        {
            var xb = x.Slice(b * shape.InputSize, shape.InputSize);
            var dyb = dy.Slice(b * shape.OutputSize, shape.OutputSize);
            if (typeof(TAct) != typeof(Identity))
                Elementwise.MultiplyDerivative<TAct>(dyb, y.Slice(b * shape.OutputSize, shape.OutputSize));
            if (!dbias.IsEmpty)
                for (int o = 0; o < shape.OutChannels; o++) dbias[o] += Elementwise.Sum(dyb.Slice(o * pixels, pixels));

            // dw[outC, patch] += dy_b[outC, pixels] · cols_bᵀ; the patch matrix is rebuilt rather than kept from the
            // forward pass, which would cost a batch's worth of workspace.
            AccumulateWeightGradient(shape, dyb, Patches(shape, xb, workspace), dw, dots: resolved == Conv2DAlgorithm.Im2ColDot);
            if (dx.IsEmpty) continue;

            // dcols[patch, pixels] = wᵀ · dy_b, written over the patch matrix (no longer needed), then scattered into dx_b.
            var dxb = dx.Slice(b * shape.InputSize, shape.InputSize);
            if (shape.IsPointwise)
            {
                Gemm.MatMulTransA(shape.PatchSize, pixels, shape.OutChannels, w, dyb, dxb, accumulate: false);
                continue;
            }
            Gemm.MatMulTransA(shape.PatchSize, pixels, shape.OutChannels, w, dyb, workspace, accumulate: false);
            dxb.Clear();
            Im2Col.Accumulate(shape, workspace, dxb);
        }
    }

    // With few weights and many output pixels, dw is one dot product of length OutHeight·OutWidth per weight: a product
    // with small m·n and long k is where the tiled GEMM spends its time on edges. Measured dot products against
    // Gemm.MatMulTransB (m×n×k, one thread): 6×25×784 (LeNet-5 C1) 3× faster, 16×144×1024 1.4× faster, but 16×150×100
    // (LeNet-5 C3) 1.7× and 32×288×256 1.1× slower, hence both bounds of ChooseBackward's rule.
    private const int DotWeightGradientMinPixels = 512, DotWeightGradientMaxWeights = 4096;

    /// <summary>dw += dy_b · cols_bᵀ, by one matrix product or (<paramref name="dots"/>) one dot product per weight.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateWeightGradient(in Conv2DShape s, ReadOnlySpan<float> dyb, ReadOnlySpan<float> cols, Span<float> dw, bool dots)
    {
        int pixels = s.OutHeight * s.OutWidth, patch = s.PatchSize;
        if (!dots)
        {
            Gemm.MatMulTransB(s.OutChannels, patch, pixels, dyb, cols, dw, accumulate: true);
            return;
        }
        for (int o = 0; o < s.OutChannels; o++)
        {
            var dyo = dyb.Slice(o * pixels, pixels);
            var dwo = dw.Slice(o * patch, patch);
            for (int t = 0; t < patch; t++) dwo[t] += Elementwise.Dot(dyo, cols.Slice(t * pixels, pixels));
        }
    }

    /// <summary>The algorithm a pass runs: <paramref name="algorithm"/>, or the rule's choice for <see cref="Conv2DAlgorithm.Auto"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="algorithm"/> does not apply.</exception>
    private static Conv2DAlgorithm Resolve(in Conv2DShape shape, Conv2DAlgorithm algorithm, bool forward)
    {
        if (algorithm == Conv2DAlgorithm.Auto) return forward ? ChooseForward(shape) : ChooseBackward(shape);
        string? why = Unsupported(shape, algorithm, forward);
        if (why is not null)
            throw new ArgumentException($"Conv2D: {algorithm} cannot run the {(forward ? "forward" : "backward")} pass of {shape}: {why}.", nameof(algorithm));
        return algorithm;
    }

    /// <summary>Why <paramref name="algorithm"/> cannot run a pass of <paramref name="shape"/> on this machine, or null.</summary>
    private static string? Unsupported(in Conv2DShape shape, Conv2DAlgorithm algorithm, bool forward) =>
        Conv2DRules.Unsupported((int)algorithm, Isa == VectorIsa.Avx512, forward, shape.InChannels, shape.OutChannels,
            shape.KernelHeight, shape.KernelWidth, shape.StrideHeight, shape.StrideWidth, shape.PaddingHeight, shape.PaddingWidth);

    private static ReadOnlySpan<float> Patches(in Conv2DShape shape, ReadOnlySpan<float> xb, Span<float> workspace)
    {
        if (shape.IsPointwise) return xb;
        Im2Col.Pack(shape, xb, workspace);
        return workspace;
    }

    private static void Check(in Conv2DShape shape, int batch, int x, int w, int bias, int y, int workspace)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "Conv2D: the batch size must be zero or positive.");
        Elementwise.Require(x, (long)batch * shape.InputSize, nameof(x), nameof(Conv2D));
        Elementwise.Require(w, shape.WeightSize, nameof(w), nameof(Conv2D));
        if (bias != 0) Elementwise.Require(bias, shape.OutChannels, nameof(bias), nameof(Conv2D));
        Elementwise.Require(y, (long)batch * shape.OutputSize, nameof(y), nameof(Conv2D));
        Elementwise.Require(workspace, WorkspaceSize(shape), nameof(workspace), nameof(Conv2D));
    }
}
