using ILGPU;
using ILGPU.Runtime;
using NetGen.Kernels;

namespace NetGen.Gpu;

/// <summary>
/// Max pooling on the device, the twin of <see cref="MaxPool2D"/> over <c>[B, C, H, W]</c> with the same
/// <see cref="Pool2DShape"/>. No argmax buffer: <see cref="Backward"/> finds each window's maximum again in x, with
/// the CPU kernel's rule (strict &gt; in row-major order, so the first one wins ties), and so sends the gradient to the
/// same inputs.
/// </summary>
public static class GpuMaxPool2D
{
    /// <summary>y[b,c,i,j] = max_{u,v &lt; window} x[b, c, i·stride + u, j·stride + v].</summary>
    public static void Forward(GpuDevice device, in Pool2DShape shape, int batch, ArrayView<float> x, ArrayView<float> y)
    {
        PoolChecks.Check(shape, batch, x, y, nameof(x), nameof(y));
        if (batch > 0) device.Kernels<PoolKernels>().MaxForward(device.Stream, batch * shape.OutputSize, shape, x, y);
    }

    /// <summary>dx[b,c,h,w] = Σ dy[b,c,i,j] over the windows whose first maximum is x[b,c,h,w] (0 elsewhere), written over
    /// dx, or added to it when <paramref name="accumulate"/>.</summary>
    public static void Backward(GpuDevice device, in Pool2DShape shape, int batch, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dx,
        bool accumulate = false)
    {
        PoolChecks.Check(shape, batch, x, dy, nameof(x), nameof(dy));
        Views.Require(dx, (long)batch * shape.InputSize, nameof(dx));
        if (batch > 0) device.Kernels<PoolKernels>().MaxBackward(device.Stream, batch * shape.InputSize, shape, x, dy, dx, accumulate ? 1 : 0);
    }
}

/// <summary>Average pooling on the device, the twin of <see cref="AvgPool2D"/> over <c>[B, C, H, W]</c>.</summary>
public static class GpuAvgPool2D
{
    /// <summary>y[b,c,i,j] = (1 / window²) · Σ_{u,v &lt; window} x[b, c, i·stride + u, j·stride + v].</summary>
    public static void Forward(GpuDevice device, in Pool2DShape shape, int batch, ArrayView<float> x, ArrayView<float> y)
    {
        PoolChecks.Check(shape, batch, x, y, nameof(x), nameof(y));
        if (batch > 0) device.Kernels<PoolKernels>().AvgForward(device.Stream, batch * shape.OutputSize, shape, x, y);
    }

    /// <summary>dx[b,c,h,w] = Σ dy[b,c,i,j] / window² over the windows that contain (h, w), written over dx, or added to it
    /// when <paramref name="accumulate"/>.</summary>
    public static void Backward(GpuDevice device, in Pool2DShape shape, int batch, ArrayView<float> dy, ArrayView<float> dx, bool accumulate = false)
    {
        PoolChecks.Check(shape, batch, dx, dy, nameof(dx), nameof(dy));
        if (batch > 0) device.Kernels<PoolKernels>().AvgBackward(device.Stream, batch * shape.InputSize, shape, dy, dx, accumulate ? 1 : 0);
    }
}

/// <summary>
/// Copies on the device: <see cref="Copy"/> is the twin of <c>Span.CopyTo</c> (Flatten's forward, and its backward)
/// and of the element-wise add the CPU code writes where a gradient accumulates.
/// </summary>
public static class GpuElementwise
{
    /// <summary>destination[i] = source[i] (or destination[i] + source[i] when <paramref name="accumulate"/>) for i &lt; source.Length.</summary>
    public static void Copy(GpuDevice device, ArrayView<float> source, ArrayView<float> destination, bool accumulate = false)
    {
        Views.Require(destination, source.Length, nameof(destination));
        if (source.Length == 0) return;
        if (!accumulate)
        {
            source.CopyTo(device.Stream, destination.SubView(0, source.Length));
            return;
        }
        device.Kernels<PoolKernels>().Add(device.Stream, (int)source.Length, source, destination);
    }
}

internal static class PoolChecks
{
    public static void Check(in Pool2DShape shape, int batch, ArrayView<float> input, ArrayView<float> output, string inputName, string outputName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        Views.Require(input, (long)batch * shape.InputSize, inputName);
        Views.Require(output, (long)batch * shape.OutputSize, outputName);
    }
}

/// <summary>Pooling kernels, one thread per output (forward) or input (backward) value; the add behind accumulating copies.</summary>
internal sealed class PoolKernels : IKernelSet<PoolKernels>
{
    public required Action<AcceleratorStream, Index1D, Pool2DShape, ArrayView<float>, ArrayView<float>> MaxForward { get; init; }
    public required Action<AcceleratorStream, Index1D, Pool2DShape, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> MaxBackward { get; init; }
    public required Action<AcceleratorStream, Index1D, Pool2DShape, ArrayView<float>, ArrayView<float>> AvgForward { get; init; }
    public required Action<AcceleratorStream, Index1D, Pool2DShape, ArrayView<float>, ArrayView<float>, int> AvgBackward { get; init; }
    public required Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>> Add { get; init; }

    public static PoolKernels Load(Accelerator accelerator) => new()
    {
        MaxForward = accelerator.LoadAutoGroupedKernel<Index1D, Pool2DShape, ArrayView<float>, ArrayView<float>>(PoolingKernels.MaxForward),
        MaxBackward = accelerator.LoadAutoGroupedKernel<Index1D, Pool2DShape, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(PoolingKernels.MaxBackward),
        AvgForward = accelerator.LoadAutoGroupedKernel<Index1D, Pool2DShape, ArrayView<float>, ArrayView<float>>(PoolingKernels.AvgForward),
        AvgBackward = accelerator.LoadAutoGroupedKernel<Index1D, Pool2DShape, ArrayView<float>, ArrayView<float>, int>(PoolingKernels.AvgBackward),
        Add = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>>(PoolingKernels.Add),
    };
}

internal static class PoolingKernels
{
    [Kernel(explicitlyGrouped: false)]
    internal static void MaxForward(Index1D index, Pool2DShape s, ArrayView<float> x, ArrayView<float> y)
    {
        int start = WindowStart(s, index);
        y[index] = x[MaxAt(s, x, start)];
    }

    [Kernel(explicitlyGrouped: false)]
    internal static void MaxBackward(Index1D index, Pool2DShape s, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dx, int accumulate)
    {
        int width = s.Width, col = index % width, h = index / width % s.Height;
        float sum = 0f;
        for (int i = First(h, s); i <= Last(h, s.Stride, s.OutHeight); i++)
        for (int j = First(col, s); j <= Last(col, s.Stride, s.OutWidth); j++)
        {
            int output = (index / (s.Height * width) * s.OutHeight + i) * s.OutWidth + j;
            if (MaxAt(s, x, WindowStart(s, output)) == index) sum += dy[output];
        }
        dx[index] = accumulate != 0 ? dx[index] + sum : sum;
    }

    [Kernel(explicitlyGrouped: false)]
    internal static void AvgForward(Index1D index, Pool2DShape s, ArrayView<float> x, ArrayView<float> y)
    {
        int start = WindowStart(s, index), k = s.Window;
        float sum = 0f;
        for (int u = 0; u < k; u++)
        for (int v = 0; v < k; v++) sum += x[start + u * s.Width + v];
        y[index] = sum * (1f / (k * k));
    }

    [Kernel(explicitlyGrouped: false)]
    internal static void AvgBackward(Index1D index, Pool2DShape s, ArrayView<float> dy, ArrayView<float> dx, int accumulate)
    {
        int width = s.Width, col = index % width, h = index / width % s.Height, plane = index / (s.Height * width);
        float sum = 0f;
        for (int i = First(h, s); i <= Last(h, s.Stride, s.OutHeight); i++)
        for (int j = First(col, s); j <= Last(col, s.Stride, s.OutWidth); j++)
            sum += dy[(plane * s.OutHeight + i) * s.OutWidth + j];
        float g = sum * (1f / (s.Window * s.Window));
        dx[index] = accumulate != 0 ? dx[index] + g : g;
    }

    [Kernel(explicitlyGrouped: false)]
    internal static void Add(Index1D index, ArrayView<float> source, ArrayView<float> destination) => destination[index] += source[index];

    /// <summary>The flat index (over the whole batch) of output <paramref name="output"/>'s window's top-left input.</summary>
    private static int WindowStart(Pool2DShape s, int output)
    {
        int j = output % s.OutWidth, rest = output / s.OutWidth;
        int i = rest % s.OutHeight, plane = rest / s.OutHeight;
        return (plane * s.Height + i * s.Stride) * s.Width + j * s.Stride;
    }

    /// <summary>The flat index of the window's first maximum (strict &gt;, row-major), as <see cref="MaxPool2D"/> records it.</summary>
    private static int MaxAt(Pool2DShape s, ArrayView<float> x, int start)
    {
        int best = start;
        float max = x[start];
        for (int u = 0; u < s.Window; u++)
        for (int v = 0; v < s.Window; v++)
        {
            int at = start + u * s.Width + v;
            if (x[at] > max) { max = x[at]; best = at; }
        }
        return best;
    }

    /// <summary>The first window index (along one axis) whose window contains position <paramref name="p"/>.</summary>
    private static int First(int p, Pool2DShape s) => p < s.Window ? 0 : (p - s.Window) / s.Stride + 1;

    /// <summary>The last window index whose window starts at or before <paramref name="p"/>, capped at the last window.</summary>
    private static int Last(int p, int stride, int windows)
    {
        int last = p / stride;
        return last < windows - 1 ? last : windows - 1;
    }
}
