namespace NetGen.Kernels;

/// <summary>
/// Elman recurrent layer kernels (PyTorch's <c>nn.RNN</c> with tanh):
/// <c>h_t = tanh(x_t·W_ih + b_ih + h_{t−1}·W_hh + b_hh)</c>.
/// </summary>
/// <remarks>
/// <para>Layouts, batch outermost: x <c>[B, T, F]</c>; W_ih <c>[F, H]</c> and W_hh <c>[H, H]</c>, the transposes of
/// PyTorch's <c>weight_ih_l0 [H, F]</c> and <c>weight_hh_l0 [H, H]</c>; b_ih and b_hh <c>[H]</c> are PyTorch's
/// <c>bias_ih_l0</c> and <c>bias_hh_l0</c>, both kept so that checkpoints and gradients match PyTorch one to one.</para>
/// <para>The input projection of every step is one <c>[B·T, F] × [F, H]</c> GEMM, then <c>[B, H] × [H, H]</c> per step.
/// Saved for backward (caller-provided): <c>gates [B, T, H]</c> (the pre-activations; <see cref="Backward"/>
/// overwrites them with their gradients, so each Forward supports one Backward) and <c>hs [B, T, H]</c> (h_t, also
/// the layer's output when it returns sequences). Both passes need <c>scratch</c> of <see cref="ScratchLength"/>
/// floats. Nothing is allocated.</para>
/// </remarks>
public static class Rnn
{
    /// <summary>Floats of scratch <see cref="Forward"/> and <see cref="Backward"/> need: <c>3·batch·hidden</c>.</summary>
    public static int ScratchLength(int batch, int hidden) => 3 * batch * hidden;

    /// <summary>
    /// Runs the layer over the sequence (formula on <see cref="Rnn"/>) from <paramref name="h0"/> <c>[B, H]</c>, or
    /// zeros when it is empty (it must stay unchanged until <see cref="Backward"/>). Writes <paramref name="gates"/>
    /// and <paramref name="hs"/> and, when not empty, the final state to <paramref name="hLast"/> <c>[B, H]</c>: the
    /// output of a layer that returns only its last state, and what truncated backpropagation through time copies into
    /// h0 for the next batch after Backward (so it must not be the same buffer as h0).
    /// </summary>
    public static void Forward(int batch, int steps, int inputs, int hidden,
        ReadOnlySpan<float> x, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> h0, Span<float> gates, Span<float> hs, Span<float> hLast, Span<float> scratch)
    {
        const string kernel = "Rnn.Forward";
        int rows = batch * steps;
        Recurrent.RequireForward(kernel, batch, steps, inputs, hidden, hidden, wIh, wHh, bIh, bHh, h0, gates, hs, hLast,
            scratch, ScratchLength(batch, hidden));
        Recurrent.Require(x, rows * inputs, nameof(x), kernel);

        Recurrent.StartForward(batch, steps, inputs, hidden, hidden, x, wIh, h0, gates, scratch, out var recurrent, out var h);
        for (int t = 0; t < steps; t++)
        {
            Gemm.MatMul(batch, hidden, hidden, h, wHh, recurrent, accumulate: false);
            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                var z = gates.Slice(row * hidden, hidden);
                Elementwise.AddTo(z, recurrent.Slice(b * hidden, hidden));
                Elementwise.AddTo(z, bIh);
                Elementwise.AddTo(z, bHh);
                var hb = h.Slice(b * hidden, hidden);
                z.CopyTo(hb);
                Elementwise.Activate<Tanh>(hb);
                hb.CopyTo(hs.Slice(row * hidden, hidden));
            }
        }
        if (!hLast.IsEmpty) h.CopyTo(hLast);
    }

    /// <summary>
    /// Backpropagation through time over the buffers <see cref="Forward"/> saved (same x, weights, h0). The gradient
    /// of the loss arrives through <paramref name="dy"/> <c>[B, T, H]</c> (every step's output) and/or
    /// <paramref name="dhLast"/> <c>[B, H]</c> (the final state); empty spans count as zero. Per step, in reverse:
    /// <c>dz = dh ⊙ (1 − h_t²)</c>, <c>dh ← dz·W_hhᵀ</c>. Overwrites <paramref name="dwIh"/>, <paramref name="dwHh"/>,
    /// <paramref name="dbIh"/>, <paramref name="dbHh"/> and, when not empty, <paramref name="dx"/> <c>[B, T, F]</c>
    /// and <paramref name="dh0"/> <c>[B, H]</c>.
    /// </summary>
    public static void Backward(int batch, int steps, int inputs, int hidden,
        ReadOnlySpan<float> x, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> h0,
        Span<float> gates, ReadOnlySpan<float> hs, ReadOnlySpan<float> dy, ReadOnlySpan<float> dhLast,
        Span<float> dx, Span<float> dwIh, Span<float> dwHh, Span<float> dbIh, Span<float> dbHh,
        Span<float> dh0, Span<float> scratch)
    {
        const string kernel = "Rnn.Backward";
        int rows = batch * steps;
        Recurrent.RequireBackward(kernel, batch, steps, inputs, hidden, hidden, wIh, wHh, h0, gates, hs, dy, dhLast,
            dwIh, dwHh, dbIh, dbHh, dh0, scratch, ScratchLength(batch, hidden));
        Recurrent.Require(x, rows * inputs, nameof(x), kernel);
        Recurrent.RequireOptional(dx, rows * inputs, nameof(dx), kernel);

        Recurrent.StartBackward(batch, hidden, hidden, dhLast, dwHh, dbHh, scratch, out var dz, out var dh, out var hPrev);

        for (int t = steps - 1; t >= 0; t--)
        {
            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                var hb = hs.Slice(row * hidden, hidden);
                var dhb = dh.Slice(b * hidden, hidden);
                var dzb = dz.Slice(b * hidden, hidden);
                if (!dy.IsEmpty) Elementwise.AddTo(dhb, dy.Slice(row * hidden, hidden));
                StepBackward(hb, dhb, dzb);
                dzb.CopyTo(gates.Slice(row * hidden, hidden));
            }
            Recurrent.GatherPrevious(hs, h0, hPrev, t, batch, steps, hidden);
            Recurrent.HiddenGradients(batch, hidden, hidden, hPrev, dz, wHh, dwHh, dbHh, dh, accumulateDh: false);
        }
        if (!dh0.IsEmpty) dh.CopyTo(dh0);
        Recurrent.InputGradients(rows, inputs, hidden, x, wIh, gates, dwIh, dbIh, dx);
    }

    // dz = dh ⊙ (1 − h²), tanh′ written through its output.
    private static void StepBackward(ReadOnlySpan<float> h, ReadOnlySpan<float> dh, Span<float> dz)
    {
        int j = 0, n = dz.Length;
        if (Recurrent.Vectorized)
            for (; j <= n - 8; j += 8)
                Recurrent.Store(Recurrent.Load(dh, j) * Tanh.Derivative(Recurrent.Load(h, j)), dz, j);
        for (; j < n; j++) dz[j] = dh[j] * Tanh.Derivative(h[j]);
    }

    /// <summary>PyTorch's initialisation: every weight and bias U(−1/√H, 1/√H).</summary>
    public static void Initialize(int hidden, Span<float> wIh, Span<float> wHh, Span<float> bIh, Span<float> bHh, ref Rng rng) =>
        Recurrent.InitializeUniform(hidden, wIh, wHh, bIh, bHh, ref rng);
}
