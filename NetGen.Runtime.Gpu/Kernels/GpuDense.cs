using ILGPU;
using ILGPU.Runtime;

namespace NetGen.Gpu;

/// <summary>
/// Fully connected layer on the device, a line-for-line twin of <see cref="NetGen.Kernels.Dense"/> (same argument
/// order, weights stored <c>[inputs, outputs]</c>, empty views for absent operands) so that generated GPU code is
/// the CPU code with device views. Bias and activation are fused into the GEMM's store.
/// </summary>
public static class GpuDense
{
    /// <summary>y[b,n] = act(Σₖ x[b,k]·w[k,n] + bias[n]). <paramref name="bias"/> may be empty.</summary>
    public static void Forward<TAct>(GpuDevice device, int batch, int inputs, int outputs,
        ArrayView<float> x, ArrayView<float> w, ArrayView<float> bias, ArrayView<float> y)
        where TAct : struct, IGpuActivation =>
        GpuGemm.Launch<NN, TAct>(device, batch, outputs, inputs, x, w, y, bias, accumulate: false);

    /// <summary>
    /// Backward of <see cref="Forward{TAct}"/>: first <c>dy ← dy ⊙ act′(y)</c> in place, then <c>dw = xᵀ·dy</c>,
    /// <c>dbias = Σ_b dy</c> (skipped when empty), and <c>dx = dy·wᵀ</c> (skipped when empty, as for the first layer).
    /// </summary>
    public static void Backward<TAct>(GpuDevice device, int batch, int inputs, int outputs,
        ArrayView<float> x, ArrayView<float> w, ArrayView<float> y,
        ArrayView<float> dy, ArrayView<float> dw, ArrayView<float> dbias, ArrayView<float> dx)
        where TAct : struct, IGpuActivation
    {
        ActivationBackward<TAct>(device, batch * outputs, y, dy);
        GpuGemm.Launch<TN, GpuIdentity>(device, inputs, outputs, batch, x, dy, dw, default, accumulate: false);
        if (dbias.Length != 0) BiasGradient(device, batch, outputs, dy, dbias);
        if (dx.Length != 0) GpuGemm.Launch<NT, GpuIdentity>(device, batch, inputs, outputs, dy, w, dx, default, accumulate: false);
    }

    /// <summary>dy[i] ← dy[i] · act′(y[i]) for i &lt; <paramref name="count"/>; nothing to do for the identity.</summary>
    public static void ActivationBackward<TAct>(GpuDevice device, int count, ArrayView<float> y, ArrayView<float> dy)
        where TAct : struct, IGpuActivation
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Views.Require(y, count, nameof(y));
        Views.Require(dy, count, nameof(dy));
        if (typeof(TAct) == typeof(GpuIdentity) || count == 0) return;
        device.Kernels<DenseKernels.Activation<TAct>>().Backward(device.Stream, count, y, dy);
    }

    /// <summary>dbias[j] = Σ_b dy[b, j]: the column sums of the [batch, outputs] matrix <paramref name="dy"/>.</summary>
    public static void BiasGradient(GpuDevice device, int batch, int outputs, ArrayView<float> dy, ArrayView<float> dbias)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(outputs);
        Views.Require(dy, (long)batch * outputs, nameof(dy));
        Views.Require(dbias, outputs, nameof(dbias));
        if (outputs == 0) return;
        var config = new KernelConfig(new Index2D((outputs + DenseKernels.ColumnWidth - 1) / DenseKernels.ColumnWidth, 1),
            new Index2D(DenseKernels.ColumnWidth, DenseKernels.RowStripes));
        device.Kernels<DenseKernels.Columns>().Sum(device.Stream, config, batch, outputs, dy, dbias);
    }
}

internal static class DenseKernels
{
    internal sealed class Activation<TAct> : IKernelSet<Activation<TAct>> where TAct : struct, IGpuActivation
    {
        public required Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>> Backward { get; init; }

        public static Activation<TAct> Load(Accelerator accelerator) => new()
        {
            Backward = accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>>(ActivationBackward<TAct>),
        };
    }

    internal sealed class Columns : IKernelSet<Columns>
    {
        public required Action<AcceleratorStream, KernelConfig, int, int, ArrayView<float>, ArrayView<float>> Sum { get; init; }

        public static Columns Load(Accelerator accelerator) => new()
        {
            Sum = accelerator.LoadKernel<int, int, ArrayView<float>, ArrayView<float>>(ColumnSums),
        };
    }

    public const int ColumnWidth = 32, RowStripes = 8;

    [Kernel(explicitlyGrouped: false)]
    internal static void ActivationBackward<TAct>(Index1D i, ArrayView<float> y, ArrayView<float> dy) where TAct : struct, IGpuActivation =>
        dy[i] *= TAct.Derivative(y[i]);

    // A group of 32×8 threads sums 32 columns: each thread walks every 8th row of its column (a warp reads 32
    // neighbouring floats of a row), then the 8 partial sums of each column are added in shared memory in a fixed order.
    [Kernel(explicitlyGrouped: true)]
    internal static void ColumnSums(int rows, int columns, ArrayView<float> matrix, ArrayView<float> sums)
    {
        var partial = SharedMemory.Allocate<float>(ColumnWidth * RowStripes);
        int x = Group.IdxX, y = Group.IdxY, j = Grid.IdxX * ColumnWidth + x;
        float s = 0f;
        if (j < columns)
            for (int r = y; r < rows; r += RowStripes) s += matrix[r * columns + j];
        partial[y * ColumnWidth + x] = s;
        Group.Barrier();
        if (y != 0 || j >= columns) return;
        float total = 0f;
        for (int q = 0; q < RowStripes; q++) total += partial[q * ColumnWidth + x];
        sums[j] = total;
    }
}
