using System.Runtime.Intrinsics;

namespace NetGen.Kernels;

/// <summary>
/// Long short-term memory kernels with PyTorch's gate order and semantics. With
/// <c>z_t = x_t·W_ih + b_ih + h_{t−1}·W_hh + b_hh</c> split into blocks <c>[i, f, g, o]</c> of width H:
/// <c>i = σ(z_i)</c>, <c>f = σ(z_f)</c>, <c>g = tanh(z_g)</c>, <c>o = σ(z_o)</c>, <c>c_t = f ⊙ c_{t−1} + i ⊙ g</c>,
/// <c>h_t = o ⊙ tanh(c_t)</c>.
/// </summary>
/// <remarks>
/// <para>Layouts, batch outermost: x <c>[B, T, F]</c>; W_ih <c>[F, 4H]</c> and W_hh <c>[H, 4H]</c>, the transposes of
/// PyTorch's <c>weight_ih_l0 [4H, F]</c> and <c>weight_hh_l0 [4H, H]</c> (column j here is row j there, gate blocks in
/// the same order), like Dense's <c>[in, out]</c>; b_ih and b_hh <c>[4H]</c> are PyTorch's <c>bias_ih_l0</c> and
/// <c>bias_hh_l0</c>, both kept so that checkpoints and gradients match PyTorch one to one.</para>
/// <para>All four gates come from one product per step: the input projection of every step at once as one
/// <c>[B·T, F] × [F, 4H]</c> GEMM, then <c>[B, H] × [H, 4H]</c> per step.</para>
/// <para>Saved for backward (caller-provided, written by <see cref="Forward"/>): <c>gates [B, T, 4H]</c> (the gate
/// values i, f, g, o), <c>cells [B, T, H]</c> (c_t) and <c>hs [B, T, H]</c> (h_t, which is also the layer's output
/// when it returns sequences). <see cref="Backward"/> overwrites <c>gates</c> with the pre-activation gradients, so
/// each Forward supports one Backward. Both need <c>scratch</c> of <see cref="ScratchLength"/> floats. Nothing is
/// allocated.</para>
/// </remarks>
public static class Lstm
{
    /// <summary>Gate blocks per step: i, f, g, o.</summary>
    public const int Gates = 4;

    /// <summary>Floats of scratch <see cref="Forward"/> and <see cref="Backward"/> need: <c>7·batch·hidden</c>.</summary>
    public static int ScratchLength(int batch, int hidden) => 7 * batch * hidden;

    /// <summary>
    /// Runs the layer over the sequence (formulas on <see cref="Lstm"/>). Initial state <paramref name="h0"/> and
    /// <paramref name="c0"/> <c>[B, H]</c>, or zeros when empty; they must stay unchanged until <see cref="Backward"/>.
    /// Writes <paramref name="gates"/>, <paramref name="cells"/> and <paramref name="hs"/> (see remarks) and, when not
    /// empty, the final state to <paramref name="hLast"/> and <paramref name="cLast"/> <c>[B, H]</c>: the output of a
    /// layer that returns only its last state, and what truncated backpropagation through time copies into h0 and c0
    /// for the next batch after Backward (so they must not be the same buffers as h0 and c0).
    /// </summary>
    public static void Forward(int batch, int steps, int inputs, int hidden,
        ReadOnlySpan<float> x, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        Span<float> gates, Span<float> cells, Span<float> hs, Span<float> hLast, Span<float> cLast, Span<float> scratch)
    {
        const string kernel = "Lstm.Forward";
        int width = Gates * hidden, bh = batch * hidden, rows = batch * steps;
        Recurrent.RequireSizes(batch, steps, inputs, hidden, kernel);
        Recurrent.Require(x, rows * inputs, nameof(x), kernel);
        Recurrent.Require(wIh, inputs * width, nameof(wIh), kernel);
        Recurrent.Require(wHh, hidden * width, nameof(wHh), kernel);
        Recurrent.Require(bIh, width, nameof(bIh), kernel);
        Recurrent.Require(bHh, width, nameof(bHh), kernel);
        Recurrent.RequireOptional(h0, bh, nameof(h0), kernel);
        Recurrent.RequireOptional(c0, bh, nameof(c0), kernel);
        Recurrent.Require(gates, rows * width, nameof(gates), kernel);
        Recurrent.Require(cells, rows * hidden, nameof(cells), kernel);
        Recurrent.Require(hs, rows * hidden, nameof(hs), kernel);
        Recurrent.RequireOptional(hLast, bh, nameof(hLast), kernel);
        Recurrent.RequireOptional(cLast, bh, nameof(cLast), kernel);
        Recurrent.Require(scratch, ScratchLength(batch, hidden), nameof(scratch), kernel);

        var recurrent = scratch.Slice(0, batch * width);
        var h = scratch.Slice(batch * width, bh);
        var c = scratch.Slice(batch * width + bh, bh);
        Recurrent.LoadState(h0, h, bh);
        Recurrent.LoadState(c0, c, bh);

        Gemm.MatMul(rows, width, inputs, x, wIh, gates, accumulate: false);
        for (int t = 0; t < steps; t++)
        {
            Gemm.MatMul(batch, width, hidden, h, wHh, recurrent, accumulate: false);
            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                var z = gates.Slice(row * width, width);
                Elementwise.AddTo(z, recurrent.Slice(b * width, width));
                Elementwise.AddTo(z, bIh);
                Elementwise.AddTo(z, bHh);
                Elementwise.Activate<Sigmoid>(z.Slice(0, 2 * hidden));
                Elementwise.Activate<Tanh>(z.Slice(2 * hidden, hidden));
                Elementwise.Activate<Sigmoid>(z.Slice(3 * hidden, hidden));

                var cb = c.Slice(b * hidden, hidden);
                var hb = h.Slice(b * hidden, hidden);
                UpdateState(hidden, z, cb, hb);
                cb.CopyTo(cells.Slice(row * hidden, hidden));
                hb.CopyTo(hs.Slice(row * hidden, hidden));
            }
        }
        if (!hLast.IsEmpty) h.CopyTo(hLast);
        if (!cLast.IsEmpty) c.CopyTo(cLast);
    }

    /// <summary>
    /// Backpropagation through time over the buffers <see cref="Forward"/> saved (same x, weights, h0, c0).
    /// The gradient of the loss reaches the layer through <paramref name="dy"/> <c>[B, T, H]</c> (every step's output,
    /// when the layer returns sequences) and/or <paramref name="dhLast"/>, <paramref name="dcLast"/> <c>[B, H]</c> (the
    /// final state); empty spans count as zero. Overwrites <paramref name="dwIh"/>, <paramref name="dwHh"/>,
    /// <paramref name="dbIh"/>, <paramref name="dbHh"/> and, when not empty, <paramref name="dx"/> <c>[B, T, F]</c>
    /// and the initial-state gradients <paramref name="dh0"/>, <paramref name="dc0"/> <c>[B, H]</c>. Per step, in
    /// reverse: <c>dc ← dc + dh ⊙ o ⊙ (1 − tanh² c_t)</c>, <c>dz_i = dc ⊙ g ⊙ i(1−i)</c>,
    /// <c>dz_f = dc ⊙ c_{t−1} ⊙ f(1−f)</c>, <c>dz_g = dc ⊙ i ⊙ (1−g²)</c>, <c>dz_o = dh ⊙ tanh c_t ⊙ o(1−o)</c>, then
    /// <c>dc ← dc ⊙ f</c> and <c>dh ← dz·W_hhᵀ</c>.
    /// </summary>
    public static void Backward(int batch, int steps, int inputs, int hidden,
        ReadOnlySpan<float> x, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        Span<float> gates, ReadOnlySpan<float> cells, ReadOnlySpan<float> hs,
        ReadOnlySpan<float> dy, ReadOnlySpan<float> dhLast, ReadOnlySpan<float> dcLast,
        Span<float> dx, Span<float> dwIh, Span<float> dwHh, Span<float> dbIh, Span<float> dbHh,
        Span<float> dh0, Span<float> dc0, Span<float> scratch)
    {
        const string kernel = "Lstm.Backward";
        int width = Gates * hidden, bh = batch * hidden, rows = batch * steps;
        Recurrent.RequireSizes(batch, steps, inputs, hidden, kernel);
        Recurrent.Require(x, rows * inputs, nameof(x), kernel);
        Recurrent.Require(wIh, inputs * width, nameof(wIh), kernel);
        Recurrent.Require(wHh, hidden * width, nameof(wHh), kernel);
        Recurrent.RequireOptional(h0, bh, nameof(h0), kernel);
        Recurrent.RequireOptional(c0, bh, nameof(c0), kernel);
        Recurrent.Require(gates, rows * width, nameof(gates), kernel);
        Recurrent.Require(cells, rows * hidden, nameof(cells), kernel);
        Recurrent.Require(hs, rows * hidden, nameof(hs), kernel);
        Recurrent.RequireOptional(dy, rows * hidden, nameof(dy), kernel);
        Recurrent.RequireOptional(dhLast, bh, nameof(dhLast), kernel);
        Recurrent.RequireOptional(dcLast, bh, nameof(dcLast), kernel);
        Recurrent.RequireOptional(dx, rows * inputs, nameof(dx), kernel);
        Recurrent.Require(dwIh, inputs * width, nameof(dwIh), kernel);
        Recurrent.Require(dwHh, hidden * width, nameof(dwHh), kernel);
        Recurrent.Require(dbIh, width, nameof(dbIh), kernel);
        Recurrent.Require(dbHh, width, nameof(dbHh), kernel);
        Recurrent.RequireOptional(dh0, bh, nameof(dh0), kernel);
        Recurrent.RequireOptional(dc0, bh, nameof(dc0), kernel);
        Recurrent.Require(scratch, ScratchLength(batch, hidden), nameof(scratch), kernel);

        var dz = scratch.Slice(0, batch * width);
        var dh = scratch.Slice(batch * width, bh);
        var dc = scratch.Slice(batch * width + bh, bh);
        var hPrev = scratch.Slice(batch * width + 2 * bh, bh);
        Recurrent.LoadState(dhLast, dh, bh);
        Recurrent.LoadState(dcLast, dc, bh);
        dwHh.Slice(0, hidden * width).Clear();
        dbHh.Slice(0, width).Clear();

        for (int t = steps - 1; t >= 0; t--)
        {
            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                var z = gates.Slice(row * width, width);
                var cell = cells.Slice(row * hidden, hidden);
                var cPrev = Recurrent.Previous(cells, c0, b, t, steps, hidden);
                var dhb = dh.Slice(b * hidden, hidden);
                var dcb = dc.Slice(b * hidden, hidden);
                var dzb = dz.Slice(b * width, width);
                if (!dy.IsEmpty) Elementwise.AddTo(dhb, dy.Slice(row * hidden, hidden));
                StepBackward(hidden, z, cell, cPrev, dhb, dcb, dzb);
                dzb.CopyTo(z);
            }
            Recurrent.GatherPrevious(hs, h0, hPrev, t, batch, steps, hidden);
            Recurrent.HiddenGradients(batch, hidden, width, hPrev, dz, wHh, dwHh, dbHh, dh, accumulateDh: false);
        }
        if (!dh0.IsEmpty) dh.CopyTo(dh0);
        if (!dc0.IsEmpty) dc.CopyTo(dc0);
        Recurrent.InputGradients(rows, inputs, width, x, wIh, gates, dwIh, dbIh, dx);
    }

    // One sample's state update from its gate row [i, f, g, o]: c ← f ⊙ c + i ⊙ g, h ← o ⊙ tanh c.
    private static void UpdateState(int hidden, ReadOnlySpan<float> z, Span<float> c, Span<float> h)
    {
        var i = z.Slice(0, hidden);
        var f = z.Slice(hidden, hidden);
        var g = z.Slice(2 * hidden, hidden);
        var o = z.Slice(3 * hidden, hidden);
        int j = 0;
        if (Recurrent.Vectorized)
            for (; j <= hidden - 8; j += 8)
            {
                var cv = Recurrent.Load(f, j) * Recurrent.Load(c, j) + Recurrent.Load(i, j) * Recurrent.Load(g, j);
                Recurrent.Store(cv, c, j);
                Recurrent.Store(Recurrent.Load(o, j) * Tanh.Apply(cv), h, j);
            }
        for (; j < hidden; j++)
        {
            c[j] = f[j] * c[j] + i[j] * g[j];
            h[j] = o[j] * Tanh.Apply(c[j]);
        }
    }

    // One sample's step back through the cell (formulas on Backward): writes the pre-activation gradients dz
    // [di, df, dg, do] and turns dc into the gradient w.r.t. c_{t−1}. An empty cPrev is c_{−1} = 0.
    private static void StepBackward(int hidden, ReadOnlySpan<float> z, ReadOnlySpan<float> cell, ReadOnlySpan<float> cPrev,
        ReadOnlySpan<float> dh, Span<float> dc, Span<float> dz)
    {
        int j = 0;
        if (Recurrent.Vectorized)
        {
            var one = Vector256<float>.One;
            for (; j <= hidden - 8; j += 8)
            {
                var i = Recurrent.Load(z, j);
                var f = Recurrent.Load(z, hidden + j);
                var g = Recurrent.Load(z, 2 * hidden + j);
                var o = Recurrent.Load(z, 3 * hidden + j);
                var tc = Tanh.Apply(Recurrent.Load(cell, j));
                var dhv = Recurrent.Load(dh, j);
                var dcv = Recurrent.Load(dc, j) + dhv * o * (one - tc * tc);
                var cp = cPrev.IsEmpty ? Vector256<float>.Zero : Recurrent.Load(cPrev, j);
                Recurrent.Store(dcv * g * i * (one - i), dz, j);
                Recurrent.Store(dcv * cp * f * (one - f), dz, hidden + j);
                Recurrent.Store(dcv * i * (one - g * g), dz, 2 * hidden + j);
                Recurrent.Store(dhv * tc * o * (one - o), dz, 3 * hidden + j);
                Recurrent.Store(dcv * f, dc, j);
            }
        }
        for (; j < hidden; j++)
        {
            float i = z[j], f = z[hidden + j], g = z[2 * hidden + j], o = z[3 * hidden + j];
            float tc = Tanh.Apply(cell[j]);
            float dcj = dc[j] + dh[j] * o * (1f - tc * tc);
            float cp = cPrev.IsEmpty ? 0f : cPrev[j];
            dz[j] = dcj * g * i * (1f - i);
            dz[hidden + j] = dcj * cp * f * (1f - f);
            dz[2 * hidden + j] = dcj * i * (1f - g * g);
            dz[3 * hidden + j] = dh[j] * tc * o * (1f - o);
            dc[j] = dcj * f;
        }
    }

    /// <summary>
    /// PyTorch's initialisation, U(−1/√H, 1/√H) for every weight and bias, then the forget block of b_ih set to
    /// <paramref name="forgetBias"/> and that of b_hh to 0, so the forget gate starts at σ(forgetBias) on average.
    /// </summary>
    public static void Initialize(int hidden, Span<float> wIh, Span<float> wHh, Span<float> bIh, Span<float> bHh,
        float forgetBias, ref Rng rng)
    {
        Recurrent.InitializeUniform(hidden, wIh, wHh, bIh, bHh, ref rng);
        bIh.Slice(hidden, hidden).Fill(forgetBias);
        bHh.Slice(hidden, hidden).Clear();
    }
}
