using ILGPU;
using ILGPU.Runtime;

namespace NetGen.Gpu;

/// <summary>
/// Single-precision matrix products on row-major device matrices, the same three forms as
/// <see cref="NetGen.Kernels.Gemm"/>: each writes <c>C = A·B</c> (or adds it to C when <c>accumulate</c> is true).
/// Operands are views (usually slices of one flat buffer); launches are asynchronous on the device's stream.
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
        var grid = new Index2D((n + GemmKernel.Tile - 1) / GemmKernel.Tile, (m + GemmKernel.Tile - 1) / GemmKernel.Tile);
        var group = new Index2D(GemmKernel.Threads, GemmKernel.Threads);
        device.Kernels<GemmKernel.Set<TLayout, TAct>>().Launch(device.Stream, new KernelConfig(grid, group),
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

/// <summary>
/// Shared-memory tiled GEMM: a group of 16×16 threads computes a 64×64 block of C, each thread a 4×4 micro-tile
/// held in registers, stepping through k in slices of 16 staged in shared memory.
/// </summary>
internal static class GemmKernel
{
    public const int Threads = 16, Micro = 4, Tile = Threads * Micro, Depth = 16;
    // One padding column makes both the row-wise and the column-wise tile stores free of bank conflicts.
    private const int Stride = Tile + 1;
    private const int LoadsPerThread = Tile * Depth / (Threads * Threads);

    internal sealed class Set<TLayout, TAct> : IKernelSet<Set<TLayout, TAct>>
        where TLayout : struct, IGemmLayout where TAct : struct, IGpuActivation
    {
        public required Action<AcceleratorStream, KernelConfig, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> Launch { get; init; }

        public static Set<TLayout, TAct> Load(Accelerator accelerator) => new()
        {
            Launch = accelerator.LoadKernel<int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(Run<TLayout, TAct>),
        };
    }

    [Kernel(explicitlyGrouped: true)]
    internal static void Run<TLayout, TAct>(int m, int n, int k, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, ArrayView<float> bias, int accumulate)
        where TLayout : struct, IGemmLayout where TAct : struct, IGpuActivation
    {
        var aTile = SharedMemory.Allocate<float>(Depth * Stride); // aTile[p, i] = op(A)[row0 + i, k0 + p]
        var bTile = SharedMemory.Allocate<float>(Depth * Stride); // bTile[p, j] = op(B)[k0 + p, col0 + j]
        int tx = Group.IdxX, ty = Group.IdxY, thread = ty * Threads + tx;
        int row0 = Grid.IdxY * Tile, col0 = Grid.IdxX * Tile;

        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;

        for (int k0 = 0; k0 < k; k0 += Depth)
        {
            // Consecutive threads read consecutive addresses of whichever operand dimension is contiguous.
            for (int l = 0; l < LoadsPerThread; l++)
            {
                int e = thread + l * Threads * Threads;
                int i = TLayout.TransA ? e % Tile : e / Depth, p = TLayout.TransA ? e / Tile : e % Depth;
                int gi = row0 + i, gp = k0 + p;
                aTile[p * Stride + i] = gi < m && gp < k ? (TLayout.TransA ? a[gp * m + gi] : a[gi * k + gp]) : 0f;

                int j = TLayout.TransB ? e / Depth : e % Tile, q = TLayout.TransB ? e % Depth : e / Tile;
                int gj = col0 + j, gq = k0 + q;
                bTile[q * Stride + j] = gj < n && gq < k ? (TLayout.TransB ? b[gj * k + gq] : b[gq * n + gj]) : 0f;
            }
            Group.Barrier();

            for (int p = 0; p < Depth; p++)
            {
                int ao = p * Stride + ty, bo = p * Stride + tx;
                float a0 = aTile[ao], a1 = aTile[ao + Threads], a2 = aTile[ao + 2 * Threads], a3 = aTile[ao + 3 * Threads];
                float b0 = bTile[bo], b1 = bTile[bo + Threads], b2 = bTile[bo + 2 * Threads], b3 = bTile[bo + 3 * Threads];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            Group.Barrier();
        }

        // Thread (tx, ty) owns rows ty + 16·r and columns tx + 16·s: neighbouring threads store neighbouring columns.
        int r0 = row0 + ty, s0 = col0 + tx;
        Store<TAct>(m, n, c, bias, accumulate, r0, s0, c00, c01, c02, c03);
        Store<TAct>(m, n, c, bias, accumulate, r0 + Threads, s0, c10, c11, c12, c13);
        Store<TAct>(m, n, c, bias, accumulate, r0 + 2 * Threads, s0, c20, c21, c22, c23);
        Store<TAct>(m, n, c, bias, accumulate, r0 + 3 * Threads, s0, c30, c31, c32, c33);
    }

    private static void Store<TAct>(int m, int n, ArrayView<float> c, ArrayView<float> bias, int accumulate, int row, int col0,
        float v0, float v1, float v2, float v3) where TAct : struct, IGpuActivation
    {
        if (row >= m) return;
        Store<TAct>(n, c, bias, accumulate, row, col0, v0);
        Store<TAct>(n, c, bias, accumulate, row, col0 + Threads, v1);
        Store<TAct>(n, c, bias, accumulate, row, col0 + 2 * Threads, v2);
        Store<TAct>(n, c, bias, accumulate, row, col0 + 3 * Threads, v3);
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
