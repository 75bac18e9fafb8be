using ILGPU;
using ILGPU.Runtime;

namespace NetGen.Gpu;

/// <summary>
/// Single-precision matrix products on row-major device matrices, the same three forms as
/// <see cref="NetGen.Kernels.Gemm"/>: each writes <c>C = A·B</c> (or adds it to C when <c>accumulate</c> is true).
/// Operands are views (usually slices of one flat buffer); launches are asynchronous on the device's stream. Blocks of
/// C are 64×64, or 32×32 when 64×64 blocks would leave multiprocessors idle.
/// </summary>
public static class GpuGemm
{
    /// <summary>C[m,n] (+)= A[m,k] · B[k,n].</summary>
    public static void MatMul(GpuDevice device, int m, int n, int k, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, bool accumulate) =>
        Launch<NN, GpuIdentity>(device, m, n, k, a, b, c, default, accumulate);

    /// <summary>C[m,n] (+)= Aᵀ · B, where A is stored as [k,m].</summary>
    public static void MatMulTransA(GpuDevice device, int m, int n, int k, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, bool accumulate) =>
        Launch<TN, GpuIdentity>(device, m, n, k, a, b, c, default, accumulate);

    /// <summary>C[m,n] (+)= A · Bᵀ, where B is stored as [n,k].</summary>
    public static void MatMulTransB(GpuDevice device, int m, int n, int k, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, bool accumulate) =>
        Launch<NT, GpuIdentity>(device, m, n, k, a, b, c, default, accumulate);

    /// <summary>C = act((accumulate ? C : 0) + op(A)·op(B) + bias), bias broadcast over rows and skipped when empty.</summary>
    internal static void Launch<TLayout, TAct>(GpuDevice device, int m, int n, int k,
        ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> bias, bool accumulate)
        where TLayout : struct, IGemmLayout where TAct : struct, IGpuActivation
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        // Kernels index with 32-bit arithmetic (cheaper on GPUs); no operand of a network comes near 2³¹ floats.
        if ((long)m * k > int.MaxValue || (long)k * n > int.MaxValue || (long)m * n > int.MaxValue)
            throw new ArgumentException($"GEMM [{m}×{k}]·[{k}×{n}] has an operand over int.MaxValue elements; split it into smaller products.");
        Views.Require(a, (long)m * k, nameof(a));
        Views.Require(b, (long)k * n, nameof(b));
        Views.Require(c, (long)m * n, nameof(c));
        if (bias.Length != 0) Views.Require(bias, n, nameof(bias));
        if (m == 0 || n == 0) return;
        // Small products (an MLP at batch 64) make too few 64×64 blocks to occupy every multiprocessor: 32×32 blocks
        // give four times as many.
        int largeTile = Large.Threads * GemmKernel.Micro;
        long largeBlocks = (long)((m + largeTile - 1) / largeTile) * ((n + largeTile - 1) / largeTile);
        if (largeBlocks < device.Accelerator.NumMultiprocessors)
            Launch<TLayout, Small, TAct>(device, m, n, k, a, b, c, bias, accumulate);
        else
            Launch<TLayout, Large, TAct>(device, m, n, k, a, b, c, bias, accumulate);
    }

    /// <summary><see cref="Launch{TLayout, TAct}"/> with the tile size fixed (arguments already checked).</summary>
    internal static void Launch<TLayout, TTile, TAct>(GpuDevice device, int m, int n, int k,
        ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> bias, bool accumulate)
        where TLayout : struct, IGemmLayout where TTile : struct, IGemmTile where TAct : struct, IGpuActivation
    {
        int tile = TTile.Threads * GemmKernel.Micro;
        var grid = new Index2D((n + tile - 1) / tile, (m + tile - 1) / tile);
        var group = new Index2D(TTile.Threads, TTile.Threads);
        device.Kernels<GemmKernel.Set<TLayout, TTile, TAct>>().Launch(device.Stream, new KernelConfig(grid, group),
            m, n, k, a, b, c, Views.OrEmptyOf(bias, c), accumulate ? 1 : 0);
    }
}

/// <summary>Which operands a GEMM reads transposed; constants per struct, so each layout compiles its own kernel.</summary>
internal interface IGemmLayout
{
    static abstract bool TransA { get; }
    static abstract bool TransB { get; }
}

internal readonly struct NN : IGemmLayout { public static bool TransA => false; public static bool TransB => false; }
internal readonly struct TN : IGemmLayout { public static bool TransA => true; public static bool TransB => false; }
internal readonly struct NT : IGemmLayout { public static bool TransA => false; public static bool TransB => true; }

/// <summary>Block geometry: <c>Threads × Threads</c> threads, each computing 4×4 outputs of a square block of C of side 4·Threads.</summary>
internal interface IGemmTile
{
    static abstract int Threads { get; }
}

/// <summary>64×64 blocks of 256 threads: the most reuse per shared-memory load.</summary>
internal readonly struct Large : IGemmTile { public static int Threads => 16; }

/// <summary>32×32 blocks of 64 threads: four times the blocks, for products too small to fill the device otherwise.</summary>
internal readonly struct Small : IGemmTile { public static int Threads => 8; }

/// <summary>
/// Shared-memory tiled GEMM: a group of T×T threads computes a 4T×4T block of C, each thread a 4×4 micro-tile held in
/// registers, stepping through k in slices of 16 staged in shared memory (T = 16 or 8, see <see cref="IGemmTile"/>).
/// </summary>
internal static class GemmKernel
{
    public const int Micro = 4, Depth = 16;
    // Shared tiles are sized for the largest block (64 columns); one padding column makes both the row-wise and the
    // column-wise tile stores free of bank conflicts.
    private const int MaxStride = 16 * Micro + 1;

    internal sealed class Set<TLayout, TTile, TAct> : IKernelSet<Set<TLayout, TTile, TAct>>
        where TLayout : struct, IGemmLayout where TTile : struct, IGemmTile where TAct : struct, IGpuActivation
    {
        public required Action<AcceleratorStream, KernelConfig, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> Launch { get; init; }

        public static Set<TLayout, TTile, TAct> Load(Accelerator accelerator) => new()
        {
            Launch = accelerator.LoadKernel<int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(Run<TLayout, TTile, TAct>),
        };
    }

    [Kernel(explicitlyGrouped: true)]
    internal static void Run<TLayout, TTile, TAct>(int m, int n, int k, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> bias, int accumulate)
        where TLayout : struct, IGemmLayout where TTile : struct, IGemmTile where TAct : struct, IGpuActivation
    {
        int threads = TTile.Threads, tile = threads * Micro, stride = tile + 1, loads = tile * Depth / (threads * threads);
        var aTile = SharedMemory.Allocate<float>(Depth * MaxStride); // aTile[p, i] = op(A)[row0 + i, k0 + p]
        var bTile = SharedMemory.Allocate<float>(Depth * MaxStride); // bTile[p, j] = op(B)[k0 + p, col0 + j]
        int tx = Group.IdxX, ty = Group.IdxY, thread = ty * threads + tx;
        int row0 = Grid.IdxY * tile, col0 = Grid.IdxX * tile;

        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;

        for (int k0 = 0; k0 < k; k0 += Depth)
        {
            // Consecutive threads read consecutive addresses of whichever operand dimension is contiguous.
            for (int l = 0; l < loads; l++)
            {
                int e = thread + l * threads * threads;
                int i = TLayout.TransA ? e % tile : e / Depth, p = TLayout.TransA ? e / tile : e % Depth;
                int gi = row0 + i, gp = k0 + p;
                aTile[p * stride + i] = gi < m && gp < k ? (TLayout.TransA ? a[gp * m + gi] : a[gi * k + gp]) : 0f;

                int j = TLayout.TransB ? e / Depth : e % tile, q = TLayout.TransB ? e % Depth : e / tile;
                int gj = col0 + j, gq = k0 + q;
                bTile[q * stride + j] = gj < n && gq < k ? (TLayout.TransB ? b[gj * k + gq] : b[gq * n + gj]) : 0f;
            }
            Group.Barrier();

            for (int p = 0; p < Depth; p++)
            {
                int ao = p * stride + ty, bo = p * stride + tx;
                float a0 = aTile[ao], a1 = aTile[ao + threads], a2 = aTile[ao + 2 * threads], a3 = aTile[ao + 3 * threads];
                float b0 = bTile[bo], b1 = bTile[bo + threads], b2 = bTile[bo + 2 * threads], b3 = bTile[bo + 3 * threads];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            Group.Barrier();
        }

        // Thread (tx, ty) owns rows ty + T·r and columns tx + T·s: neighbouring threads store neighbouring columns.
        int r0 = row0 + ty, s0 = col0 + tx;
        Store<TAct>(m, n, threads, c, bias, accumulate, r0, s0, c00, c01, c02, c03);
        Store<TAct>(m, n, threads, c, bias, accumulate, r0 + threads, s0, c10, c11, c12, c13);
        Store<TAct>(m, n, threads, c, bias, accumulate, r0 + 2 * threads, s0, c20, c21, c22, c23);
        Store<TAct>(m, n, threads, c, bias, accumulate, r0 + 3 * threads, s0, c30, c31, c32, c33);
    }

    private static void Store<TAct>(int m, int n, int threads, ArrayView<float> c, ArrayView<float> bias, int accumulate, int row, int col0,
        float v0, float v1, float v2, float v3) where TAct : struct, IGpuActivation
    {
        if (row >= m) return;
        Store<TAct>(n, c, bias, accumulate, row, col0, v0);
        Store<TAct>(n, c, bias, accumulate, row, col0 + threads, v1);
        Store<TAct>(n, c, bias, accumulate, row, col0 + 2 * threads, v2);
        Store<TAct>(n, c, bias, accumulate, row, col0 + 3 * threads, v3);
    }

    private static void Store<TAct>(int n, ArrayView<float> c, ArrayView<float> bias, int accumulate, int row, int col, float v)
        where TAct : struct, IGpuActivation
    {
        if (col >= n) return;
        int index = row * n + col;
        if (accumulate != 0) v += c[index];
        if (bias.Length != 0) v += bias[col];
        c[index] = TAct.Apply(v);
    }
}

/// <summary>Argument checks shared by the launch wrappers.</summary>
internal static class Views
{
    /// <summary>Throws when <paramref name="view"/> is shorter than <paramref name="length"/>.</summary>
    public static void Require<T>(ArrayView<T> view, long length, string name) where T : unmanaged
    {
        if (view.Length < length)
            throw new ArgumentException(
                $"{name} has {view.Length} elements but the shapes given need {length}; pass a view (slice) of at least {length} elements.", name);
    }

    /// <summary>
    /// A kernel argument for an optional operand: the view itself, or an empty slice of <paramref name="valid"/> so that
    /// the kernel never receives a default view (kernels test <c>Length != 0</c>).
    /// </summary>
    public static ArrayView<T> OrEmptyOf<T>(ArrayView<T> optional, ArrayView<T> valid) where T : unmanaged =>
        optional.Length != 0 ? optional : valid.SubView(0, 0);
}
