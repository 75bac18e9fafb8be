using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NetGen.Kernels.GemmCore;

namespace NetGen.Kernels;

/// <summary>Which micro-kernel family runs a product (internal so tests can force the narrower paths).</summary>
internal enum GemmIsa
{
    /// <summary>One dot product per element; the fallback without 128-bit vectors with fused multiply-add.</summary>
    Scalar,
    /// <summary>8×8 micro-kernel of 128-bit vectors (tiles of 1–8 rows): ARM64's NEON, or x86-64 with FMA but not AVX2.</summary>
    Vector128,
    /// <summary>6×16 ymm micro-kernel (tiles of 1–6 rows).</summary>
    Vector256,
    /// <summary>12×32 zmm micro-kernel (tiles of 1–12 rows).</summary>
    Vector512,
}

/// <summary>
/// Single-precision matrix products on dense row-major matrices, the three forms backward needs.
/// Every form writes <c>C = A·B</c> (or adds it to C when <c>accumulate</c> is true). Register-tiled AVX-512 or
/// AVX2 micro-kernels, no transposing copies of whole operands, large products split over
/// <see cref="Threading.MaxThreads"/> threads; no allocation per call.
/// </summary>
public static unsafe class Gemm
{
    /// <summary>The widest path this machine accelerates.</summary>
    internal static readonly GemmIsa BestIsa =
        Vector512.IsHardwareAccelerated ? GemmIsa.Vector512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? GemmIsa.Vector256
        : Lanes4.IsAccelerated ? GemmIsa.Vector128
        : GemmIsa.Scalar;

    /// <summary>The element-wise width that goes with <paramref name="isa"/>'s products: 16, 8, 4 or 1 lanes.</summary>
    internal static int Lanes(GemmIsa isa) =>
        isa switch { GemmIsa.Vector512 => 16, GemmIsa.Vector256 => 8, GemmIsa.Vector128 => 4, _ => 1 };

    /// <summary>The instruction set the products run on (the same as <see cref="Conv2D.Isa"/>): what the generated code
    /// compares a tuning table's entries with.</summary>
    public static VectorIsa Isa => Conv2D.Isa;

    /// <summary>Products with fewer multiply-adds (≈10 µs of one core) stay on the calling thread.</summary>
    internal const long ParallelThreshold = 1L << 21;

    /// <summary>C[m,n] (+)= A[m,k] · B[k,n].</summary>
    public static void MatMul(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
        => MatMul(m, n, k, a, b, c, accumulate, BestIsa);

    /// <summary>C[m,n] (+)= Aᵀ · B, where A is stored as [k,m].</summary>
    public static void MatMulTransA(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
        => MatMulTransA(m, n, k, a, b, c, accumulate, BestIsa);

    /// <summary>C[m,n] (+)= A · Bᵀ, where B is stored as [n,k].</summary>
    public static void MatMulTransB(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate)
        => MatMulTransB(m, n, k, a, b, c, accumulate, BestIsa);

    /// <summary><see cref="MatMul(int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, bool)"/> blocked as
    /// <paramref name="tiling"/> says.</summary>
    /// <exception cref="ArgumentException">The tiling cannot run the product (see <see cref="GemmTiling"/>), or a span is too short.</exception>
    public static void MatMul(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate, GemmTiling tiling)
        => MatMul(m, n, k, a, b, c, accumulate, BestIsa, tiling);

    /// <summary><see cref="MatMulTransA(int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, bool)"/> blocked as
    /// <paramref name="tiling"/> says.</summary>
    /// <exception cref="ArgumentException">The tiling cannot run the product (see <see cref="GemmTiling"/>), or a span is too short.</exception>
    public static void MatMulTransA(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate, GemmTiling tiling)
        => MatMulTransA(m, n, k, a, b, c, accumulate, BestIsa, tiling);

    /// <summary><see cref="MatMulTransB(int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, bool)"/> blocked as
    /// <paramref name="tiling"/> says.</summary>
    /// <exception cref="ArgumentException">The tiling cannot run the product (see <see cref="GemmTiling"/>), or a span is too short.</exception>
    public static void MatMulTransB(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate, GemmTiling tiling)
        => MatMulTransB(m, n, k, a, b, c, accumulate, BestIsa, tiling);

    internal static void MatMul(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate, GemmIsa isa, GemmTiling tiling = default)
    {
        CheckShapes(m, n, k, a, b, c);
        fixed (float* pa = a, pb = b, pc = c)
            Run<Identity>(new GemmArgs { M = m, N = n, K = k, A = pa, RsA = k, CsA = 1, B = pb, RsB = n, CsB = 1, C = pc, Ldc = n, Accumulate = accumulate, Tiling = tiling }, isa);
    }

    internal static void MatMulTransA(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate, GemmIsa isa, GemmTiling tiling = default)
    {
        CheckShapes(m, n, k, a, b, c);
        fixed (float* pa = a, pb = b, pc = c)
            Run<Identity>(new GemmArgs { M = m, N = n, K = k, A = pa, RsA = 1, CsA = m, B = pb, RsB = n, CsB = 1, C = pc, Ldc = n, Accumulate = accumulate, Tiling = tiling }, isa);
    }

    internal static void MatMulTransB(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, bool accumulate, GemmIsa isa, GemmTiling tiling = default)
    {
        CheckShapes(m, n, k, a, b, c);
        fixed (float* pa = a, pb = b, pc = c)
            Run<Identity>(new GemmArgs { M = m, N = n, K = k, A = pa, RsA = k, CsA = 1, B = pb, RsB = 1, CsB = k, C = pc, Ldc = n, Accumulate = accumulate, Tiling = tiling }, isa);
    }

    /// <summary>Runs one strided product with its epilogue on the chosen path, threaded when it is large enough, unless
    /// <paramref name="onCaller"/> (a part of a job already running on the worker pool, which must not take it again).</summary>
    /// <exception cref="ArgumentException">The product's tiling cannot run it (<see cref="GemmRules.Unsupported"/>).</exception>
    internal static void Run<TAct>(in GemmArgs g, GemmIsa isa, bool onCaller = false) where TAct : struct, IActivation
    {
        if (!g.Tiling.IsRule) Check(g, HasEpilogue<TAct>(g));
        // Once, on the calling thread, before any block (possibly on a worker) is updated.
        g.Update?.BeginBlocks();
        switch (isa)
        {
            case GemmIsa.Vector512: Run<Vector512Kernel, TAct>(g, onCaller); break;
            case GemmIsa.Vector256: Run<Vector256Kernel, TAct>(g, onCaller); break;
            case GemmIsa.Vector128: Run<Vector128Kernel, TAct>(g, onCaller); break;
            default: ScalarGemm.Run<TAct>(g); break;
        }
    }

    private static void Run<TKernel, TAct>(in GemmArgs g, bool onCaller)
        where TKernel : struct, IMicroKernel
        where TAct : struct, IActivation
    {
        if (SkinnyGemm.TryRun<TAct>(g, TKernel.Lanes))
        {
            // A few rows: the optimizer's update after the whole product (C is a few rows, still in L1).
            if (g.Update != null) g.UpdateBlock(0, 0, g.M, g.N, g.C, g.Ldc);
            return;
        }
        var run = Transposes(g, HasEpilogue<TAct>(g)) ? g.Transposed() : g;
        int threads = onCaller ? 1 : Threading.Available;
        if (threads > 1 && (long)g.M * g.N * g.K >= ParallelThreshold && GemmJob<TKernel, TAct>.TryRun(run, threads)) return;
        GemmDriver.Run<TKernel, TAct>(run);
    }

    private static bool HasEpilogue<TAct>(in GemmArgs g) where TAct : struct, IActivation =>
        typeof(TAct) != typeof(Identity) || g.Bias != null || g.Update != null;

    /// <summary>Throws an <see cref="ArgumentException"/> saying why, where <paramref name="g"/>'s tiling cannot run it.</summary>
    private static void Check(in GemmArgs g, bool epilogue)
    {
        var t = g.Tiling;
        string? why = GemmRules.Unsupported(t.KC, t.NC, (int)t.Order, (int)t.A, (int)t.B, (int)t.Transposition,
            aColumnsContiguous: g.RsA == 1, bRowsContiguous: g.CsB == 1, epilogue);
        if (why is not null) throw new ArgumentException("The tiling " + t + " cannot run this product: " + why + ".", "tiling");
    }

    /// <summary>
    /// Whether the product runs as (B·Aᵀ)ᵀ: as its tiling says, and by the rule where that is the rule's. The rule
    /// transposes A·Bᵀ with a row-major A when the packing then transposes A (m·k floats) and each tile of C (m·n per
    /// k-block, about three times the cost per float: measured) instead of B (n·k). That pays for few rows and a long
    /// k: the char-LSTM's 32×512·(128×512)ᵀ ran 20% faster, 64×256·(784×256)ᵀ 10%, while 64×128·(256×128)ᵀ ran 8% slower
    /// and stays as it is. Only without an epilogue (bias and activation are per column of C, an optimizer update per
    /// tile of C), and not where the tiling reads B in place.
    /// </summary>
    private static bool Transposes(in GemmArgs g, bool epilogue)
    {
        var t = g.Tiling;
        if (t.Transposition != GemmTransposition.Rule) return t.Transposition == GemmTransposition.Transposed;
        return !epilogue && t.B != GemmOperand.InPlace && g.CsB != 1 && g.CsA == 1 && g.RsB == 1
            && (long)g.M * g.K + 3L * g.M * g.N * ((g.K + t.BlockK - 1) / t.BlockK) < (long)g.N * g.K;
    }

    /// <summary>Throws unless the sizes are non-negative and a, b, c hold at least m·k, k·n and m·n floats.</summary>
    internal static void CheckShapes(int m, int n, int k, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c)
    {
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, "Matrix sizes must be non-negative.");
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "Matrix sizes must be non-negative.");
        if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "Matrix sizes must be non-negative.");
        CheckLength(a, (long)m * k, nameof(a), "m·k");
        CheckLength(b, (long)k * n, nameof(b), "k·n");
        CheckLength(c, (long)m * n, nameof(c), "m·n");
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="name"/> when it holds fewer than <paramref name="needed"/> floats.</summary>
    internal static void CheckLength(ReadOnlySpan<float> span, long needed, string name, string formula)
    {
        if (span.Length < needed)
            throw new ArgumentException($"Span '{name}' has {span.Length} elements but {formula} = {needed} are needed; size the buffer for the sizes passed alongside it.", name);
    }
}
