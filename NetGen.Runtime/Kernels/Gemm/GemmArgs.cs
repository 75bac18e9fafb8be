using NetGen.Optimizers;

namespace NetGen.Kernels.GemmCore;

/// <summary>
/// One product C[m,n] (+)= A·B, then C = act(C + bias) when the caller's epilogue asks for it. Operands are
/// addressed through strides, so the transposed forms need no copies: A(i,p) = A[i·RsA + p·CsA],
/// B(p,j) = B[p·RsB + j·CsB], C(i,j) = C[i·Ldc + j], or C(i,j) = C[j·Ldc + i] with <see cref="TransposeC"/>.
/// </summary>
internal unsafe struct GemmArgs
{
    public int M, N, K;
    public float* A;
    public nint RsA, CsA;
    public float* B;
    public nint RsB, CsB;
    public float* C;
    public nint Ldc;
    /// <summary>Per-column bias added before the activation; null for none.</summary>
    public float* Bias;
    public bool Accumulate;
    /// <summary>C is stored transposed (see <see cref="Transposed"/>); such a product has no bias, activation or update.</summary>
    public bool TransposeC;
    /// <summary>
    /// The optimizer whose next-step update the epilogue applies (with <see cref="Optimizer.UpdateBlock"/>) to each
    /// finished block of the product while it is in L1; null for none. The product is then the gradient of parameters
    /// laid out like C: C(i,j) is the gradient of <c>UpdateParameters[i·Ldc + j]</c>, the parameter of index
    /// <c>UpdateOffset + i·Ldc + j</c> in the optimizer's flat buffers. Only with <see cref="Optimizer.UpdatesBlocks"/>.
    /// C's contents afterwards are unspecified: the driver does not write C when the product is one k-block without
    /// <see cref="Accumulate"/> (it keeps each sliver in scratch instead), and writes the gradient otherwise.
    /// </summary>
    public Optimizer? Update;
    /// <summary>The parameter whose gradient is C(0,0) (see <see cref="Update"/>).</summary>
    public float* UpdateParameters;
    /// <summary>Its index in the optimizer's flat parameter and state buffers.</summary>
    public nint UpdateOffset;
    /// <summary>The blocking to run with (<c>default</c>: the driver's rules); checked by <see cref="Gemm"/> before the run.</summary>
    public GemmTiling Tiling;

    /// <summary>Applies <see cref="Update"/> to the finished rows×columns block of the product at (i0, j0), read from
    /// <paramref name="gradients"/> (C itself, or a sliver in scratch) with row stride <paramref name="gradientStride"/>.</summary>
    public readonly void UpdateBlock(int i0, int j0, int rows, int columns, float* gradients, nint gradientStride)
    {
        nint at = i0 * Ldc + j0;
        Update!.UpdateBlock(UpdateParameters + at, UpdateOffset + at, rows, columns, Ldc, gradients, gradientStride);
    }

    /// <summary>
    /// The same result computed as Cᵀ = Bᵀ·Aᵀ: the operands swap roles (no data moves) and C is written transposed,
    /// so a transposed B becomes a row-major A read in place and the smaller A is the one packed.
    /// </summary>
    public readonly GemmArgs Transposed() => new()
    {
        M = N, N = M, K = K,
        A = B, RsA = CsB, CsA = RsB,
        B = A, RsB = CsA, CsB = RsA,
        C = C, Ldc = Ldc, Accumulate = Accumulate, TransposeC = !TransposeC, Tiling = Tiling,
    };

    /// <summary>The sub-product on columns [j0, j0 + n).</summary>
    public readonly GemmArgs Columns(int j0, int n)
    {
        var s = this;
        s.N = n;
        s.B += j0 * CsB;
        s.C += TransposeC ? j0 * Ldc : j0;
        if (Bias != null) s.Bias += j0;
        s.UpdateParameters += j0;
        s.UpdateOffset += j0;
        return s;
    }

    /// <summary>The sub-product on rows [i0, i0 + m).</summary>
    public readonly GemmArgs Rows(int i0, int m)
    {
        var s = this;
        s.M = m;
        s.A += i0 * RsA;
        s.C += TransposeC ? i0 : i0 * Ldc;
        s.UpdateParameters += i0 * Ldc;
        s.UpdateOffset += i0 * Ldc;
        return s;
    }
}
