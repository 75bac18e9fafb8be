using NetGen.Kernels.GemmCore;
using NetGen.Optimizers;

namespace NetGen.Kernels;

/// <summary>
/// The blocking of each of a <see cref="Dense"/> layer's three products (see <see cref="GemmTiling"/>; <c>default</c>
/// members are the driver's rules): the generated code passes what a tuning table chose for the layer.
/// </summary>
public readonly struct DenseTiling
{
    /// <summary>The forward product y = x·w (x row-major, w row-major; its epilogue adds the bias and applies the activation).</summary>
    public GemmTiling Forward { get; init; }

    /// <summary>The input-gradient product dx = dy·wᵀ (dy row-major, w read transposed; no epilogue).</summary>
    public GemmTiling InputGradient { get; init; }

    /// <summary>The weight-gradient product dw = xᵀ·dy (x read transposed, dy row-major; its epilogue may apply the optimizer's update).</summary>
    public GemmTiling WeightGradient { get; init; }
}

/// <summary>
/// Fully connected layer kernels. Weights are stored <c>[inputs, outputs]</c> so that the forward pass is a plain
/// A·B product; bias and activation are applied in the GEMM epilogue, on each output tile while it is in L1.
/// </summary>
public static unsafe class Dense
{
    /// <summary>y[b,n] = act(Σₖ x[b,k]·w[k,n] + bias[n]). <paramref name="bias"/> may be empty. The product is blocked as
    /// <paramref name="tiling"/>'s <see cref="DenseTiling.Forward"/> says (the default: the driver's rules; results differ
    /// from the rule's only within rounding, where its k-block differs).</summary>
    /// <exception cref="ArgumentException">The tiling cannot run the product (see <see cref="GemmTiling"/>), or a span is too short.</exception>
    public static void Forward<TAct>(int batch, int inputs, int outputs,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, DenseTiling tiling = default)
        where TAct : struct, IActivation
        => Forward<TAct>(batch, inputs, outputs, x, w, bias, y, Gemm.BestIsa, tiling);

    internal static void Forward<TAct>(int batch, int inputs, int outputs,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, GemmIsa isa, DenseTiling tiling = default)
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
                Tiling = tiling.Forward,
            }, isa);
    }

    /// <summary>
    /// Backward of <see cref="Forward{TAct}(int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, DenseTiling)"/>: first <c>dy ← dy ⊙ act′(y)</c> in place and
    /// <c>dbias = Σ_b dy</c> (skipped when empty) in one pass over dy, then <c>dx = dy·wᵀ</c> (skipped when empty, as for
    /// the first layer) and <c>dw = xᵀ·dy</c>, blocked as <paramref name="tiling"/>'s <see cref="DenseTiling.InputGradient"/>
    /// and <see cref="DenseTiling.WeightGradient"/> say (the default: the driver's rules).
    /// </summary>
    /// <exception cref="ArgumentException">A tiling cannot run its product (see <see cref="GemmTiling"/>), or a span is too short.</exception>
    public static void Backward<TAct>(int batch, int inputs, int outputs,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> y,
        Span<float> dy, Span<float> dw, Span<float> dbias, Span<float> dx, DenseTiling tiling = default)
        where TAct : struct, IActivation
        => Backward<TAct>(batch, inputs, outputs, x, w, y, dy, dw, dbias, dx, Gemm.BestIsa, tiling);

    internal static void Backward<TAct>(int batch, int inputs, int outputs,
        ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> y,
        Span<float> dy, Span<float> dw, Span<float> dbias, Span<float> dx, GemmIsa isa, DenseTiling tiling = default)
        where TAct : struct, IActivation
    {
        CheckShapes(batch, inputs, outputs, x, w, dbias, y);
        CheckGradients(batch, inputs, outputs, dy, dw, dx);
        fixed (float* px = x, pw = w, py = y, pdy = dy, pdw = dw, pdb = dbias, pdx = dx)
            Backward<TAct>(batch, inputs, outputs, px, pw, py, pdy, pdw, dbias.IsEmpty ? null : pdb, pdx, accumulateDx: false, null, 0, isa, tiling);
    }

    /// <summary>
    /// The backward pass of a layer whose parameters lie in a network's flat buffers, and the next step of
    /// <paramref name="optimizer"/> on them: the weight <c>[inputs, outputs]</c> at <paramref name="offset"/> of
    /// <paramref name="parameters"/>, then, with <paramref name="bias"/>, its <paramref name="outputs"/> biases; their
    /// gradients at the same places of <paramref name="gradients"/>. Computes what
    /// <see cref="Backward{TAct}(int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, Span{float}, Span{float}, Span{float}, DenseTiling)"/>
    /// does (with <paramref name="accumulateDx"/>, dx is added to instead of overwritten), then applies
    /// <see cref="Optimizer.UpdateRange"/> to the layer's parameters: bit for bit the same parameters and optimizer state.
    /// With SGD or Adam (<see cref="Optimizer.UpdatesBlocks"/>) the weight update runs in the epilogue of the
    /// weight-gradient product, on each sliver of rows of the gradient (12 with AVX-512) while it is in L1, so the weight gradient is
    /// never stored nor read back and the weights and optimizer state stream once, interleaved with the product (dx,
    /// which reads the weights, is computed first). The weight's entries of <paramref name="gradients"/> are then
    /// unspecified afterwards (the bias gradient is kept); with any other optimizer, or none, every gradient is written
    /// as by <c>Backward</c>. With no optimizer it is only the backward pass. dx and dw are blocked as
    /// <paramref name="tiling"/>'s <see cref="DenseTiling.InputGradient"/> and <see cref="DenseTiling.WeightGradient"/>
    /// say (the default: the driver's rules; the update stays in dw's epilogue whatever the tiling).
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short for the sizes, <paramref name="gradients"/> is not as long as
    /// <paramref name="parameters"/>, the optimizer was created for another parameter count, or a tiling cannot run its
    /// product (see <see cref="GemmTiling"/>; dw with an optimizer update cannot run transposed).</exception>
    public static void BackwardAndUpdate<TAct>(int batch, int inputs, int outputs,
        ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dy, Span<float> dx, bool accumulateDx,
        Span<float> parameters, Span<float> gradients, int offset, bool bias, Optimizer? optimizer, DenseTiling tiling = default)
        where TAct : struct, IActivation
        => BackwardAndUpdate<TAct>(batch, inputs, outputs, x, y, dy, dx, accumulateDx, parameters, gradients, offset, bias, optimizer, Gemm.BestIsa, tiling);

    internal static void BackwardAndUpdate<TAct>(int batch, int inputs, int outputs,
        ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dy, Span<float> dx, bool accumulateDx,
        Span<float> parameters, Span<float> gradients, int offset, bool bias, Optimizer? optimizer, GemmIsa isa, DenseTiling tiling = default)
        where TAct : struct, IActivation
    {
        if (gradients.Length != parameters.Length)
            throw new ArgumentException($"gradients has {gradients.Length} floats but parameters has {parameters.Length}; pass a network's Gradients and Parameters.", nameof(gradients));
        if (optimizer is not null && optimizer.ParameterCount != parameters.Length)
            throw new ArgumentException($"optimizer was created for {optimizer.ParameterCount} parameters but parameters has {parameters.Length}.", nameof(optimizer));
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        int weights = inputs * outputs, length = weights + (bias ? outputs : 0);
        if (inputs < 0 || outputs < 0 || (long)inputs * outputs + (bias ? outputs : 0) > parameters.Length - (long)offset)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"The layer's {inputs}×{outputs} weights{(bias ? " and biases" : "")} do not fit in {parameters.Length} parameters from this offset.");
        var w = parameters.Slice(offset, weights);
        var dw = gradients.Slice(offset, weights);
        var dbias = bias ? gradients.Slice(offset + weights, outputs) : default;
        CheckShapes(batch, inputs, outputs, x, w, dbias, y);
        CheckGradients(batch, inputs, outputs, dy, dw, dx);
        bool fused = optimizer is not null && optimizer.UpdatesBlocks;
        fixed (float* px = x, pw = w, py = y, pdy = dy, pdw = dw, pdb = dbias, pdx = dx)
            Backward<TAct>(batch, inputs, outputs, px, pw, py, pdy, pdw, bias ? pdb : null, pdx, accumulateDx, fused ? optimizer : null, offset, isa, tiling);
        if (optimizer is null) return;
        if (fused)
        {
            if (bias) optimizer.UpdateRange(parameters, gradients, offset + weights, outputs);
        }
        else optimizer.UpdateRange(parameters, gradients, offset, length);
    }

    /// <summary>The passes of both forms; <paramref name="update"/> (null for none) updates w, whose first element is
    /// parameter <paramref name="offset"/> of its flat buffer, in the epilogue of the dw product.</summary>
    private static void Backward<TAct>(int batch, int inputs, int outputs,
        float* x, float* w, float* y, float* dy, float* dw, float* dbias, float* dx, bool accumulateDx, Optimizer? update, int offset, GemmIsa isa, DenseTiling tiling)
        where TAct : struct, IActivation
    {
        int lanes = Gemm.Lanes(isa);
        if (typeof(TAct) != typeof(Identity) || dbias != null)
            Elementwise.DerivativeAndColumnSums<TAct>(dy, y, batch, outputs, dbias, lanes);
        // dx[b,i] (+)= Σ_o dy[b,o]·w[i,o]: w read as Bᵀ (packed panel by panel), before an update changes w.
        if (dx != null)
            Gemm.Run<Identity>(new GemmArgs
            {
                M = batch, N = inputs, K = outputs,
                A = dy, RsA = outputs, CsA = 1,
                B = w, RsB = 1, CsB = outputs,
                C = dx, Ldc = inputs, Accumulate = accumulateDx,
                Tiling = tiling.InputGradient,
            }, isa);
        // dw[i,o] = Σ_b x[b,i]·dy[b,o]: x read as Aᵀ in place; the optimizer's update of w sliver by sliver.
        Gemm.Run<Identity>(new GemmArgs
        {
            M = inputs, N = outputs, K = batch,
            A = x, RsA = 1, CsA = inputs,
            B = dy, RsB = outputs, CsB = 1,
            C = dw, Ldc = outputs,
            Update = update, UpdateParameters = w, UpdateOffset = offset,
            Tiling = tiling.WeightGradient,
        }, isa);
    }

    private static void CheckGradients(int batch, int inputs, int outputs, ReadOnlySpan<float> dy, ReadOnlySpan<float> dw, ReadOnlySpan<float> dx)
    {
        Gemm.CheckLength(dy, (long)batch * outputs, nameof(dy), "batch·outputs");
        Gemm.CheckLength(dw, (long)inputs * outputs, nameof(dw), "inputs·outputs");
        if (!dx.IsEmpty) Gemm.CheckLength(dx, (long)batch * inputs, nameof(dx), "batch·inputs");
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
