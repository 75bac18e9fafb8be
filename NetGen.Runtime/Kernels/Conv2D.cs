using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
    internal bool IsPointwise => KernelHeight == 1 && KernelWidth == 1 && StrideHeight == 1 && StrideWidth == 1
        && PaddingHeight == 0 && PaddingWidth == 0;

    /// <inheritdoc />
    public override string ToString() =>
        $"[{InChannels},{Height},{Width}] → [{OutChannels},{OutHeight},{OutWidth}] (kernel {KernelHeight}×{KernelWidth}, stride {StrideHeight}×{StrideWidth}, padding {PaddingHeight}×{PaddingWidth})";

    private static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"Conv2D {name} must be positive.");
    }
}

/// <summary>How <see cref="Conv2D"/> computes a shape; <see cref="Conv2D.PathOf"/> picks one.</summary>
internal enum ConvPath
{
    /// <summary>im2col into the workspace and one GEMM per sample (any shape).</summary>
    Im2Col,
    /// <summary>Register-blocked kernels over the padded input's rows (stride 1, few input channels): Conv2D.Wide.cs.</summary>
    Wide,
}

/// <summary>
/// 2-D convolution kernels over batches laid out <c>[B, C, H, W]</c> (batch outermost), weights
/// <c>[outC, inC, kH, kW]</c>, bias <c>[outC]</c>, with scratch in a caller-provided workspace of
/// <see cref="WorkspaceSize"/> floats allocated once with the network. Stride-1 convolutions with few input channels
/// run register-blocked direct kernels (forward and backward, the "wide" path); other shapes lower each sample to a
/// matrix product by im2col (whose products spread over threads themselves). Large wide-path calls use up to
/// <see cref="Threading.MaxThreads"/> threads (at most 8): the forward pass and the input gradient split over samples,
/// the weight and bias gradients over blocks of output channels or taps, so every result is the same bit for bit
/// whatever the number of threads; a call that finds the worker pool busy runs on its own thread.
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
    /// of one sample and, for the stride-1 kernels, its gradient, a widened output gradient and the weight gradient's
    /// partial sums, one set of scratch per thread for up to 8 threads). Depends on the machine's vector support, so
    /// generated code asks for it at run time.</summary>
    public static int WorkspaceSize(in Conv2DShape shape)
    {
        int size = shape.IsPointwise ? 0 : shape.PatchSize * shape.OutHeight * shape.OutWidth;
        if (UsesWide(shape)) size = Math.Max(size, new WideLayout(shape).WorkspaceSize);
        return size;
    }

    /// <summary>The forward path <see cref="Forward{TAct}"/> takes for <paramref name="shape"/>: the wide kernel where it
    /// applies, else im2col. (The backward pass takes the wide path whenever <see cref="UsesWide"/>.)</summary>
    internal static ConvPath PathOf(in Conv2DShape shape) => UsesWideForward(shape) ? ConvPath.Wide : ConvPath.Im2Col;

    /// <summary>
    /// y[b,o,i,j] = act(bias[o] + Σ_{c,u,v} w[o,c,u,v] · x[b, c, i·sH + u − pH, j·sW + v − pW]), zero outside x.
    /// <paramref name="bias"/> may be empty. Allocates nothing.
    /// </summary>
    public static void Forward<TAct>(in Conv2DShape shape, int batch,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, Span<float> workspace)
        where TAct : struct, IActivation
        => ForwardOnPath<TAct>(shape, batch, x, w, bias, y, workspace, PathOf(shape));

    /// <summary><see cref="Forward{TAct}"/> on a chosen path, so that tests and benchmarks can compare them (the wide path
    /// only where <see cref="UsesWideForward"/> holds).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void ForwardOnPath<TAct>(in Conv2DShape shape, int batch,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, Span<float> workspace, ConvPath path)
        where TAct : struct, IActivation
    {
        Check(shape, batch, x.Length, w.Length, bias.Length, y.Length, workspace.Length);
        if (path == ConvPath.Wide)
        {
            if (!UsesWideForward(shape)) throw new ArgumentException($"Conv2D: the wide forward path does not apply to {shape}.", nameof(path));
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
    /// <c>wᵀ·dy</c> (skipped when empty, as for the first layer). dw, dbias and dx are overwritten. Allocates nothing.
    /// </summary>
    public static void Backward<TAct>(in Conv2DShape shape, int batch,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> y,
        Span<float> dy, Span<float> dw, Span<float> dbias, Span<float> dx, Span<float> workspace)
        where TAct : struct, IActivation
        => BackwardOnPath<TAct>(shape, batch, x, w, y, dy, dw, dbias, dx, workspace, UsesWide(shape) ? ConvPath.Wide : ConvPath.Im2Col);

    /// <summary><see cref="Backward{TAct}"/> on a chosen path (<see cref="ConvPath.Wide"/> only where <see cref="UsesWide"/>
    /// holds), so that tests and benchmarks can compare them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void BackwardOnPath<TAct>(in Conv2DShape shape, int batch,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> y,
        Span<float> dy, Span<float> dw, Span<float> dbias, Span<float> dx, Span<float> workspace, ConvPath path)
        where TAct : struct, IActivation
    {
        Check(shape, batch, x.Length, w.Length, 0, y.Length, workspace.Length);
        if (!dbias.IsEmpty) Elementwise.Require(dbias.Length, shape.OutChannels, nameof(dbias), nameof(Conv2D));
        Elementwise.Require(dy.Length, (long)batch * shape.OutputSize, nameof(dy), nameof(Conv2D));
        Elementwise.Require(dw.Length, shape.WeightSize, nameof(dw), nameof(Conv2D));
        if (!dx.IsEmpty) Elementwise.Require(dx.Length, (long)batch * shape.InputSize, nameof(dx), nameof(Conv2D));
        if (path == ConvPath.Wide)
        {
            if (!UsesWide(shape)) throw new ArgumentException($"Conv2D: the wide path does not apply to {shape}.", nameof(path));
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
            AccumulateWeightGradient(shape, dyb, Patches(shape, xb, workspace), dw);
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

    // ConvBenchmarks (batch 16, one thread, AVX-512 GEMM), measured with the direct forward kernel the wide one replaced:
    // direct/im2col time 0.3 for LeNet-5 C1, 0.34–0.47 for 1–8 input channels, 0.55–0.7 for 16, 0.83 for 32, 1.18
    // for 64. Above 8 channels the per-sample GEMM grows past the size at which Gemm spreads over threads, which the
    // direct kernels did not do then, so they stop at 8 (not re-measured since the wide kernels spread over threads too).
    internal const int WideMaxInChannels = 8;

    // With few weights and many output pixels, dw is one dot product of length OutHeight·OutWidth per weight: a product
    // with small m·n and long k is where the tiled GEMM spends its time on edges. Measured dot products against
    // Gemm.MatMulTransB (m×n×k, one thread): 6×25×784 (LeNet-5 C1) 3× faster, 16×144×1024 1.4× faster, but 16×150×100
    // (LeNet-5 C3) 1.7× and 32×288×256 1.1× slower, hence both bounds.
    internal const int DotWeightGradientMinPixels = 512, DotWeightGradientMaxWeights = 4096;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateWeightGradient(in Conv2DShape s, ReadOnlySpan<float> dyb, ReadOnlySpan<float> cols, Span<float> dw)
    {
        int pixels = s.OutHeight * s.OutWidth, patch = s.PatchSize;
        if (pixels < DotWeightGradientMinPixels || s.WeightSize > DotWeightGradientMaxWeights)
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
