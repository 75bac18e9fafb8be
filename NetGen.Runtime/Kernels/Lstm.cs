using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NetGen.Kernels.GemmCore;

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
/// <para>All four gates come from one recurrent product per step (run panel by panel): the input projection of every step at once as one
/// <c>[B·T, F] × [F, 4H]</c> GEMM with both biases in its epilogue, then <c>h_{t−1}·W_hh</c> per step (reading that
/// step's <c>h_{t−1}</c> from a contiguous copy, against W_hh packed once per call into 32-column panels), then one
/// fused vectorised pass per sample row (the two parts added, activations with an inlined exponential, cell and
/// hidden update). Backward keeps only <c>dh = dz·W_hhᵀ</c> and the
/// fused cell pass per step; every weight product runs once over all B·T rows after the loop.</para>
/// <para>Saved for backward (caller-provided, written by <see cref="Forward"/>): <c>gates [B, T, 4H]</c> (the gate
/// values i, f, g, o), <c>cells [B, T, H]</c> (c_t) and <c>hs [B, T, H]</c> (h_t, which is also the layer's output
/// when it returns sequences). <see cref="Backward"/> overwrites <c>gates</c> with the pre-activation gradients, so
/// each Forward supports one Backward. Both need <c>scratch</c> of <see cref="ScratchLength"/> floats; they also use a
/// per-thread work buffer (the packed weights, and for the token forms a <c>[V, 4H]</c> table: at most about
/// <c>(V + H)·4H</c> floats) allocated on the first call and reused, so steady-state calls allocate nothing.</para>
/// </remarks>
public static unsafe class Lstm
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
        int width = Gates * hidden, rows = batch * steps;
        RequireForward(batch, steps, inputs, hidden, wIh, wHh, bIh, bHh, h0, c0, gates, cells, hs, hLast, cLast, scratch, kernel);
        Recurrent.Require(x, rows * inputs, nameof(x), kernel);
        fixed (float* px = x, pwIh = wIh, pGates = gates, pScratch = scratch)
            Recurrent.Product(rows, width, inputs, px, inputs, 1, pwIh, width, pGates, width, accumulate: false, SumBiases(bIh, bHh, pScratch));
        Recur(batch, steps, hidden, wHh, h0, c0, gates, cells, hs, hLast, cLast, scratch, Work(PanelFloats(hidden, width)), null, default, 0);
    }

    /// <summary>
    /// <see cref="Forward"/> for a layer whose input is an embedding lookup, <c>x_t = table[token_t]</c> (what
    /// <see cref="Embedding.Forward"/> computes): the input projection is taken per vocabulary entry,
    /// <c>P = table·W_ih + b_ih + b_hh</c> (<c>[V, 4H]</c>, V·F·4H multiply-adds instead of B·T·F·4H), and each step's
    /// row is <c>P[token]</c>, which the step pass reads straight from P. <paramref name="tokens"/> <c>[B, T]</c> hold
    /// integer ids in <c>[0, vocabulary)</c>, <paramref name="table"/> is <c>[vocabulary, F]</c>; everything else is as
    /// for <see cref="Forward"/>, whose results this equals up to rounding. P lives in the per-thread work buffer
    /// (remarks).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A token is not an integer in <c>[0, vocabulary)</c>.</exception>
    public static void ForwardTokens(int batch, int steps, int vocabulary, int inputs, int hidden,
        ReadOnlySpan<float> tokens, ReadOnlySpan<float> table, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh,
        ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh, ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        Span<float> gates, Span<float> cells, Span<float> hs, Span<float> hLast, Span<float> cLast, Span<float> scratch)
    {
        const string kernel = "Lstm.ForwardTokens";
        int width = Gates * hidden, rows = batch * steps;
        RequireForward(batch, steps, inputs, hidden, wIh, wHh, bIh, bHh, h0, c0, gates, cells, hs, hLast, cLast, scratch, kernel);
        RequireTokens(rows, vocabulary, inputs, tokens, table, kernel);
        int projectionFloats = GemmDriver.RoundUp(vocabulary * width, 16);
        float* projection = Work(projectionFloats + PanelFloats(hidden, width));
        fixed (float* pTable = table, pwIh = wIh, pScratch = scratch)
            Recurrent.Product(vocabulary, width, inputs, pTable, inputs, 1, pwIh, width, projection, width, accumulate: false, SumBiases(bIh, bHh, pScratch));
        Recur(batch, steps, hidden, wHh, h0, c0, gates, cells, hs, hLast, cLast, scratch, projection + projectionFloats, projection, tokens, vocabulary);
    }

    private static void RequireForward(int batch, int steps, int inputs, int hidden,
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> cells, ReadOnlySpan<float> hs, ReadOnlySpan<float> hLast, ReadOnlySpan<float> cLast,
        ReadOnlySpan<float> scratch, string kernel)
    {
        int width = Gates * hidden, bh = batch * hidden, rows = batch * steps;
        Recurrent.RequireSizes(batch, steps, inputs, hidden, kernel);
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
    }

    private static void RequireTokens(int rows, int vocabulary, int inputs, ReadOnlySpan<float> tokens, ReadOnlySpan<float> table, string kernel)
    {
        if (vocabulary <= 0)
            throw new ArgumentOutOfRangeException(nameof(vocabulary), vocabulary, $"{kernel}: 'vocabulary' must be positive.");
        Recurrent.Require(tokens, rows, nameof(tokens), kernel);
        Recurrent.Require(table, vocabulary * inputs, nameof(table), kernel);
    }

    // b_ih + b_hh into the first 4H floats of scratch (every ScratchLength holds them): the input projection's bias.
    private static float* SumBiases(ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh, float* scratch)
    {
        for (int j = 0; j < bIh.Length && j < bHh.Length; j++) scratch[j] = bIh[j] + bHh[j];
        return scratch;
    }

    [ThreadStatic] private static float[]? t_work;

    // The calling thread's work buffer, 64-byte aligned, grown on first use and pinned: W_hh packed into panels in
    // forward (after P of ForwardTokens, [V, 4H]) and W_hhᵀ packed in backward, then the per-token gradient sums of
    // BackwardTokens ([V, 4H]).
    private static float* Work(int floats)
    {
        var buffer = t_work;
        if (buffer is null || buffer.Length < floats + 16) t_work = buffer = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (float*)((address + 63) & ~(nint)63);
    }

    // Columns of a packed panel: the widest micro-kernel's tile width, so each per-panel product is one column of tiles.
    private const int Panel = 32;

    // Floats of a [k, n] matrix packed into Panel-column panels (the last one zero-padded).
    private static int PanelFloats(int k, int n) => GemmDriver.RoundUp(n, Panel) * k;

    // C[m, n] = A·B with B packed by Packing.PackB into Panel-column panels [n / Panel][k][Panel], each contiguous (a
    // panel stays in L1 while every sliver of the product's rows sweeps it; in place, W_hh's rows 4H floats apart map the
    // panel onto a few L1 sets and it is reread from L2 by each sliver), one product per panel.
    private static void PanelProduct(int m, int n, int k, float* a, nint rsA, float* packed, float* c, nint ldc)
    {
        for (int j0 = 0; j0 < n; j0 += Panel)
            Recurrent.Product(m, Math.Min(Panel, n - j0), k, a, rsA, 1, packed + (nint)j0 * k, Panel, c + j0, ldc, accumulate: false);
    }

    // The recurrence over the input projection with both biases: the rows of gates (Forward's remarks), or with a
    // non-null projection, its row P[token] for each step (ForwardTokens); the gate values go to gates, the final state
    // to hLast and cLast when they are not empty. W_hh is packed into panels once (in packed), and h_{t−1} is kept
    // contiguous in scratch: each step's h_{t−1}·W_hh reads both from L1 and goes to a contiguous [B, 4H] block of
    // scratch (rows of the [B, T, ·] buffers are T·H or T·4H floats apart, a multiple of 4 KB that maps a tile onto
    // one L1 set), which the step pass adds.
    private static void Recur(int batch, int steps, int hidden, ReadOnlySpan<float> wHh, ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        Span<float> gates, Span<float> cells, Span<float> hs, Span<float> hLast, Span<float> cLast, Span<float> scratch, float* packed,
        float* projection, ReadOnlySpan<float> tokens, int vocabulary)
    {
        int width = Gates * hidden, bh = batch * hidden;
        fixed (float* pwHh = wHh, ph0 = h0, pc0 = c0, pGates = gates, pCells = cells, pHs = hs, recurrent = scratch)
        {
            Packing.PackB(hidden, width, Panel, pwHh, width, 1, packed);
            float* state = recurrent + Gates * bh;
            for (int t = 0; t < steps; t++)
            {
                bool hasState = t > 0 || ph0 != null;
                if (hasState) PanelProduct(batch, width, hidden, t > 0 ? state : ph0, hidden, packed, recurrent, width);
                for (int b = 0; b < batch; b++)
                {
                    nint row = b * steps + t;
                    float* cPrev = t > 0 ? pCells + (row - 1) * hidden : pc0 == null ? null : pc0 + b * hidden;
                    float* z = pGates + row * width;
                    float* input = projection == null ? z : projection + (nint)Embedding.TokenId(tokens, (int)row, vocabulary) * width;
                    StepForward(hidden, input, hasState ? recurrent + b * width : null, z, cPrev, pCells + row * hidden, pHs + row * hidden, state + b * hidden);
                }
            }
        }
        for (int b = 0; b < batch; b++)
        {
            int last = (b * steps + steps - 1) * hidden;
            if (!hLast.IsEmpty) hs.Slice(last, hidden).CopyTo(hLast.Slice(b * hidden, hidden));
            if (!cLast.IsEmpty) cells.Slice(last, hidden).CopyTo(cLast.Slice(b * hidden, hidden));
        }
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
    /// <c>dc ← dc ⊙ f</c> and <c>dh ← dz·W_hhᵀ</c>; the weight products over all steps at once after the loop.
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
        int width = Gates * hidden, rows = batch * steps;
        RequireBackward(batch, steps, inputs, hidden, wIh, wHh, h0, c0, gates, cells, hs, dy, dhLast, dcLast, dwIh, dwHh, dbIh, dbHh, dh0, dc0, scratch, kernel);
        Recurrent.Require(x, rows * inputs, nameof(x), kernel);
        Recurrent.RequireOptional(dx, rows * inputs, nameof(dx), kernel);
        BackThroughTime(batch, steps, hidden, wHh, h0, c0, gates, cells, hs, dy, dhLast, dcLast, dwHh, dbIh, dbHh, dh0, dc0, scratch,
            Work(PanelFloats(width, hidden)), null, default, 0);
        Gemm.MatMulTransA(inputs, width, rows, x, gates, dwIh, accumulate: false);
        if (!dx.IsEmpty) Gemm.MatMulTransB(rows, inputs, width, gates, wIh, dx, accumulate: false);
    }

    /// <summary>
    /// <see cref="Backward"/> after <see cref="ForwardTokens"/> (same tokens, table, weights, h0, c0): instead of the
    /// input gradient it overwrites <paramref name="dTable"/> <c>[vocabulary, F]</c> with the embedding table's
    /// gradient (what <see cref="Embedding.Backward"/> would make of that input gradient: rows of tokens that do not
    /// occur are zero). The pre-activation gradients are summed per token as the step passes make them
    /// (<c>S [V, 4H]</c>, in the per-thread work buffer; the bias gradients are its column sums), then
    /// <c>dW_ih = tableᵀ·S</c> and <c>dTable = S·W_ihᵀ</c>: V rather than B·T rows in both products.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A token is not an integer in <c>[0, vocabulary)</c>.</exception>
    public static void BackwardTokens(int batch, int steps, int vocabulary, int inputs, int hidden,
        ReadOnlySpan<float> tokens, ReadOnlySpan<float> table, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        Span<float> gates, ReadOnlySpan<float> cells, ReadOnlySpan<float> hs,
        ReadOnlySpan<float> dy, ReadOnlySpan<float> dhLast, ReadOnlySpan<float> dcLast,
        Span<float> dTable, Span<float> dwIh, Span<float> dwHh, Span<float> dbIh, Span<float> dbHh,
        Span<float> dh0, Span<float> dc0, Span<float> scratch)
    {
        const string kernel = "Lstm.BackwardTokens";
        int width = Gates * hidden, rows = batch * steps;
        RequireBackward(batch, steps, inputs, hidden, wIh, wHh, h0, c0, gates, cells, hs, dy, dhLast, dcLast, dwIh, dwHh, dbIh, dbHh, dh0, dc0, scratch, kernel);
        RequireTokens(rows, vocabulary, inputs, tokens, table, kernel);
        Recurrent.Require(dTable, vocabulary * inputs, nameof(dTable), kernel);
        int sumsFloats = GemmDriver.RoundUp(vocabulary * width, 16);
        float* work = Work(sumsFloats + PanelFloats(width, hidden));
        var sums = new Span<float>(work, vocabulary * width);
        BackThroughTime(batch, steps, hidden, wHh, h0, c0, gates, cells, hs, dy, dhLast, dcLast, dwHh, dbIh, dbHh, dh0, dc0, scratch,
            work + sumsFloats, work, tokens, vocabulary);
        Gemm.MatMulTransA(inputs, width, vocabulary, table, sums, dwIh, accumulate: false);
        Gemm.MatMulTransB(vocabulary, inputs, width, sums, wIh, dTable, accumulate: false);
    }

    private static void RequireBackward(int batch, int steps, int inputs, int hidden,
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> cells, ReadOnlySpan<float> hs,
        ReadOnlySpan<float> dy, ReadOnlySpan<float> dhLast, ReadOnlySpan<float> dcLast,
        ReadOnlySpan<float> dwIh, ReadOnlySpan<float> dwHh, ReadOnlySpan<float> dbIh, ReadOnlySpan<float> dbHh,
        ReadOnlySpan<float> dh0, ReadOnlySpan<float> dc0, ReadOnlySpan<float> scratch, string kernel)
    {
        int width = Gates * hidden, bh = batch * hidden, rows = batch * steps;
        Recurrent.RequireSizes(batch, steps, inputs, hidden, kernel);
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
        Recurrent.Require(dwIh, inputs * width, nameof(dwIh), kernel);
        Recurrent.Require(dwHh, hidden * width, nameof(dwHh), kernel);
        Recurrent.Require(dbIh, width, nameof(dbIh), kernel);
        Recurrent.Require(dbHh, width, nameof(dbHh), kernel);
        Recurrent.RequireOptional(dh0, bh, nameof(dh0), kernel);
        Recurrent.RequireOptional(dc0, bh, nameof(dc0), kernel);
        Recurrent.Require(scratch, ScratchLength(batch, hidden), nameof(scratch), kernel);
    }

    // Everything of Backward but the input side: leaves the pre-activation gradients in gates and writes dW_hh, both
    // bias gradients (equal: Σ_rows dz), dh0 and dc0; with non-null sums also S [V, 4H], each row's dz added to its
    // token's row (then the bias gradients are S's column sums). W_hhᵀ is packed into panels once (in packed) and each
    // step's dz is also kept contiguous in scratch, so that dh = dz·W_hhᵀ reads both from L1 (Recur's reasons).
    private static void BackThroughTime(int batch, int steps, int hidden, ReadOnlySpan<float> wHh, ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        Span<float> gates, ReadOnlySpan<float> cells, ReadOnlySpan<float> hs,
        ReadOnlySpan<float> dy, ReadOnlySpan<float> dhLast, ReadOnlySpan<float> dcLast,
        Span<float> dwHh, Span<float> dbIh, Span<float> dbHh, Span<float> dh0, Span<float> dc0, Span<float> scratch,
        float* wT, float* sums, ReadOnlySpan<float> tokens, int vocabulary)
    {
        int width = Gates * hidden, bh = batch * hidden, rows = batch * steps;
        fixed (float* pwHh = wHh, ph0 = h0, pc0 = c0, pGates = gates, pCells = cells, pHs = hs, pDy = dy,
                     pdwHh = dwHh, pdbIh = dbIh, pdh0 = dh0, pScratch = scratch)
        {
            float* dh = pScratch, dc = pScratch + bh, boundary = pScratch + 2 * bh, dz = pScratch + 3 * bh;
            Recurrent.LoadState(dhLast, scratch.Slice(0, bh), bh);
            Recurrent.LoadState(dcLast, scratch.Slice(bh, bh), bh);
            Packing.PackB(width, hidden, Panel, pwHh, 1, width, wT);
            new Span<float>(pdbIh, width).Clear();
            if (sums != null) new Span<float>(sums, vocabulary * width).Clear();
            for (int t = steps - 1; t >= 0; t--)
            {
                // dh_t = dy_t + dz_{t+1}·W_hhᵀ, from the dz of step t+1 that the previous iteration left in scratch.
                if (t < steps - 1) PanelProduct(batch, hidden, width, dz, width, wT, dh, hidden);
                for (int b = 0; b < batch; b++)
                {
                    nint row = b * steps + t;
                    float* cPrev = t > 0 ? pCells + (row - 1) * hidden : pc0 == null ? null : pc0 + b * hidden;
                    float* db = sums == null ? pdbIh : sums + (nint)Embedding.TokenId(tokens, (int)row, vocabulary) * width;
                    StepBackward(hidden, pGates + row * width, dz + b * width, pCells + row * hidden, cPrev, dh + b * hidden,
                        pDy == null ? null : pDy + row * hidden, dc + b * hidden, db);
                }
            }
            if (pdh0 != null) PanelProduct(batch, hidden, width, dz, width, wT, pdh0, hidden);
            if (!dc0.IsEmpty) scratch.Slice(bh, bh).CopyTo(dc0);

            // dW_hh = Σ_rows h_{t−1}ᵀ·dz_t as one product over every row but the first, pairing row r's dz with row r−1
            // of hs; at each sample's first step that pairs it with the previous sample's last h instead of h0, which
            // one more product over those B rows corrects with h0 − h_{[b−1, T−1]}.
            Recurrent.Product(hidden, width, rows - 1, pHs, 1, hidden, pGates + width, width, pdwHh, width, accumulate: false);
            for (int b = 0; b < batch; b++)
                for (int j = 0; j < hidden; j++)
                    boundary[b * hidden + j] = (ph0 == null ? 0f : ph0[b * hidden + j]) - (b == 0 ? 0f : pHs[(b * steps - 1) * hidden + j]);
            Recurrent.Product(hidden, width, batch, boundary, 1, hidden, pGates, (nint)steps * width, pdwHh, width, accumulate: true);
            if (sums != null)
                for (int v = 0; v < vocabulary; v++) Elementwise.AddTo(dbIh.Slice(0, width), new ReadOnlySpan<float>(sums + (nint)v * width, width));
        }
        dbIh.Slice(0, width).CopyTo(dbHh);
    }

    // One sample's step from its pre-activations x + u: x = [x_i, x_f, x_g, x_o] the input projection with biases, u =
    // h_{t−1}·W_hh (null: zeros); the gate values i, f, g, o to z (which may be x), and from c_{t−1} (null: zeros):
    // c_t = f ⊙ c_{t−1} + i ⊙ g, h_t = o ⊙ tanh c_t (to both h and hCopy). The same formulas on 16, 8 and 1 lanes.
    private static void StepForward(int hidden, float* x, float* u, float* z, float* cPrev, float* c, float* h, float* hCopy)
    {
        float* xf = x + hidden, xg = x + 2 * hidden, xo = x + 3 * hidden;
        float* zf = z + hidden, zg = z + 2 * hidden, zo = z + 3 * hidden;
        float* uf = u + hidden, ug = u + 2 * hidden, uo = u + 3 * hidden;
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; j <= hidden - 16; j += 16)
            {
                var (zi, zfv, zgv, zov) = (Vector512.Load(x + j), Vector512.Load(xf + j), Vector512.Load(xg + j), Vector512.Load(xo + j));
                if (u != null) (zi, zfv, zgv, zov) = (zi + Vector512.Load(u + j), zfv + Vector512.Load(uf + j), zgv + Vector512.Load(ug + j), zov + Vector512.Load(uo + j));
                var (i, f, g, o) = (CellMath.Sigmoid(zi), CellMath.Sigmoid(zfv), CellMath.Tanh(zgv), CellMath.Sigmoid(zov));
                i.Store(z + j); f.Store(zf + j); g.Store(zg + j); o.Store(zo + j);
                var cv = cPrev == null ? i * g : Vector512.FusedMultiplyAdd(f, Vector512.Load(cPrev + j), i * g);
                cv.Store(c + j);
                var hv = o * CellMath.Tanh(cv);
                hv.Store(h + j);
                hv.Store(hCopy + j);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; j <= hidden - 8; j += 8)
            {
                var (zi, zfv, zgv, zov) = (Vector256.Load(x + j), Vector256.Load(xf + j), Vector256.Load(xg + j), Vector256.Load(xo + j));
                if (u != null) (zi, zfv, zgv, zov) = (zi + Vector256.Load(u + j), zfv + Vector256.Load(uf + j), zgv + Vector256.Load(ug + j), zov + Vector256.Load(uo + j));
                var (i, f, g, o) = (CellMath.Sigmoid(zi), CellMath.Sigmoid(zfv), CellMath.Tanh(zgv), CellMath.Sigmoid(zov));
                i.Store(z + j); f.Store(zf + j); g.Store(zg + j); o.Store(zo + j);
                var cv = cPrev == null ? i * g : Vector256.FusedMultiplyAdd(f, Vector256.Load(cPrev + j), i * g);
                cv.Store(c + j);
                var hv = o * CellMath.Tanh(cv);
                hv.Store(h + j);
                hv.Store(hCopy + j);
            }
        for (; j < hidden; j++)
        {
            bool add = u != null;
            float i = CellMath.Sigmoid(x[j] + (add ? u[j] : 0f)), f = CellMath.Sigmoid(xf[j] + (add ? uf[j] : 0f));
            float g = CellMath.Tanh(xg[j] + (add ? ug[j] : 0f)), o = CellMath.Sigmoid(xo[j] + (add ? uo[j] : 0f));
            z[j] = i; zf[j] = f; zg[j] = g; zo[j] = o;
            float cv = cPrev == null ? i * g : f * cPrev[j] + i * g;
            c[j] = cv;
            h[j] = hCopy[j] = o * CellMath.Tanh(cv);
        }
    }

    // One sample's step back through the cell (formulas on Backward), from the gate values z = [i, f, g, o] (replaced
    // by the pre-activation gradients, which are also written to dzCopy and added to db), c_t, c_{t−1} (null: zeros), the recurrent part of
    // dh and dy_t (null: zeros); turns dc into the gradient w.r.t. c_{t−1}. The same formulas on 16, 8 and 1 lanes.
    private static void StepBackward(int hidden, float* z, float* dzCopy, float* cell, float* cPrev, float* dh, float* dy, float* dc, float* db)
    {
        float* zf = z + hidden, zg = z + 2 * hidden, zo = z + 3 * hidden;
        float* cf = dzCopy + hidden, cg = dzCopy + 2 * hidden, co = dzCopy + 3 * hidden;
        float* dbf = db + hidden, dbg = db + 2 * hidden, dbo = db + 3 * hidden;
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var one = Vector512<float>.One;
            for (; j <= hidden - 16; j += 16)
            {
                var (i, f, g, o) = (Vector512.Load(z + j), Vector512.Load(zf + j), Vector512.Load(zg + j), Vector512.Load(zo + j));
                var tc = CellMath.Tanh(Vector512.Load(cell + j));
                var dhv = dy == null ? Vector512.Load(dh + j) : Vector512.Load(dh + j) + Vector512.Load(dy + j);
                var dcv = Vector512.FusedMultiplyAdd(dhv * o, one - tc * tc, Vector512.Load(dc + j));
                var cp = cPrev == null ? Vector512<float>.Zero : Vector512.Load(cPrev + j);
                var (di, df, dg, dO) = (dcv * g * i * (one - i), dcv * cp * f * (one - f), dcv * i * (one - g * g), dhv * tc * o * (one - o));
                di.Store(z + j); df.Store(zf + j); dg.Store(zg + j); dO.Store(zo + j);
                di.Store(dzCopy + j); df.Store(cf + j); dg.Store(cg + j); dO.Store(co + j);
                (Vector512.Load(db + j) + di).Store(db + j);
                (Vector512.Load(dbf + j) + df).Store(dbf + j);
                (Vector512.Load(dbg + j) + dg).Store(dbg + j);
                (Vector512.Load(dbo + j) + dO).Store(dbo + j);
                (dcv * f).Store(dc + j);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256<float>.One;
            for (; j <= hidden - 8; j += 8)
            {
                var (i, f, g, o) = (Vector256.Load(z + j), Vector256.Load(zf + j), Vector256.Load(zg + j), Vector256.Load(zo + j));
                var tc = CellMath.Tanh(Vector256.Load(cell + j));
                var dhv = dy == null ? Vector256.Load(dh + j) : Vector256.Load(dh + j) + Vector256.Load(dy + j);
                var dcv = Vector256.FusedMultiplyAdd(dhv * o, one - tc * tc, Vector256.Load(dc + j));
                var cp = cPrev == null ? Vector256<float>.Zero : Vector256.Load(cPrev + j);
                var (di, df, dg, dO) = (dcv * g * i * (one - i), dcv * cp * f * (one - f), dcv * i * (one - g * g), dhv * tc * o * (one - o));
                di.Store(z + j); df.Store(zf + j); dg.Store(zg + j); dO.Store(zo + j);
                di.Store(dzCopy + j); df.Store(cf + j); dg.Store(cg + j); dO.Store(co + j);
                (Vector256.Load(db + j) + di).Store(db + j);
                (Vector256.Load(dbf + j) + df).Store(dbf + j);
                (Vector256.Load(dbg + j) + dg).Store(dbg + j);
                (Vector256.Load(dbo + j) + dO).Store(dbo + j);
                (dcv * f).Store(dc + j);
            }
        }
        for (; j < hidden; j++)
        {
            float i = z[j], f = zf[j], g = zg[j], o = zo[j];
            float tc = CellMath.Tanh(cell[j]);
            float dhv = dy == null ? dh[j] : dh[j] + dy[j];
            float dcv = dc[j] + dhv * o * (1f - tc * tc);
            float cp = cPrev == null ? 0f : cPrev[j];
            float di = dcv * g * i * (1f - i), df = dcv * cp * f * (1f - f), dg = dcv * i * (1f - g * g), dO = dhv * tc * o * (1f - o);
            z[j] = dzCopy[j] = di; zf[j] = cf[j] = df; zg[j] = cg[j] = dg; zo[j] = co[j] = dO;
            db[j] += di; dbf[j] += df; dbg[j] += dg; dbo[j] += dO;
            dc[j] = dcv * f;
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
