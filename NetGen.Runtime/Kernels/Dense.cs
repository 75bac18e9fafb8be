namespace NetGen.Kernels;

/// <summary>
/// Fully connected layer kernels. Weights are stored <c>[inputs, outputs]</c> so that the forward pass is a plain
/// A·B product; bias and activation are applied in the same pass over the output.
/// </summary>
public static class Dense
{
    /// <summary>y[b,n] = act(Σₖ x[b,k]·w[k,n] + bias[n]). <paramref name="bias"/> may be empty.</summary>
    public static void Forward<TAct>(int batch, int inputs, int outputs,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y)
        where TAct : struct, IActivation
    {
        Gemm.MatMul(batch, outputs, inputs, x, w, y, accumulate: false);
        for (int b = 0; b < batch; b++)
        {
            var yb = y.Slice(b * outputs, outputs);
            for (int j = 0; j < outputs; j++)
                yb[j] = TAct.Apply(bias.IsEmpty ? yb[j] : yb[j] + bias[j]);
        }
    }

    /// <summary>
    /// Backward of <see cref="Forward{TAct}"/>: first <c>dy ← dy ⊙ act′(y)</c> in place, then
    /// <c>dw = xᵀ·dy</c>, <c>dbias = Σ_b dy</c> (skipped when empty), and <c>dx = dy·wᵀ</c> (skipped when empty,
    /// as for the first layer).
    /// </summary>
    public static void Backward<TAct>(int batch, int inputs, int outputs,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> y,
        Span<float> dy, Span<float> dw, Span<float> dbias, Span<float> dx)
        where TAct : struct, IActivation
    {
        int count = batch * outputs;
        if (typeof(TAct) != typeof(Identity))
            for (int i = 0; i < count; i++) dy[i] *= TAct.Derivative(y[i]);
        Gemm.MatMulTransA(inputs, outputs, batch, x, dy, dw, accumulate: false);
        if (!dbias.IsEmpty)
        {
            dbias.Slice(0, outputs).Clear();
            for (int b = 0; b < batch; b++)
            {
                var dyb = dy.Slice(b * outputs, outputs);
                for (int j = 0; j < outputs; j++) dbias[j] += dyb[j];
            }
        }
        if (!dx.IsEmpty) Gemm.MatMulTransB(batch, inputs, outputs, dy, w, dx, accumulate: false);
    }
}
