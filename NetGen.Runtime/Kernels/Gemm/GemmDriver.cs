using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NetGen.Kernels.GemmCore;

/// <summary>
/// The blocking loops around a micro-kernel, on one thread, as the product's <see cref="GemmArgs.Tiling"/> says (its
/// defaults are the rules below). Per column block of NC and k-block of KC (jc → pc) the B block is packed into NR-wide
/// panels that stay in L2 (or read in place), then, in the rule's order, each A sliver of up to MR rows is kept in L1
/// while it sweeps every panel (ir → jr; the C tiles of a sliver are visited left to right), or, in the panel-outer
/// order, each panel is kept in L1 while every sliver sweeps it (jr → ir). A row-major A is read in place (its sliver
/// stays in L1 all the same; packing measured no faster, even at 1024³); a transposed A is packed one sliver at a time,
/// just before the sliver's sweep, unless it is small. A row-major B is read in place for few rows of an A read in
/// place (a packed B would be read by too few slivers to pay for its copy).
/// </summary>
internal static unsafe class GemmDriver
{
    /// <summary>Products with more rows than this pack a row-major B (it is then read by enough slivers to pay for
    /// the copy); a transposed B is always packed.</summary>
    public const int PackBRowsAbove = 144;
    /// <summary>A transposed A is read in place when it has few rows and k is at most this (the char-LSTM's per-step
    /// 128×512 weight gradient over a batch of 32: packing both operands cost 8%); otherwise it is packed.</summary>
    public const int ShortK = 64;

    /// <summary>Which operands <see cref="Run{TKernel, TAct}"/> packs for <paramref name="g"/>: the tiling's choices, and
    /// where they are the rule's, a transposed A unless it has few rows and a short k (never in the panel-outer order,
    /// which reads A in place), and B whenever A is packed, B is transposed, or A has many rows.</summary>
    public static (bool PackA, bool PackB) Packs(in GemmArgs g)
    {
        var t = g.Tiling;
        bool packA = t.A == GemmOperand.Rule
            ? t.Order != GemmLoopOrder.PanelsOuter && g.CsA != 1 && (g.M > PackBRowsAbove || g.K > ShortK)
            : t.A == GemmOperand.Packed;
        bool packB = t.B == GemmOperand.Rule ? packA || g.CsB != 1 || g.M > PackBRowsAbove : t.B == GemmOperand.Packed;
        return (packA, packB);
    }

    /// <summary>One k-block of one column block, as <see cref="Tile{TKernel, TAct}"/> reads it.</summary>
    private struct Block
    {
        public int Jc, Nc, Kc, EdgeWidth;
        public float* B, BPacked, Tile, TileT;
        public bool PackB, Overwrite, Last, Epilogue;
    }

    public static void Run<TKernel, TAct>(in GemmArgs g)
        where TKernel : struct, IMicroKernel
        where TAct : struct, IActivation
    {
        int MR = TKernel.MR, NR = TKernel.NR;
        bool epilogue = typeof(TAct) != typeof(Identity) || g.Bias != null;
        if (g.M == 0 || g.N == 0) return;
        if ((epilogue || g.Update != null) && g.TransposeC) throw new NotSupportedException("A product written transposed has no epilogue.");
        if (g.K == 0)
        {
            int rows = g.TransposeC ? g.N : g.M, columns = g.TransposeC ? g.M : g.N;
            for (int i = 0; i < rows; i++)
            {
                float* ci = g.C + i * g.Ldc;
                if (!g.Accumulate) new Span<float>(ci, columns).Clear();
                if (epilogue) Elementwise.BiasActivate<TAct>(ci, columns, g.Bias, TKernel.Lanes);
            }
            if (g.Update != null) g.UpdateBlock(0, 0, g.M, g.N, g.C, g.Ldc);
            return;
        }

        var (packA, packB) = Packs(g);
        int KC = g.Tiling.BlockK, NC = g.Tiling.BlockN;
        bool panelsOuter = g.Tiling.Order == GemmLoopOrder.PanelsOuter;
        // Packed B block (or, with B in place, the zero-padded last partial panel), one packed A sliver, one edge tile.
        int bFloats = KC * (packB ? RoundUp(Math.Min(g.N, NC), NR) : NR);
        // With an optimizer update and one k-block, C is not written at all: each sliver of the product goes to
        // scratch (mr × nc, in L1), the update reads it there, and the gradient never goes to memory (storing it cost
        // 13–18 µs of a 420 µs MLP step, measured). The panel-outer order finishes a sliver only with the block's last
        // panel: it writes C and updates each column block after its last k-block.
        bool sliverInScratch = g.Update != null && g.K <= KC && !g.Accumulate && !panelsOuter;
        int sliverStride = sliverInScratch ? RoundUp(Math.Min(g.N, NC), NR) : 0;
        var block = new Block { PackB = packB, Epilogue = epilogue };
        block.BPacked = Scratch.Get(bFloats + MR * KC + 2 * MR * NR + MR * sliverStride);
        float* aPacked = block.BPacked + bFloats;
        block.Tile = aPacked + MR * KC;
        block.TileT = block.Tile + MR * NR;
        float* sliver = block.TileT + MR * NR;

        for (int jc = 0; jc < g.N; jc += NC)
        {
            int nc = Math.Min(NC, g.N - jc);
            int edge = nc % NR;
            block.Jc = jc;
            block.Nc = nc;
            // A partial last panel of one vector or less is read by the one-vector kernel, padded to one vector.
            block.EdgeWidth = edge <= TKernel.Lanes ? TKernel.Lanes : NR;
            for (int pc = 0; pc < g.K; pc += KC)
            {
                int kc = Math.Min(KC, g.K - pc);
                block.Kc = kc;
                block.Overwrite = pc == 0 && !g.Accumulate;
                block.Last = pc + kc == g.K;
                block.B = g.B + pc * g.RsB + jc * g.CsB;
                if (packB) Packing.PackB(kc, nc, NR, block.B, g.RsB, g.CsB, block.BPacked);
                else if (edge != 0) Packing.PackB(kc, edge, block.EdgeWidth, block.B + (nc - edge), g.RsB, 1, block.BPacked);
                if (panelsOuter)
                {
                    for (int jr = 0; jr < nc; jr += NR)
                        for (int ir = 0, mr; ir < g.M; ir += mr)
                        {
                            mr = SliverRows(g.M - ir, MR);
                            Tile<TKernel, TAct>(g, block, ir, mr, g.A + ir * g.RsA + pc * g.CsA, g.RsA, g.CsA, g.C + ir * g.Ldc + jc, g.Ldc, jr);
                        }
                    if (block.Last && g.Update != null) g.UpdateBlock(0, jc, g.M, nc, g.C + jc, g.Ldc);
                    continue;
                }
                for (int ir = 0, mr; ir < g.M; ir += mr)
                {
                    mr = SliverRows(g.M - ir, MR);
                    float* a = g.A + ir * g.RsA + pc * g.CsA;
                    nint rsA = g.RsA, csA = g.CsA;
                    if (packA)
                    {
                        Packing.PackA(kc, mr, a, rsA, csA, aPacked);
                        a = aPacked;
                        rsA = 1;
                        csA = mr;
                    }
                    nint ldc = sliverInScratch ? sliverStride : g.Ldc;
                    float* cRow = sliverInScratch ? sliver : g.C + ir * g.Ldc + jc;
                    for (int jr = 0; jr < nc; jr += NR) Tile<TKernel, TAct>(g, block, ir, mr, a, rsA, csA, cRow, ldc, jr);
                    // The optimizer's update of the sliver's parameters (mr whole rows of the block when nc = Ldc: one
                    // contiguous run of parameters and state), while its gradient is in L1. Per tile measured slower:
                    // 12 short runs per tile defeat the hardware prefetchers on the parameter and state streams.
                    if (block.Last && g.Update != null) g.UpdateBlock(ir, jc, mr, nc, cRow, ldc);
                }
            }
        }
    }

    /// <summary>The tile of the sliver at row <paramref name="ir"/> (<paramref name="mr"/> rows, read from
    /// <paramref name="a"/>) and the panel at column <paramref name="jr"/> of the block, written to the sliver's C row
    /// <paramref name="cRow"/> (stride <paramref name="ldc"/>), with the epilogue after the last k-block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile<TKernel, TAct>(in GemmArgs g, in Block k, int ir, int mr, float* a, nint rsA, nint csA, float* cRow, nint ldc, int jr)
        where TKernel : struct, IMicroKernel
        where TAct : struct, IActivation
    {
        int NR = TKernel.NR;
        int nr = Math.Min(NR, k.Nc - jr);
        float* c = cRow + jr;
        float* panel = k.PackB ? k.BPacked + (nint)jr * k.Kc : nr == NR ? k.B + jr : k.BPacked;
        nint ldb = k.PackB ? NR : nr == NR ? g.RsB : k.EdgeWidth;
        if (g.TransposeC)
        {
            // C holds this product's transpose: compute the tile, transpose it, write each of its
            // columns as a run of mr floats of a row of C.
            if (nr <= TKernel.Lanes) TKernel.RunNarrow(mr, k.Kc, a, rsA, csA, panel, ldb, k.Tile, NR, true);
            else TKernel.Run(mr, k.Kc, a, rsA, csA, panel, ldb, k.Tile, NR, true);
            Packing.PackA(nr, mr, k.Tile, NR, 1, k.TileT);
            float* cT = g.C + (k.Jc + jr) * g.Ldc + ir;
            for (int j = 0; j < nr; j++) PutRun(cT + j * g.Ldc, k.TileT + j * mr, mr, k.Overwrite);
        }
        else if (nr == NR)
            TKernel.Run(mr, k.Kc, a, rsA, csA, panel, ldb, c, ldc, k.Overwrite);
        else
        {
            // Edge tile: compute mr×NR (or mr×Lanes for a narrow last panel) into scratch, keep the valid columns.
            if (nr <= TKernel.Lanes) TKernel.RunNarrow(mr, k.Kc, a, rsA, csA, panel, ldb, k.Tile, NR, true);
            else TKernel.Run(mr, k.Kc, a, rsA, csA, panel, ldb, k.Tile, NR, true);
            for (int i = 0; i < mr; i++)
            {
                if (k.Overwrite) new ReadOnlySpan<float>(k.Tile + i * NR, nr).CopyTo(new Span<float>(c + i * ldc, nr));
                else Elementwise.AddTo(ref c[i * ldc], in k.Tile[i * NR], nr, TKernel.Lanes);
            }
        }
        if (k.Last && k.Epilogue)
        {
            float* bias = g.Bias == null ? null : g.Bias + k.Jc + jr;
            for (int i = 0; i < mr; i++)
                Elementwise.BiasActivate<TAct>(c + i * ldc, nr, bias, TKernel.Lanes);
        }
    }

    /// <summary>dst[i] = src[i] (<paramref name="overwrite"/>) or dst[i] += src[i] for i &lt; count (at most a few vectors).</summary>
    private static void PutRun(float* dst, float* src, int count, bool overwrite)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= count - 8; i += 8)
            {
                var v = Vector256.Load(src + i);
                if (!overwrite) v += Vector256.Load(dst + i);
                v.Store(dst + i);
            }
            for (; i <= count - 4; i += 4)
            {
                var v = Vector128.Load(src + i);
                if (!overwrite) v += Vector128.Load(dst + i);
                v.Store(dst + i);
            }
        }
        for (; i < count; i++) dst[i] = overwrite ? src[i] : dst[i] + src[i];
    }

    /// <summary>
    /// Rows of the sliver that starts with <paramref name="remaining"/> rows left: MR while at least two full slivers
    /// remain, then the rest split into two near-equal slivers (64 rows as 12, 12, 12, 12, 8, 8, not a 4-row tail).
    /// </summary>
    public static int SliverRows(int remaining, int MR) =>
        remaining >= 2 * MR || remaining == MR ? MR : remaining < MR ? remaining : (remaining + 1) / 2;

    internal static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
}

/// <summary>
/// The scalar path, for machines without AVX2/FMA: the same strided contract as <see cref="GemmDriver"/>, one dot
/// product per output element.
/// </summary>
internal static unsafe class ScalarGemm
{
    public static void Run<TAct>(in GemmArgs g) where TAct : struct, IActivation
    {
        bool epilogue = typeof(TAct) != typeof(Identity) || g.Bias != null;
        for (int i = 0; i < g.M; i++)
        {
            float* ci = g.C + i * g.Ldc;
            for (int j = 0; j < g.N; j++)
            {
                float s = 0f;
                for (int p = 0; p < g.K; p++) s += g.A[i * g.RsA + p * g.CsA] * g.B[p * g.RsB + j * g.CsB];
                ci[j] = g.Accumulate ? ci[j] + s : s;
            }
            if (epilogue) Elementwise.BiasActivate<TAct>(ci, g.N, g.Bias, 1);
            if (g.Update != null) g.UpdateBlock(i, 0, 1, g.N, ci, g.Ldc);
        }
    }
}
