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
/// <para>The input projection of every step is one <c>[B·T, F] × [F, 4H]</c> GEMM with both biases in its epilogue;
/// then per step <c>h_{t−1}·W_hh</c> (W_hh packed once per call into panels, <c>h_{t−1}</c> kept contiguous, one
/// micro-kernel call per tile, no GEMM set-up per step) and one vectorised cell pass per sample row (activations with
/// an inlined exponential). Backward keeps only <c>dh = dz·W_hhᵀ</c> and the cell pass per step;
/// dW_hh is summed over blocks of about 256 rows (steps × batch) as their dz are made, and the input-side weight
/// products run once over all rows after the loop.</para>
/// <para>Saved for backward (caller-provided, written by <see cref="Forward"/>): <c>gates [B, T, 4H]</c> (the gate
/// values i, f, g, o), <c>cells [B, T, H]</c> (c_t) and <c>hs [B, T, H]</c> (h_t, which is also the layer's output
/// when it returns sequences). <see cref="Backward"/> overwrites <c>gates</c> with the pre-activation gradients
/// (<see cref="BackwardTokens"/> leaves them as they are), so each Forward supports one Backward. Both need
/// <c>scratch</c> of <see cref="ScratchLength"/> floats; they also use a per-thread work buffer (the packed weights,
/// the step's product, backward's dz and h_{t−1} of the last ~256 rows per batch group, for the token forms a
/// <c>[V, 4H]</c> table, and per batch group after the first its dW_hh and sums: about
/// <c>(V + H + B)·4H + 1280·H·G + (G − 1)·(H + V)·4H</c> floats) allocated on the first call and reused, so
/// steady-state calls allocate nothing.</para>
/// <para>Threads: sequences are independent, so the recurrence runs in batch groups (<see cref="Groups"/>: one per 8
/// samples, at most 4), each over every step on its own thread of the worker pool, with no synchronisation per step
/// (the per-step products are too small to split). The groups depend on the batch alone, so the results are the same
/// bit for bit at any thread count.</para>
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
        Span<float> gates, Span<float> cells, Span<float> hs, Span<float> hLast, Span<float> cLast, Span<float> scratch) =>
        ForwardOn(batch, steps, inputs, hidden, x, wIh, wHh, bIh, bHh, h0, c0, gates, cells, hs, hLast, cLast, scratch, Gemm.BestIsa);

    /// <summary><see cref="Forward"/> on the path <paramref name="isa"/> (tests force the narrower ones).</summary>
    internal static void ForwardOn(int batch, int steps, int inputs, int hidden,
        ReadOnlySpan<float> x, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        Span<float> gates, Span<float> cells, Span<float> hs, Span<float> hLast, Span<float> cLast, Span<float> scratch, GemmIsa isa)
    {
        const string kernel = "Lstm.Forward";
        int width = Gates * hidden, rows = batch * steps;
        RequireForward(batch, steps, inputs, hidden, wIh, wHh, bIh, bHh, h0, c0, gates, cells, hs, hLast, cLast, scratch, kernel);
        Recurrent.Require(x, rows * inputs, nameof(x), kernel);
        fixed (float* px = x, pwIh = wIh, pGates = gates, pScratch = scratch)
            Recurrent.Product(rows, width, inputs, px, inputs, 1, pwIh, width, pGates, width, accumulate: false, isa, SumBiases(bIh, bHh, pScratch));
        Recur(isa, batch, steps, hidden, wHh, h0, c0, gates, cells, hs, hLast, cLast, scratch, Work(ForwardWorkFloats(batch, hidden)), null, default, 0);
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
        Span<float> gates, Span<float> cells, Span<float> hs, Span<float> hLast, Span<float> cLast, Span<float> scratch) =>
        ForwardTokensOn(batch, steps, vocabulary, inputs, hidden, tokens, table, wIh, wHh, bIh, bHh, h0, c0, gates, cells, hs, hLast, cLast,
            scratch, Gemm.BestIsa);

    /// <summary><see cref="ForwardTokens"/> on the path <paramref name="isa"/> (tests force the narrower ones).</summary>
    internal static void ForwardTokensOn(int batch, int steps, int vocabulary, int inputs, int hidden,
        ReadOnlySpan<float> tokens, ReadOnlySpan<float> table, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh,
        ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh, ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        Span<float> gates, Span<float> cells, Span<float> hs, Span<float> hLast, Span<float> cLast, Span<float> scratch, GemmIsa isa)
    {
        const string kernel = "Lstm.ForwardTokens";
        int width = Gates * hidden, rows = batch * steps;
        RequireForward(batch, steps, inputs, hidden, wIh, wHh, bIh, bHh, h0, c0, gates, cells, hs, hLast, cLast, scratch, kernel);
        RequireTokens(rows, vocabulary, inputs, tokens, table, kernel);
        int projectionFloats = GemmDriver.RoundUp(vocabulary * width, 16);
        float* projection = Work(projectionFloats + ForwardWorkFloats(batch, hidden));
        fixed (float* pTable = table, pwIh = wIh, pScratch = scratch)
            Recurrent.Product(vocabulary, width, inputs, pTable, inputs, 1, pwIh, width, projection, width, accumulate: false, isa, SumBiases(bIh, bHh, pScratch));
        Recur(isa, batch, steps, hidden, wHh, h0, c0, gates, cells, hs, hLast, cLast, scratch, projection + projectionFloats, projection, tokens, vocabulary);
    }

    // Recurrent.RequireForward and the cell state: c0, cells and cLast.
    private static void RequireForward(int batch, int steps, int inputs, int hidden,
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> bIh, ReadOnlySpan<float> bHh,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> cells, ReadOnlySpan<float> hs, ReadOnlySpan<float> hLast, ReadOnlySpan<float> cLast,
        ReadOnlySpan<float> scratch, string kernel)
    {
        int bh = batch * hidden;
        Recurrent.RequireForward(kernel, batch, steps, inputs, hidden, Gates * hidden, wIh, wHh, bIh, bHh, h0, gates, hs, hLast,
            scratch, ScratchLength(batch, hidden));
        Recurrent.RequireOptional(c0, bh, nameof(c0), kernel);
        Recurrent.Require(cells, batch * steps * hidden, nameof(cells), kernel);
        Recurrent.RequireOptional(cLast, bh, nameof(cLast), kernel);
    }

    private static void RequireTokens(int rows, int vocabulary, int inputs, ReadOnlySpan<float> tokens, ReadOnlySpan<float> table, string kernel)
    {
        Recurrent.RequirePositive(vocabulary, nameof(vocabulary), kernel);
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

    // The calling thread's work buffer, 64-byte aligned, grown on first use and pinned: in forward (after P of
    // ForwardTokens, [V, 4H]) W_hh packed into panels and the step's product; in backward (after the per-token
    // gradient sums of BackwardTokens, [V, 4H]) W_hhᵀ packed into panels, the step's dh and the rings of dz and h_{t−1}.
    private static float* Work(int floats)
    {
        var buffer = t_work;
        if (buffer is null || buffer.Length < floats + 16) t_work = buffer = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (float*)((address + 63) & ~(nint)63);
    }

    // The widest micro-kernel's panel width (Vector512Kernel's NR), which bounds every path's work buffer.
    private const int MaxPanel = 32;

    // Floats of a region of the work buffer, rounded up to whole cache lines.
    private static int Region(long floats) => checked((int)((floats + 15) & ~15L));

    // Forward's work buffer: W_hh in panels and the step's product [B, 4H], each row padded to whole panels (at most
    // ⌈4H / 32⌉·32 floats).
    private static int ForwardWorkFloats(int batch, int hidden) =>
        Region((long)GemmDriver.RoundUp(Gates * hidden, MaxPanel) * hidden) + Region((long)batch * GemmDriver.RoundUp(Gates * hidden, MaxPanel));

    // Backward's work buffer after the token sums: W_hhᵀ in panels and the step's dh [B, H], each padded to whole
    // panels (at most ⌈H / 32⌉·32 floats), the rings of dz [B, 4H] and h_{t−1} [B, H], and for each batch group after
    // the first its own dW_hh [H, 4H] and sums (sumsFloats: [V, 4H] for the token form, one [4H] row otherwise).
    private static int BackwardWorkFloats(int batch, int hidden, int sumsFloats) =>
        Region((long)GemmDriver.RoundUp(hidden, MaxPanel) * Gates * hidden) + Region((long)batch * GemmDriver.RoundUp(hidden, MaxPanel))
        + Region((long)RingSlots(batch) * batch * Gates * hidden) + Region((long)RingSlots(batch) * batch * hidden)
        + (Groups(batch) - 1) * (Region((long)hidden * Gates * hidden) + Region(sumsFloats));

    // Steps backward keeps for one dW_hh product: about GemmRules.DefaultKC rows (one k-block) of the smallest batch
    // group, at least two (dz_{t+1} must survive writing dz_t).
    private static int RingSlots(int batch) => Math.Max(2, GemmRules.DefaultKC / (batch / Groups(batch)));

    /// <summary>The fewest sample rows of a batch group (one group below twice this).</summary>
    internal const int MinGroupRows = 8;

    /// <summary>The most batch groups.</summary>
    internal const int MaxGroups = 4;

    /// <summary>
    /// Sequences of a batch are independent, so the recurrence runs in batch groups, each over every step on its own
    /// thread (no synchronisation per step). How many depends on the batch alone, not on the thread count, so results
    /// are the same bit for bit whatever <see cref="Threading.MaxThreads"/> is: backward sums dW_hh and the bias (or
    /// token) gradients per group, then adds the groups in order. Group g holds rows
    /// <c>[B·g/G, B·(g+1)/G)</c>.
    /// </summary>
    internal static int Groups(int batch) => Math.Clamp(batch / MinGroupRows, 1, MaxGroups);

    // The recurrence over the input projection with both biases: the rows of gates (Forward's remarks), or with a
    // non-null projection, its row P[token] for each step (ForwardTokens), on the path isa (Recurrence.Forward); the
    // gate values go to gates, the final state to hLast and cLast when they are not empty.
    private static void Recur(GemmIsa isa, int batch, int steps, int hidden, ReadOnlySpan<float> wHh, ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        Span<float> gates, Span<float> cells, Span<float> hs, Span<float> hLast, Span<float> cLast, Span<float> scratch, float* work,
        float* projection, ReadOnlySpan<float> tokens, int vocabulary)
    {
        fixed (float* pwHh = wHh, ph0 = h0, pc0 = c0, pGates = gates, pCells = cells, pHs = hs, pScratch = scratch, pTokens = tokens)
        {
            var recurrence = new Recurrence
            {
                Batch = batch, Steps = steps, Hidden = hidden, W = pwHh, H0 = ph0, C0 = pc0, Z = pGates, Cells = pCells, Hs = pHs,
                Scratch = pScratch, Work = work, Table = projection, Tokens = pTokens, Vocabulary = vocabulary, Isa = isa,
                Groups = Groups(batch),
            };
            recurrence.Run();
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
    /// <c>dc ← dc ⊙ f</c> and <c>dh ← dz·W_hhᵀ</c>; dW_hh summed over blocks of about 256 rows during the loop, the
    /// input-side weight products over all steps at once after it.
    /// </summary>
    public static void Backward(int batch, int steps, int inputs, int hidden,
        ReadOnlySpan<float> x, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        Span<float> gates, ReadOnlySpan<float> cells, ReadOnlySpan<float> hs,
        ReadOnlySpan<float> dy, ReadOnlySpan<float> dhLast, ReadOnlySpan<float> dcLast,
        Span<float> dx, Span<float> dwIh, Span<float> dwHh, Span<float> dbIh, Span<float> dbHh,
        Span<float> dh0, Span<float> dc0, Span<float> scratch) =>
        BackwardOn(batch, steps, inputs, hidden, x, wIh, wHh, h0, c0, gates, cells, hs, dy, dhLast, dcLast, dx, dwIh, dwHh, dbIh, dbHh,
            dh0, dc0, scratch, Gemm.BestIsa);

    /// <summary><see cref="Backward"/> on the path <paramref name="isa"/> (tests force the narrower ones).</summary>
    internal static void BackwardOn(int batch, int steps, int inputs, int hidden,
        ReadOnlySpan<float> x, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        Span<float> gates, ReadOnlySpan<float> cells, ReadOnlySpan<float> hs,
        ReadOnlySpan<float> dy, ReadOnlySpan<float> dhLast, ReadOnlySpan<float> dcLast,
        Span<float> dx, Span<float> dwIh, Span<float> dwHh, Span<float> dbIh, Span<float> dbHh,
        Span<float> dh0, Span<float> dc0, Span<float> scratch, GemmIsa isa)
    {
        const string kernel = "Lstm.Backward";
        int width = Gates * hidden, rows = batch * steps;
        RequireBackward(batch, steps, inputs, hidden, wIh, wHh, h0, c0, gates, cells, hs, dy, dhLast, dcLast, dwIh, dwHh, dbIh, dbHh, dh0, dc0, scratch, kernel);
        Recurrent.Require(x, rows * inputs, nameof(x), kernel);
        Recurrent.RequireOptional(dx, rows * inputs, nameof(dx), kernel);
        BackThroughTime(isa, batch, steps, hidden, wHh, h0, c0, gates, cells, hs, dy, dhLast, dcLast, dwHh, dbIh, dbHh, dh0, dc0, scratch,
            Work(BackwardWorkFloats(batch, hidden, width)), null, default, 0);
        Gemm.MatMulTransA(inputs, width, rows, x, gates, dwIh, accumulate: false, isa);
        if (!dx.IsEmpty) Gemm.MatMulTransB(rows, inputs, width, gates, wIh, dx, accumulate: false, isa);
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
        Span<float> dh0, Span<float> dc0, Span<float> scratch) =>
        BackwardTokensOn(batch, steps, vocabulary, inputs, hidden, tokens, table, wIh, wHh, h0, c0, gates, cells, hs, dy, dhLast, dcLast,
            dTable, dwIh, dwHh, dbIh, dbHh, dh0, dc0, scratch, Gemm.BestIsa);

    /// <summary><see cref="BackwardTokens"/> on the path <paramref name="isa"/> (tests force the narrower ones).</summary>
    internal static void BackwardTokensOn(int batch, int steps, int vocabulary, int inputs, int hidden,
        ReadOnlySpan<float> tokens, ReadOnlySpan<float> table, ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        Span<float> gates, ReadOnlySpan<float> cells, ReadOnlySpan<float> hs,
        ReadOnlySpan<float> dy, ReadOnlySpan<float> dhLast, ReadOnlySpan<float> dcLast,
        Span<float> dTable, Span<float> dwIh, Span<float> dwHh, Span<float> dbIh, Span<float> dbHh,
        Span<float> dh0, Span<float> dc0, Span<float> scratch, GemmIsa isa)
    {
        const string kernel = "Lstm.BackwardTokens";
        int width = Gates * hidden, rows = batch * steps;
        RequireBackward(batch, steps, inputs, hidden, wIh, wHh, h0, c0, gates, cells, hs, dy, dhLast, dcLast, dwIh, dwHh, dbIh, dbHh, dh0, dc0, scratch, kernel);
        RequireTokens(rows, vocabulary, inputs, tokens, table, kernel);
        Recurrent.Require(dTable, vocabulary * inputs, nameof(dTable), kernel);
        int sumsFloats = Region((long)vocabulary * width);
        float* work = Work(sumsFloats + BackwardWorkFloats(batch, hidden, vocabulary * width));
        var sums = new Span<float>(work, vocabulary * width);
        BackThroughTime(isa, batch, steps, hidden, wHh, h0, c0, gates, cells, hs, dy, dhLast, dcLast, dwHh, dbIh, dbHh, dh0, dc0, scratch,
            work + sumsFloats, work, tokens, vocabulary);
        Gemm.MatMulTransA(inputs, width, vocabulary, table, sums, dwIh, accumulate: false, isa);
        Gemm.MatMulTransB(vocabulary, inputs, width, sums, wIh, dTable, accumulate: false, isa);
    }

    // Recurrent.RequireBackward and the cell state: c0, cells, dcLast and dc0.
    private static void RequireBackward(int batch, int steps, int inputs, int hidden,
        ReadOnlySpan<float> wIh, ReadOnlySpan<float> wHh, ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        ReadOnlySpan<float> gates, ReadOnlySpan<float> cells, ReadOnlySpan<float> hs,
        ReadOnlySpan<float> dy, ReadOnlySpan<float> dhLast, ReadOnlySpan<float> dcLast,
        ReadOnlySpan<float> dwIh, ReadOnlySpan<float> dwHh, ReadOnlySpan<float> dbIh, ReadOnlySpan<float> dbHh,
        ReadOnlySpan<float> dh0, ReadOnlySpan<float> dc0, ReadOnlySpan<float> scratch, string kernel)
    {
        int bh = batch * hidden;
        Recurrent.RequireBackward(kernel, batch, steps, inputs, hidden, Gates * hidden, wIh, wHh, h0, gates, hs, dy, dhLast,
            dwIh, dwHh, dbIh, dbHh, dh0, scratch, ScratchLength(batch, hidden));
        Recurrent.RequireOptional(c0, bh, nameof(c0), kernel);
        Recurrent.Require(cells, batch * steps * hidden, nameof(cells), kernel);
        Recurrent.RequireOptional(dcLast, bh, nameof(dcLast), kernel);
        Recurrent.RequireOptional(dc0, bh, nameof(dc0), kernel);
    }

    // Everything of Backward but the input side: writes dW_hh, both bias gradients (equal: Σ_rows dz), dh0 and dc0,
    // and either leaves the pre-activation gradients in gates (null sums) or sums them into S [V, 4H], each row's dz
    // added to its token's row (then the bias gradients are S's column sums, and gates keep the gate values). The
    // steps run on the path isa (Recurrence.Backward), per batch group (Groups).
    private static void BackThroughTime(GemmIsa isa, int batch, int steps, int hidden, ReadOnlySpan<float> wHh, ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        Span<float> gates, ReadOnlySpan<float> cells, ReadOnlySpan<float> hs,
        ReadOnlySpan<float> dy, ReadOnlySpan<float> dhLast, ReadOnlySpan<float> dcLast,
        Span<float> dwHh, Span<float> dbIh, Span<float> dbHh, Span<float> dh0, Span<float> dc0, Span<float> scratch,
        float* work, float* sums, ReadOnlySpan<float> tokens, int vocabulary)
    {
        int width = Gates * hidden, bh = batch * hidden;
        fixed (float* pwHh = wHh, ph0 = h0, pc0 = c0, pGates = gates, pCells = cells, pHs = hs, pDy = dy,
                     pdwHh = dwHh, pdbIh = dbIh, pdh0 = dh0, pScratch = scratch, pTokens = tokens)
        {
            Recurrent.LoadState(dhLast, scratch.Slice(0, bh), bh);
            Recurrent.LoadState(dcLast, scratch.Slice(bh, bh), bh);
            var recurrence = new Recurrence
            {
                Batch = batch, Steps = steps, Hidden = hidden, W = pwHh, H0 = ph0, C0 = pc0, Z = pGates, Cells = pCells, Hs = pHs,
                Scratch = pScratch, Work = work, Table = sums, Tokens = pTokens, Vocabulary = vocabulary, Dy = pDy, Db = pdbIh, Dh0 = pdh0,
                DwHh = pdwHh, Isa = isa, Groups = Groups(batch), Backwards = true,
            };
            recurrence.Run();
            recurrence.AddGroups();
            if (!dc0.IsEmpty) scratch.Slice(bh, bh).CopyTo(dc0);

            if (sums != null)
            {
                new Span<float>(pdbIh, width).Clear();
                for (int v = 0; v < vocabulary; v++) Elementwise.AddTo(dbIh.Slice(0, width), new ReadOnlySpan<float>(sums + (nint)v * width, width));
            }
        }
        dbIh.Slice(0, width).CopyTo(dbHh);
    }

    // One call's buffers (pointers into its pinned spans; null for an empty one) and the two recurrences over them,
    // each instantiated per micro-kernel and run per batch group. Z holds the gate values (forward writes them,
    // backward replaces them by the pre-activation gradients); Table is ForwardTokens' projection P or BackwardTokens'
    // token sums S (null for the plain forms); Scratch is the call's scratch, Work its work buffer past Table.
    private struct Recurrence
    {
        public int Batch, Steps, Hidden, Vocabulary, Groups;
        public float* W, H0, C0, Z, Cells, Hs, Scratch, Work, Table, Dy, Db, Dh0, DwHh, Tokens;
        public GemmIsa Isa;
        public bool Backwards;

        // The widest panel of the path's micro-kernel.
        private readonly int PanelWidth => Isa switch
        {
            GemmIsa.Vector512 => Vector512Kernel.NR,
            GemmIsa.Vector256 => Vector256Kernel.NR,
            GemmIsa.Vector128 => Vector128Kernel.NR,
            _ => ScalarTileKernel.NR,
        };

        // Runs the recurrence: W_hh (forward) or W_hhᵀ (backward) packed into panels at the start of Work on this
        // thread, then the batch groups on the worker pool when more than one thread may run and the pool is free (its
        // record of this kind of call says splitting pays), else here. Forward alone runs the whole batch as one group
        // (each row's results do not depend on its group); backward runs its groups in order.
        public readonly void Run()
        {
            int hidden = Hidden, width = Gates * hidden, nr = PanelWidth;
            if (Backwards) Packing.PackB(width, hidden, nr, W, 1, width, Work);
            else Packing.PackB(hidden, width, nr, W, width, 1, Work);
            long kind = (((long)Batch << 42 | (long)Steps << 21 | (uint)hidden) << 1) + (Backwards ? 1 : 0);
            if (!WorkerPool.TryRun(RecurrenceJob.Instance, this, Groups, (long)Batch * Steps * hidden * width, kind,
                    Math.Min(Threading.Available, Groups)))
                RunAlone(onPool: false);
        }

        // Every group on this thread, in order (forward: the whole batch at once); onPool: inside a run of the worker
        // pool, whose products must stay on this thread.
        public readonly void RunAlone(bool onPool)
        {
            if (!Backwards) RunGroup(0, 1, onPool);
            else for (int g = 0; g < Groups; g++) RunGroup(g, Groups, onPool);
        }

        // Group g of groups on the path's micro-kernel.
        public readonly void RunGroup(int g, int groups, bool onPool)
        {
            int b0 = Batch * g / groups, b1 = Batch * (g + 1) / groups;
            switch (Isa)
            {
                case GemmIsa.Vector512: if (Backwards) Backward<Vector512Kernel>(g, b0, b1, onPool); else Forward<Vector512Kernel>(b0, b1); break;
                case GemmIsa.Vector256: if (Backwards) Backward<Vector256Kernel>(g, b0, b1, onPool); else Forward<Vector256Kernel>(b0, b1); break;
                case GemmIsa.Vector128: if (Backwards) Backward<Vector128Kernel>(g, b0, b1, onPool); else Forward<Vector128Kernel>(b0, b1); break;
                default: if (Backwards) Backward<ScalarTileKernel>(g, b0, b1, onPool); else Forward<ScalarTileKernel>(b0, b1); break;
            }
        }

        // Row [b, t] of Cells, or at t = 0 row b of C0 (null when there is none).
        private readonly float* PreviousCell(int b, int t) =>
            t > 0 ? Cells + ((nint)b * Steps + t - 1) * Hidden : C0 == null ? null : C0 + (nint)b * Hidden;

        // The row of the token table at the token of row [b, t] when there is a Table, else plain: the step's input
        // projection (forward: table is P, plain is row [b, t] of Z) or where its dz is summed (backward: table is the
        // group's S, plain is the group's bias sums, one row).
        private readonly float* TableRow(float* table, int b, int t, float* plain) =>
            table == null ? plain
            : table + (nint)Embedding.TokenId(new ReadOnlySpan<float>(Tokens, Batch * Steps), b * Steps + t, Vocabulary) * Gates * Hidden;

        // Forward of rows [b0, b1): W_hh in panels at the start of Work, h_{t−1} kept contiguous in Scratch (two [B, H]
        // halves, one read and one written per step: rows of the [B, T, ·] buffers are T·H floats apart, a multiple of
        // 4 KB that would map a tile's rows onto one L1 set); per step, h_{t−1}·W_hh for the group's rows into a
        // contiguous block of Work by direct micro-kernel calls, then the cell update row by row (LstmCell.StepForward).
        private readonly void Forward<TKernel>(int b0, int b1) where TKernel : struct, IMicroKernel
        {
            int hidden = Hidden, width = Gates * hidden, ld = GemmDriver.RoundUp(width, TKernel.NR);
            nint bh = (nint)Batch * hidden;
            float* packed = Work, block = packed + Region((long)ld * hidden);
            for (int t = 0; t < Steps; t++)
            {
                float* hPrev = t > 0 ? Scratch + ((t - 1) & 1) * bh : H0, hNext = Scratch + (t & 1) * bh;
                if (hPrev != null) Product<TKernel>(hPrev + (nint)b0 * hidden, b1 - b0, hidden, packed, width, block + (nint)b0 * ld, ld);
                for (int b = b0; b < b1; b++)
                {
                    nint row = (nint)b * Steps + t;
                    float* z = Z + row * width, cPrev = PreviousCell(b, t);
                    LstmCell.StepForward(TKernel.Lanes, hidden, TableRow(Table, b, t, z), hPrev == null ? null : block + b * ld, z, cPrev,
                        Cells + row * hidden, Hs + row * hidden, hNext + b * hidden);
                }
            }
        }

        // Where backward group g keeps what it sums: group 0 in the call's dW_hh and Table (or Db), each later group in
        // its own part of Work past the rings (BackwardWorkFloats).
        private readonly void GroupSums(int g, out float* dwHh, out float* sums)
        {
            if (g == 0)
            {
                dwHh = DwHh;
                sums = Table == null ? Db : Table;
                return;
            }
            int hidden = Hidden, width = Gates * hidden, ld = GemmDriver.RoundUp(hidden, PanelWidth), slots = RingSlots(Batch);
            float* partials = Work + Region((long)ld * width) + Region((long)Batch * ld) + Region((long)slots * Batch * width)
                + Region((long)slots * Batch * hidden);
            int sumsFloats = Region(Table == null ? width : (long)Vocabulary * width);
            dwHh = partials + (nint)(g - 1) * (Region((long)hidden * width) + sumsFloats);
            sums = dwHh + Region((long)hidden * width);
        }

        // After every group: the later groups' dW_hh and sums added to the first's, in group order.
        public readonly void AddGroups()
        {
            int width = Gates * Hidden, sums = Table == null ? width : Vocabulary * width;
            GroupSums(0, out float* dw, out float* s);
            for (int g = 1; g < Groups; g++)
            {
                GroupSums(g, out float* dwG, out float* sG);
                Elementwise.AddTo(new Span<float>(dw, Hidden * width), new ReadOnlySpan<float>(dwG, Hidden * width));
                Elementwise.AddTo(new Span<float>(s, sums), new ReadOnlySpan<float>(sG, sums));
            }
        }

        // Backward of group g, rows [b0, b1): W_hhᵀ in panels at the start of Work; the group's dz and h_{t−1} of its
        // last RingSlots steps kept contiguous in its part of the rings (step t in slot t mod RingSlots: dz_{t+1} is
        // read and dz_t written each step); per step, dh = dz_{t+1}·W_hhᵀ for the group's rows into a contiguous block
        // of Work by direct micro-kernel calls, then the step back through the cell row by row
        // (LstmCell.StepBackward). dh of the last step is dhLast (Scratch's first [B, H]), dc is carried in Scratch's
        // second; the group's dW_hh is summed over the ring's steps whenever it is full (while they are in L2), its dz
        // into its own sums, and dh0 = dz_0·W_hhᵀ is made like dh.
        private readonly void Backward<TKernel>(int g, int b0, int b1, bool onPool) where TKernel : struct, IMicroKernel
        {
            int hidden = Hidden, width = Gates * hidden, ld = GemmDriver.RoundUp(hidden, TKernel.NR), slots = RingSlots(Batch), rows = b1 - b0;
            nint bh = (nint)Batch * hidden, gw = (nint)rows * width, gh = (nint)rows * hidden;
            float* wT = Work, block = wT + Region((long)ld * width), dzs = block + Region((long)Batch * ld);
            float* hPrevs = dzs + Region((long)slots * Batch * width);
            dzs += (nint)slots * b0 * width;
            hPrevs += (nint)slots * b0 * hidden;
            float* dh = Scratch, dc = Scratch + bh;
            GroupSums(g, out float* dwHh, out float* sums);
            new Span<float>(sums, Table == null ? width : Vocabulary * width).Clear();
            for (int t = Steps - 1; t >= 0; t--)
            {
                float* dz = dzs + t % slots * gw, hPrev = hPrevs + t % slots * gh;
                bool recurrent = t < Steps - 1;
                if (recurrent) Product<TKernel>(dzs + (t + 1) % slots * gw, rows, width, wT, hidden, block + (nint)b0 * ld, ld);
                for (int b = b0; b < b1; b++)
                {
                    nint row = (nint)b * Steps + t;
                    float* cPrev = PreviousCell(b, t);
                    LstmCell.StepBackward(TKernel.Lanes, hidden, Z + row * width, Table == null, dz + (b - b0) * width, Cells + row * hidden, cPrev,
                        recurrent ? block + b * ld : dh + b * hidden, Dy == null ? null : Dy + row * hidden, dc + b * hidden, TableRow(Table == null ? null : sums, b, t, sums));
                    var previous = new Span<float>(hPrev + (b - b0) * hidden, hidden);
                    if (t > 0) new ReadOnlySpan<float>(Hs + (row - 1) * hidden, hidden).CopyTo(previous);
                    else if (H0 != null) new ReadOnlySpan<float>(H0 + b * hidden, hidden).CopyTo(previous);
                    else previous.Clear();
                }
                // dW_hh (+)= Σ h_{t'−1}ᵀ·dz_t' over the steps the ring holds, once they fill it (or at t = 0): the rows
                // of slots 0 to n − 1, contiguous, are steps t to t + n − 1.
                if (t % slots == 0)
                {
                    int n = Math.Min(slots, Steps - t);
                    Recurrent.Product(hidden, width, n * rows, hPrevs, 1, hidden, dzs, width, dwHh, width, accumulate: t + n < Steps, Isa,
                        onCaller: onPool);
                }
            }
            if (Dh0 == null) return;
            Product<TKernel>(dzs, rows, width, wT, hidden, block + (nint)b0 * ld, ld);
            for (int b = b0; b < b1; b++)
                new ReadOnlySpan<float>(block + b * ld, hidden).CopyTo(new Span<float>(Dh0 + b * hidden, hidden));
        }

        // c [rows, ⌈n / NR⌉·NR] (rows ldc floats apart) = a [rows, k] · b, with b packed by Packing.PackB into NR-wide
        // panels of k rows: for each panel and k-block of GemmRules.DefaultKC, one micro-kernel call per sliver of rows
        // (the panel's k-block, KC·NR floats, stays in L1 while the slivers sweep it). No GemmDriver set-up per call.
        private static void Product<TKernel>(float* a, int rows, int k, float* b, int n, float* c, int ldc) where TKernel : struct, IMicroKernel
        {
            int nr = TKernel.NR;
            for (int j0 = 0; j0 < n; j0 += nr)
                for (int p0 = 0; p0 < k; p0 += GemmRules.DefaultKC)
                {
                    int kc = Math.Min(GemmRules.DefaultKC, k - p0);
                    for (int r0 = 0, mr; r0 < rows; r0 += mr)
                    {
                        mr = GemmDriver.SliverRows(rows - r0, TKernel.MR);
                        TKernel.Run(mr, kc, a + (nint)r0 * k + p0, k, 1, b + (nint)j0 * k + (nint)p0 * nr, nr, c + (nint)r0 * ldc + j0, ldc, overwrite: p0 == 0);
                    }
                }
        }
    }

    /// <summary>The batch groups of one recurrence (<see cref="Groups"/>) for <see cref="WorkerPool"/>; one instance,
    /// whose arguments the pool's gate guards.</summary>
    private sealed class RecurrenceJob : ParallelJob<Recurrence>
    {
        public static readonly RecurrenceJob Instance = new();

        public override void RunPart(int group) => Args.RunGroup(group, Args.Groups, onPool: true);

        public override void RunAlone(int chunks) => Args.RunAlone(onPool: true);
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
