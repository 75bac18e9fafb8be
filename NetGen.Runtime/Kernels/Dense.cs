using NetGen.Kernels.GemmCore;

namespace NetGen.Kernels;

/// <summary>
/// Fully connected layer kernels. Weights are stored <c>[inputs, outputs]</c> so that the forward pass is a plain
/// A·B product; bias and activation are applied in the GEMM epilogue, on each output tile while it is in L1.
/// </summary>
public static unsafe class Dense
{
    /// <summary>y[b,n] = act(Σₖ x[b,k]·w[k,n] + bias[n]). <paramref name="bias"/> may be empty.</summary>
    public static void Forward<TAct>(int batch, int inputs, int outputs,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y)
        where TAct : struct, IActivation
        => Forward<TAct>(batch, inputs, outputs, x, w, bias, y, Gemm.BestIsa);

    internal static void Forward<TAct>(int batch, int inputs, int outputs,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, GemmIsa isa)
        where TAct : struct, IActivation
    {
        CheckShapes(batch, inputs, outputs, x, w, bias, y);
        fixed (float* px = x, pw = w, pb = bias, py = y)
            Gemm.Run<TAct>(new GemmArgs
            {
                M = batch, N = outputs, K = inputs,
                A = px, RsA = inputs, CsA = 1,
                B = pw, RsB = outputs, CsB = 1,
                C = py, Ldc = outputs,
                Bias = bias.IsEmpty ? null : pb,
            }, isa);
    }

    /// <summary>
    /// Backward of <see cref="Forward{TAct}(int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>: first <c>dy ← dy ⊙ act′(y)</c> in place and
    /// <c>dbias = Σ_b dy</c> (skipped when empty) in one pass over dy, then <c>dw = xᵀ·dy</c> and <c>dx = dy·wᵀ</c>
    /// (skipped when empty, as for the first layer).
    /// </summary>
    public static void Backward<TAct>(int batch, int inputs, int outputs,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> y,
        Span<float> dy, Span<float> dw, Span<float> dbias, Span<float> dx)
        where TAct : struct, IActivation
        => Backward<TAct>(batch, inputs, outputs, x, w, y, dy, dw, dbias, dx, Gemm.BestIsa);

    internal static void Backward<TAct>(int batch, int inputs, int outputs,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> y,
        Span<float> dy, Span<float> dw, Span<float> dbias, Span<float> dx, GemmIsa isa)
        where TAct : struct, IActivation
    {
        CheckShapes(batch, inputs, outputs, x, w, dbias, y);
        Gemm.CheckLength(dy, (long)batch * outputs, nameof(dy), "batch·outputs");
        Gemm.CheckLength(dw, (long)inputs * outputs, nameof(dw), "inputs·outputs");
        if (!dx.IsEmpty) Gemm.CheckLength(dx, (long)batch * inputs, nameof(dx), "batch·inputs");
        int lanes = isa switch { GemmIsa.Vector512 => 16, GemmIsa.Vector256 => 8, _ => 1 };
        fixed (float* px = x, pw = w, py = y, pdy = dy, pdw = dw, pdb = dbias, pdx = dx)
        {
            if (typeof(TAct) != typeof(Identity) || !dbias.IsEmpty)
                Elementwise.DerivativeAndColumnSums<TAct>(pdy, py, batch, outputs, dbias.IsEmpty ? null : pdb, lanes);
            // dw[i,o] = Σ_b x[b,i]·dy[b,o]: x read as Aᵀ in place.
            Gemm.Run<Identity>(new GemmArgs
            {
                M = inputs, N = outputs, K = batch,
                A = px, RsA = 1, CsA = inputs,
                B = pdy, RsB = outputs, CsB = 1,
                C = pdw, Ldc = outputs,
            }, isa);
            // dx[b,i] = Σ_o dy[b,o]·w[i,o]: w read as Bᵀ (packed panel by panel).
            if (!dx.IsEmpty)
                Gemm.Run<Identity>(new GemmArgs
                {
                    M = batch, N = inputs, K = outputs,
                    A = pdy, RsA = outputs, CsA = 1,
                    B = pw, RsB = 1, CsB = outputs,
                    C = pdx, Ldc = inputs,
                }, isa);
        }
    }

    private static void CheckShapes(int batch, int inputs, int outputs,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, ReadOnlySpan<float> y)
    {
        if (batch < 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch size must be non-negative.");
        if (inputs < 0) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "The input count must be non-negative.");
        if (outputs < 0) throw new ArgumentOutOfRangeException(nameof(outputs), outputs, "The output count must be non-negative.");
        Gemm.CheckLength(x, (long)batch * inputs, nameof(x), "batch·inputs");
        Gemm.CheckLength(w, (long)inputs * outputs, nameof(w), "inputs·outputs");
        if (!bias.IsEmpty) Gemm.CheckLength(bias, outputs, nameof(bias), "outputs (or pass an empty span for no bias)");
        Gemm.CheckLength(y, (long)batch * outputs, nameof(y), "batch·outputs");
    }
}
