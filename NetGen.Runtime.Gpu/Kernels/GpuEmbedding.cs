using ILGPU;
using ILGPU.Runtime;

namespace NetGen.Gpu;

/// <summary>
/// Embedding lookup on the device, the twin of <see cref="NetGen.Kernels.Embedding"/>: table <c>[vocabulary, dim]</c>
/// row-major, <c>count = batch × steps</c> token ids held as floats, output <c>[count, dim]</c>.
/// </summary>
public static class GpuEmbedding
{
    /// <summary>
    /// y[i, :] = table[tokens[i], :] for i &lt; <paramref name="count"/>. A token that is not an integer in
    /// <c>[0, vocabulary)</c> gives a row of NaN (a kernel cannot throw; the loss then reads NaN).
    /// </summary>
    public static void Forward(GpuDevice device, int count, int vocabulary, int dim,
        ArrayView<float> tokens, ArrayView<float> table, ArrayView<float> y)
    {
        Check(count, vocabulary, dim, tokens);
        Views.Require(table, (long)vocabulary * dim, nameof(table));
        Views.Require(y, (long)count * dim, nameof(y));
        if (count == 0) return;
        device.Kernels<EmbeddingKernels>().Forward(device.Stream, count * dim, vocabulary, dim, tokens, table, y);
    }

    /// <summary>
    /// dTable = Σᵢ onehot(tokens[i]) ⊗ dy[i, :], overwriting all of <paramref name="dTable"/> (unused rows become 0).
    /// One thread per table entry adds the matching positions in order i = 0, 1, …, as the CPU kernel does, so the sum
    /// is deterministic (no atomics) at the cost of every thread reading all <paramref name="count"/> tokens.
    /// </summary>
    public static void Backward(GpuDevice device, int count, int vocabulary, int dim,
        ArrayView<float> tokens, ArrayView<float> dy, ArrayView<float> dTable)
    {
        Check(count, vocabulary, dim, tokens);
        Views.Require(dy, (long)count * dim, nameof(dy));
        Views.Require(dTable, (long)vocabulary * dim, nameof(dTable));
        device.Kernels<EmbeddingKernels>().Backward(device.Stream, vocabulary * dim, count, dim, tokens, dy, dTable);
    }

    /// <summary>Throws unless <paramref name="count"/> ≥ 0, the other sizes are positive and <paramref name="tokens"/> holds count ids.</summary>
    private static void Check(int count, int vocabulary, int dim, ArrayView<float> tokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabulary);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        Views.Require(tokens, count, nameof(tokens));
    }
}

internal sealed class EmbeddingKernels : IKernelSet<EmbeddingKernels>
{
    public required Action<AcceleratorStream, Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>> Forward { get; init; }
    public required Action<AcceleratorStream, Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>> Backward { get; init; }

    public static EmbeddingKernels Load(Accelerator accelerator) => new()
    {
        Forward = accelerator.LoadAutoGroupedKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ForwardKernel),
        Backward = accelerator.LoadAutoGroupedKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(BackwardKernel),
    };

    // Thread e = i·dim + d copies one float of position i's row.
    [Kernel(explicitlyGrouped: false)]
    internal static void ForwardKernel(Index1D e, int vocabulary, int dim, ArrayView<float> tokens, ArrayView<float> table, ArrayView<float> y)
    {
        int i = e / dim, d = e - i * dim;
        float token = tokens[i];
        int id = (int)token;
        y[e] = id == token && (uint)id < (uint)vocabulary ? table[id * dim + d] : float.NaN;
    }

    // Thread e = v·dim + d sums column d of the gradient rows whose token is v.
    [Kernel(explicitlyGrouped: false)]
    internal static void BackwardKernel(Index1D e, int count, int dim, ArrayView<float> tokens, ArrayView<float> dy, ArrayView<float> dTable)
    {
        int v = e / dim, d = e - v * dim;
        float sum = 0f;
        for (int i = 0; i < count; i++)
            if (tokens[i] == v) sum += dy[i * dim + d];
        dTable[e] = sum;
    }
}
