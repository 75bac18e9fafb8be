using System.Runtime.Intrinsics;

namespace NetGen.Kernels;

/// <summary>
/// Gated recurrent unit kernels in PyTorch's formulation (<c>nn.GRU</c>). With the input projection
/// <c>a = x_t·W_ih + b_ih</c> and the hidden projection <c>u = h_{t−1}·W_hh + b_hh</c>, each split into blocks
/// <c>[r, z, n]</c> of width H: <c>r = σ(a_r + u_r)</c>, <c>z = σ(a_z + u_z)</c>, <c>n = tanh(a_n + r ⊙ u_n)</c>,
/// <c>h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}</c>.
/// </summary>
/// <remarks>
/// <para>Layouts, batch outermost: x <c>[B, T, F]</c>; W_ih <c>[F, 3H]</c> and W_hh <c>[H, 3H]</c>, the transposes of
/// PyTorch's <c>weight_ih_l0 [3H, F]</c> and <c>weight_hh_l0 [3H, H]</c> (column j here is row j there, blocks in the
/// same order); b_ih and b_hh <c>[3H]</c> are PyTorch's <c>bias_ih_l0</c> and <c>bias_hh_l0</c>. The two biases are not
/// interchangeable here: b_hn sits inside <c>r ⊙ u_n</c>.</para>
/// <para>The input projection of every step is one <c>[B·T, F] × [F, 3H]</c> GEMM, then <c>[B, H] × [H, 3H]</c> per
/// step. Saved for backward (caller-provided): <c>gates [B, T, 3H]</c> (r, z, n; <see cref="Backward"/> overwrites
/// them with the input-side pre-activation gradients, so each Forward supports one Backward), <c>hn [B, T, H]</c>
/// (u_n) and <c>hs [B, T, H]</c> (h_t, also the layer's output when it returns sequences). Both passes need
/// <c>scratch</c> of <see cref="ScratchLength"/> floats. Nothing is allocated.</para>
/// </remarks>
public static class Gru
{
    /// <summary>Gate blocks per step: r, z, n.</summary>
    public const int Gates = 3;

    /// <summary>Floats of scratch <see cref="Forward"/> and <see cref="Backward"/> need: <c>5·batch·hidden</c>.</summary>
    public static int ScratchLength(int batch, int hidden) => 5 * batch * hidden;

    /// <summary>
    /// Runs the layer over the sequence (formulas on <see cref="Gru"/>) from <paramref name="h0"/> <c>[B, H]</c>, or
    /// zeros when it is empty (it must stay unchanged until <see cref="Backward"/>). Writes <paramref name="gates"/>,
    /// <paramref name="hn"/> and <paramref name="hs"/> and, when not empty, the final state to
    /// <paramref name="hLast"/> <c>[B, H]</c>: the output of a layer that returns only its last state, and what
    /// truncated backpropagation through time copies into h0 for the next batch after Backward (so it must not be the same buffer as h0).
    /// </summary>
    public static void Forward(int batch, int steps, int inputs, int hidden,
        ReadOnlySpan<float> x, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> h0, Span<float> gates, Span<float> hn, Span<float> hs, Span<float> hLast, Span<float> scratch)
    {
        const string kernel = "Gru.Forward";
        int width = Gates * hidden, rows = batch * steps;
        Recurrent.RequireForward(kernel, batch, steps, inputs, hidden, width, wIh, wHh, bIh, bHh, h0, gates, hs, hLast,
            scratch, ScratchLength(batch, hidden));
        Recurrent.Require(x, rows * inputs, nameof(x), kernel);
        Recurrent.Require(hn, rows * hidden, nameof(hn), kernel);

        Recurrent.StartForward(batch, steps, inputs, hidden, width, x, wIh, h0, gates, scratch, out var recurrent, out var h);
        for (int t = 0; t < steps; t++)
        {
            Gemm.MatMul(batch, width, hidden, h, wHh, recurrent, accumulate: false);
            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                var a = gates.Slice(row * width, width);
                var u = recurrent.Slice(b * width, width);
                Elementwise.AddTo(a, bIh);
                Elementwise.AddTo(u, bHh);
                var rz = a.Slice(0, 2 * hidden);
                Elementwise.AddTo(rz, u);
                Elementwise.Activate<Sigmoid>(rz);
                var un = u.Slice(2 * hidden, hidden);
                un.CopyTo(hn.Slice(row * hidden, hidden));
                var hb = h.Slice(b * hidden, hidden);
                UpdateState(hidden, a, un, hb);
                hb.CopyTo(hs.Slice(row * hidden, hidden));
            }
        }
        if (!hLast.IsEmpty) h.CopyTo(hLast);
    }

    /// <summary>
    /// Backpropagation through time over the buffers <see cref="Forward"/> saved (same x, weights, h0). The gradient
    /// of the loss arrives through <paramref name="dy"/> <c>[B, T, H]</c> (every step's output) and/or
    /// <paramref name="dhLast"/> <c>[B, H]</c> (the final state); empty spans count as zero. Per step, in reverse, with
    /// <c>dn̂ = dh ⊙ (1 − z) ⊙ (1 − n²)</c>: <c>da = [dr̂, dẑ, dn̂]</c> and <c>du = [dr̂, dẑ, dn̂ ⊙ r]</c> where
    /// <c>dr̂ = dn̂ ⊙ u_n ⊙ r(1−r)</c>, <c>dẑ = dh ⊙ (h_{t−1} − n) ⊙ z(1−z)</c>; then <c>dh ← dh ⊙ z + du·W_hhᵀ</c>.
    /// Overwrites <paramref name="dwIh"/>, <paramref name="dwHh"/>, <paramref name="dbIh"/>, <paramref name="dbHh"/>
    /// and, when not empty, <paramref name="dx"/> <c>[B, T, F]</c> and <paramref name="dh0"/> <c>[B, H]</c>.
    /// </summary>
    public static void Backward(int batch, int steps, int inputs, int hidden,
        ReadOnlySpan<float> x, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> h0,
        Span<float> gates, ReadOnlySpan<float> hn, ReadOnlySpan<float> hs, ReadOnlySpan<float> dy, ReadOnlySpan<float> dhLast,
        Span<float> dx, Span<float> dwIh, Span<float> dwHh, Span<float> dbIh, Span<float> dbHh,
        Span<float> dh0, Span<float> scratch)
    {
        const string kernel = "Gru.Backward";
        int width = Gates * hidden, rows = batch * steps;
        Recurrent.RequireBackward(kernel, batch, steps, inputs, hidden, width, wIh, wHh, h0, gates, hs, dy, dhLast,
            dwIh, dwHh, dbIh, dbHh, dh0, scratch, ScratchLength(batch, hidden));
        Recurrent.Require(x, rows * inputs, nameof(x), kernel);
        Recurrent.RequireOptional(dx, rows * inputs, nameof(dx), kernel);
        Recurrent.Require(hn, rows * hidden, nameof(hn), kernel);

        Recurrent.StartBackward(batch, hidden, width, dhLast, dwHh, dbHh, scratch, out var du, out var dh, out var hPrev);

        for (int t = steps - 1; t >= 0; t--)
        {
            Recurrent.GatherPrevious(hs, h0, hPrev, t, batch, steps, hidden);
            for (int b = 0; b < batch; b++)
            {
                int row = b * steps + t;
                var a = gates.Slice(row * width, width);
                var un = hn.Slice(row * hidden, hidden);
                var hp = hPrev.Slice(b * hidden, hidden);
                var dhb = dh.Slice(b * hidden, hidden);
                var dub = du.Slice(b * width, width);
                if (!dy.IsEmpty) Elementwise.AddTo(dhb, dy.Slice(row * hidden, hidden));
                StepBackward(hidden, a, un, hp, dhb, dub);
            }
            Recurrent.HiddenGradients(batch, hidden, width, hPrev, du, wHh, dwHh, dbHh, dh, accumulateDh: true);
        }
        if (!dh0.IsEmpty) dh.CopyTo(dh0);
        Recurrent.InputGradients(rows, inputs, width, x, wIh, gates, dwIh, dbIh, dx);
    }

    // One sample's state update, given its gate row a = [r, z, a_n] with r and z activated and u_n = W_hn·h + b_hn:
    // n = tanh(a_n + r ⊙ u_n) (kept in a's n block), h ← n + z ⊙ (h − n).
    private static void UpdateState(int hidden, Span<float> a, ReadOnlySpan<float> un, Span<float> h)
    {
        var r = a.Slice(0, hidden);
        var z = a.Slice(hidden, hidden);
        var n = a.Slice(2 * hidden, hidden);
        int j = 0;
        if (Recurrent.Vectorized)
            for (; j <= hidden - 8; j += 8)
            {
                var nv = Tanh.Apply(Recurrent.Load(n, j) + Recurrent.Load(r, j) * Recurrent.Load(un, j));
                Recurrent.Store(nv, n, j);
                Recurrent.Store(nv + Recurrent.Load(z, j) * (Recurrent.Load(h, j) - nv), h, j);
            }
        for (; j < hidden; j++)
        {
            n[j] = Tanh.Apply(n[j] + r[j] * un[j]);
            h[j] = n[j] + z[j] * (h[j] - n[j]);
        }
    }

    // One sample's step back through the cell (formulas on Backward): overwrites a = [r, z, n] with the input-side
    // pre-activation gradients, writes the hidden-side ones to du and turns dh into its direct part dh ⊙ z.
    private static void StepBackward(int hidden, Span<float> a, ReadOnlySpan<float> un, ReadOnlySpan<float> hPrev,
        Span<float> dh, Span<float> du)
    {
        int j = 0;
        if (Recurrent.Vectorized)
        {
            var one = Vector256<float>.One;
            for (; j <= hidden - 8; j += 8)
            {
                var r = Recurrent.Load(a, j);
                var z = Recurrent.Load(a, hidden + j);
                var n = Recurrent.Load(a, 2 * hidden + j);
                var d = Recurrent.Load(dh, j);
                var dn = d * (one - z) * (one - n * n);
                var dr = dn * Recurrent.Load(un, j) * r * (one - r);
                var dz = d * (Recurrent.Load(hPrev, j) - n) * z * (one - z);
                Recurrent.Store(dr, a, j);
                Recurrent.Store(dz, a, hidden + j);
                Recurrent.Store(dn, a, 2 * hidden + j);
                Recurrent.Store(dr, du, j);
                Recurrent.Store(dz, du, hidden + j);
                Recurrent.Store(dn * r, du, 2 * hidden + j);
                Recurrent.Store(d * z, dh, j);
            }
        }
        for (; j < hidden; j++)
        {
            float r = a[j], z = a[hidden + j], n = a[2 * hidden + j], d = dh[j];
            float dn = d * (1f - z) * (1f - n * n);
            float dr = dn * un[j] * r * (1f - r);
            float dz = d * (hPrev[j] - n) * z * (1f - z);
            a[j] = dr;
            a[hidden + j] = dz;
            a[2 * hidden + j] = dn;
            du[j] = dr;
            du[hidden + j] = dz;
            du[2 * hidden + j] = dn * r;
            dh[j] = d * z;
        }
    }

    /// <summary>PyTorch's initialisation: every weight and bias U(−1/√H, 1/√H).</summary>
    public static void Initialize(int hidden, Span<float> wIh, Span<float> wHh, Span<float> bIh, Span<float> bHh, ref Rng rng) =>
        Recurrent.InitializeUniform(hidden, wIh, wHh, bIh, bHh, ref rng);
}
