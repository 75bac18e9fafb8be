using ILGPU;
using ILGPU.Runtime;
using NetGen.Kernels;

namespace NetGen.Gpu;

/// <summary>
/// 2-D convolution on the device, the twin of <see cref="Conv2D"/>: same <see cref="Conv2DShape"/>, layouts
/// (<c>[B, C, H, W]</c>, weight <c>[outC, inC, kH, kW]</c>, bias <c>[outC]</c>) and argument order, without the
/// im2col workspace: every kernel computes its outputs directly. Input gradients may be added to an existing
/// gradient (<c>accumulate</c>) where the CPU code adds a buffered share. Sums run in a fixed order (no atomics).
/// </summary>
public static class GpuConv2D
{
    /// <summary>y[b,o,i,j] = act(bias[o] + Σ_{c,u,v} w[o,c,u,v] · x[b, c, i·sH + u − pH, j·sW + v − pW]), zero outside x.
    /// <paramref name="bias"/> may be empty.</summary>
    public static void Forward<TAct>(GpuDevice device, in Conv2DShape shape, int batch,
        ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> y)
        where TAct : struct, IGpuActivation
    {
        Check(shape, batch, x, w, y);
        if (bias.Length != 0) Views.Require(bias, shape.OutChannels, nameof(bias));
        if (batch == 0) return;
        device.Kernels<ConvKernels<TAct>>().Forward(device.Stream, batch * shape.OutputSize, shape, x, w, Views.OrEmptyOf(bias, w), y);
    }

    /// <summary>
    /// Backward of <see cref="Forward{TAct}"/>: first <c>dy ← dy ⊙ act′(y)</c> in place, then
    /// <c>dw[o,c,u,v] = Σ_{b,i,j} dy[b,o,i,j] · x[b, c, i·sH + u − pH, j·sW + v − pW]</c>, <c>dbias[o] = Σ_{b,i,j} dy[b,o,i,j]</c>
    /// (skipped when empty) and <c>dx[b,c,h,w] = Σ w[o,c,u,v] · dy[b,o,i,j]</c> over the outputs that read x[b,c,h,w]
    /// (skipped when empty; added to dx when <paramref name="accumulate"/>). dw and dbias are overwritten.
    /// </summary>
    public static void Backward<TAct>(GpuDevice device, in Conv2DShape shape, int batch,
        ArrayView<float> x, ArrayView<float> w, ArrayView<float> y,
        ArrayView<float> dy, ArrayView<float> dw, ArrayView<float> dbias, ArrayView<float> dx, bool accumulate = false)
        where TAct : struct, IGpuActivation
    {
        Check(shape, batch, x, w, y);
        Views.Require(dy, (long)batch * shape.OutputSize, nameof(dy));
        Views.Require(dw, shape.WeightSize, nameof(dw));
        if (dbias.Length != 0) Views.Require(dbias, shape.OutChannels, nameof(dbias));
        if (dx.Length != 0) Views.Require(dx, (long)batch * shape.InputSize, nameof(dx));
        GpuDense.ActivationBackward<TAct>(device, batch * shape.OutputSize, y, dy);
        var kernels = device.Kernels<ConvKernels<TAct>>();
        // The CPU emulator runs every thread of a group and pays for each barrier: small groups keep tests quick there.
        int threads = device.IsCuda ? ConvKernels<TAct>.Threads : EmulatorThreads;
        kernels.WeightGradient(device.Stream, new KernelConfig(shape.WeightSize, threads), batch, shape, x, dy, dw);
        if (dbias.Length != 0)
            kernels.BiasGradient(device.Stream, new KernelConfig(shape.OutChannels, threads), batch, shape, dy, dbias);
        if (dx.Length != 0 && batch > 0)
            kernels.InputGradient(device.Stream, batch * shape.InputSize, shape, w, dy, dx, accumulate ? 1 : 0);
    }

    private const int EmulatorThreads = 4;

    private static void Check(in Conv2DShape shape, int batch, ArrayView<float> x, ArrayView<float> w, ArrayView<float> y)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        Views.Require(x, (long)batch * shape.InputSize, nameof(x));
        Views.Require(w, shape.WeightSize, nameof(w));
        Views.Require(y, (long)batch * shape.OutputSize, nameof(y));
    }
}

/// <summary>The convolution kernels: one thread per output or input value, one group per weight or bias value.</summary>
internal sealed class ConvKernels<TAct> : IKernelSet<ConvKernels<TAct>> where TAct : struct, IGpuActivation
{
    /// <summary>Threads per group of the gradient reductions.</summary>
    public const int Threads = 128;

    public required Action<AcceleratorStream, Index1D, Conv2DShape, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> Forward { get; init; }
    public required Action<AcceleratorStream, KernelConfig, int, Conv2DShape, ArrayView<float>, ArrayView<float>, ArrayView<float>> WeightGradient { get; init; }
    public required Action<AcceleratorStream, KernelConfig, int, Conv2DShape, ArrayView<float>, ArrayView<float>> BiasGradient { get; init; }
    public required Action<AcceleratorStream, Index1D, Conv2DShape, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> InputGradient { get; init; }

    public static ConvKernels<TAct> Load(Accelerator accelerator) => new()
    {
        Forward = accelerator.LoadAutoGroupedKernel<Index1D, Conv2DShape, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(
            ConvolutionKernels.Forward<TAct>),
        WeightGradient = accelerator.LoadKernel<int, Conv2DShape, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ConvolutionKernels.WeightGradient),
        BiasGradient = accelerator.LoadKernel<int, Conv2DShape, ArrayView<float>, ArrayView<float>>(ConvolutionKernels.BiasGradient),
        InputGradient = accelerator.LoadAutoGroupedKernel<Index1D, Conv2DShape, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(
            ConvolutionKernels.InputGradient),
    };
}

internal static class ConvolutionKernels
{
    [Kernel(explicitlyGrouped: false)]
    internal static void Forward<TAct>(Index1D index, Conv2DShape s, ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> y)
        where TAct : struct, IGpuActivation
    {
        int outW = s.OutWidth, outH = s.OutHeight;
        int j = index % outW, rest = index / outW;
        int i = rest % outH; rest /= outH;
        int o = rest % s.OutChannels, b = rest / s.OutChannels;
        int kh = s.KernelHeight, kw = s.KernelWidth, height = s.Height, width = s.Width;
        int top = i * s.StrideHeight - s.PaddingHeight, left = j * s.StrideWidth - s.PaddingWidth;
        float sum = bias.Length != 0 ? bias[o] : 0f;
        for (int c = 0; c < s.InChannels; c++)
        {
            int xPlane = (b * s.InChannels + c) * height, wPlane = (o * s.InChannels + c) * kh;
            for (int u = 0; u < kh; u++)
            {
                int h = top + u;
                if (h < 0 || h >= height) continue;
                for (int v = 0; v < kw; v++)
                {
                    int col = left + v;
                    if (col >= 0 && col < width) sum += w[(wPlane + u) * kw + v] * x[(xPlane + h) * width + col];
                }
            }
        }
        y[index] = TAct.Apply(sum);
    }

    // One group per weight value (o, c, u, v): its threads stride over the batch's output pixels of channel o, then
    // add their partial sums in shared memory in a fixed tree order.
    [Kernel(explicitlyGrouped: true)]
    internal static void WeightGradient(int batch, Conv2DShape s, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw)
    {
        int weight = Grid.IdxX, kh = s.KernelHeight, kw = s.KernelWidth;
        int v = weight % kw, rest = weight / kw;
        int u = rest % kh; rest /= kh;
        int c = rest % s.InChannels, o = rest / s.InChannels;
        int outW = s.OutWidth, pixels = s.OutHeight * outW, height = s.Height, width = s.Width;
        float sum = 0f;
        for (int t = Group.IdxX; t < batch * pixels; t += Group.DimX)
        {
            int b = t / pixels, p = t % pixels;
            int h = p / outW * s.StrideHeight + u - s.PaddingHeight, col = p % outW * s.StrideWidth + v - s.PaddingWidth;
            if (h >= 0 && h < height && col >= 0 && col < width)
                sum += dy[(b * s.OutChannels + o) * pixels + p] * x[((b * s.InChannels + c) * height + h) * width + col];
        }
        float total = GroupReduce(sum);
        if (Group.IdxX == 0) dw[weight] = total;
    }

    [Kernel(explicitlyGrouped: true)]
    internal static void BiasGradient(int batch, Conv2DShape s, ArrayView<float> dy, ArrayView<float> dbias)
    {
        int o = Grid.IdxX, pixels = s.OutHeight * s.OutWidth;
        float sum = 0f;
        for (int t = Group.IdxX; t < batch * pixels; t += Group.DimX)
            sum += dy[(t / pixels * s.OutChannels + o) * pixels + t % pixels];
        float total = GroupReduce(sum);
        if (Group.IdxX == 0) dbias[o] = total;
    }

    [Kernel(explicitlyGrouped: false)]
    internal static void InputGradient(Index1D index, Conv2DShape s, ArrayView<float> w, ArrayView<float> dy, ArrayView<float> dx, int accumulate)
    {
        int height = s.Height, width = s.Width;
        int col = index % width, rest = index / width;
        int h = rest % height; rest /= height;
        int c = rest % s.InChannels, b = rest / s.InChannels;
        int kh = s.KernelHeight, kw = s.KernelWidth, outH = s.OutHeight, outW = s.OutWidth;
        int sH = s.StrideHeight, sW = s.StrideWidth;
        float sum = 0f;
        for (int u = 0; u < kh; u++)
        {
            int top = h + s.PaddingHeight - u;
            if (top < 0 || top % sH != 0 || top / sH >= outH) continue;
            int i = top / sH;
            for (int v = 0; v < kw; v++)
            {
                int left = col + s.PaddingWidth - v;
                if (left < 0 || left % sW != 0 || left / sW >= outW) continue;
                int j = left / sW;
                for (int o = 0; o < s.OutChannels; o++)
                    sum += w[((o * s.InChannels + c) * kh + u) * kw + v] * dy[((b * s.OutChannels + o) * outH + i) * outW + j];
            }
        }
        dx[index] = accumulate != 0 ? dx[index] + sum : sum;
    }

    /// <summary>The sum of every thread's <paramref name="value"/> over the group (which must be a power of two up to
    /// <see cref="ConvKernels{TAct}.Threads"/>), in a fixed order; every thread gets it.</summary>
    private static float GroupReduce(float value)
    {
        var partial = SharedMemory.Allocate<float>(ConvKernels<GpuIdentity>.Threads);
        int t = Group.IdxX;
        partial[t] = value;
        Group.Barrier();
        for (int half = Group.DimX / 2; half > 0; half /= 2)
        {
            if (t < half) partial[t] += partial[t + half];
            Group.Barrier();
        }
        return partial[0];
    }
}
