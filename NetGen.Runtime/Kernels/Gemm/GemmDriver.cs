namespace NetGen.Kernels.GemmCore;

/// <summary>
/// The blocking loops around a micro-kernel (jc → pc → ic → jr → ir, as in BLIS), on one thread.
/// When A has more rows than one MC block, A slivers and B panels are packed (each pack is reused many times);
/// for fewer rows A and a row-major B are read in place, which measured faster on small MLP shapes, and only a
/// transposed B, the last partial A sliver and the last partial B panel are packed.
/// </summary>
internal static unsafe class GemmDriver
{
    /// <summary>k-block: a 256×32 B panel (32 KB) stays in L1 while every MR sliver of the row block uses it.</summary>
    public const int KC = 256;
    /// <summary>Row block (a multiple of every MR): 144×256 floats of A stay in L2 across the column panels.</summary>
    public const int MC = 144;
    /// <summary>Column block: the packed KC×NC block of B is 512 KB.</summary>
    public const int NC = 512;

    public static void Run<TKernel, TAct>(in GemmArgs g)
        where TKernel : struct, IMicroKernel
        where TAct : struct, IActivation
    {
        int MR = TKernel.MR, NR = TKernel.NR;
        bool epilogue = typeof(TAct) != typeof(Identity) || g.Bias != null;
        if (g.M == 0 || g.N == 0) return;
        if (g.K == 0)
        {
            for (int i = 0; i < g.M; i++)
            {
                float* ci = g.C + i * g.Ldc;
                if (!g.Accumulate) new Span<float>(ci, g.N).Clear();
                if (epilogue) Elementwise.BiasActivate<TAct>(ci, g.N, g.Bias, TKernel.Lanes);
            }
            return;
        }

        // Large products pack both operands (contiguous slivers and panels avoid L1 set conflicts from long
        // strides); small ones read a row-major B and A in place.
        bool packA = g.M > MC;
        bool packB = packA || g.CsB != 1;
        int packedFloats = packB ? KC * RoundUp(Math.Min(g.N, NC), NR) : 0;
        int aFloats = (packA ? MC : MR) * KC;
        float* bPacked = Scratch.Get(packedFloats + aFloats + KC * NR + MR * NR);
        float* aPacked = bPacked + packedFloats;
        float* bEdge = aPacked + aFloats;
        float* tile = bEdge + KC * NR;

        for (int jc = 0; jc < g.N; jc += NC)
        {
            int nc = Math.Min(NC, g.N - jc);
            for (int pc = 0; pc < g.K; pc += KC)
            {
                int kc = Math.Min(KC, g.K - pc);
                bool overwrite = pc == 0 && !g.Accumulate;
                bool last = pc + kc == g.K;
                float* bBlock = g.B + pc * g.RsB + jc * g.CsB;
                if (packB) Packing.PackB(kc, nc, NR, bBlock, g.RsB, g.CsB, bPacked);
                for (int ic = 0; ic < g.M; ic += MC)
                {
                    int mc = Math.Min(MC, g.M - ic);
                    int mFull = mc - mc % MR;
                    float* aBlock = g.A + ic * g.RsA + pc * g.CsA;
                    if (packA) Packing.PackA(kc, mc, MR, aBlock, g.RsA, g.CsA, aPacked);
                    else if (mFull < mc) Packing.PackA(kc, mc - mFull, MR, aBlock + mFull * g.RsA, g.RsA, g.CsA, aPacked);
                    for (int jr = 0; jr < nc; jr += NR)
                    {
                        int nr = Math.Min(NR, nc - jr);
                        float* panel;
                        nint ldb;
                        if (packB) { panel = bPacked + (nint)jr * kc; ldb = NR; }
                        else if (nr == NR) { panel = bBlock + jr; ldb = g.RsB; }
                        else
                        {
                            // Unpacked path (one row block): the last partial panel is padded once per k-block,
                            // to one vector when the narrow kernel will read it.
                            int width = nr <= TKernel.Lanes ? TKernel.Lanes : NR;
                            Packing.PackB(kc, nr, width, bBlock + jr, g.RsB, 1, bEdge);
                            panel = bEdge;
                            ldb = width;
                        }
                        float* bias = g.Bias == null ? null : g.Bias + jc + jr;
                        for (int ir = 0; ir < mc; ir += MR)
                        {
                            int mr = Math.Min(MR, mc - ir);
                            float* a = packA ? aPacked + (nint)ir * kc : mr < MR ? aPacked : aBlock + ir * g.RsA;
                            nint rsA = packA || mr < MR ? 1 : g.RsA, csA = packA || mr < MR ? MR : g.CsA;
                            float* c = g.C + (ic + ir) * g.Ldc + jc + jr;
                            if (mr == MR && nr == NR)
                                TKernel.Run(kc, a, rsA, csA, panel, ldb, c, g.Ldc, overwrite);
                            else
                            {
                                // Edge tile: compute MR×NR (or MR×Lanes for a narrow last panel) into scratch, keep the valid corner.
                                if (nr <= TKernel.Lanes) TKernel.RunNarrow(kc, a, rsA, csA, panel, ldb, tile, NR, true);
                                else TKernel.Run(kc, a, rsA, csA, panel, ldb, tile, NR, true);
                                for (int i = 0; i < mr; i++)
                                {
                                    if (overwrite) new ReadOnlySpan<float>(tile + i * NR, nr).CopyTo(new Span<float>(c + i * g.Ldc, nr));
                                    else Elementwise.AddTo(ref c[i * g.Ldc], in tile[i * NR], nr, TKernel.Lanes);
                                }
                            }
                            if (last && epilogue)
                                for (int i = 0; i < mr; i++)
                                    Elementwise.BiasActivate<TAct>(c + i * g.Ldc, nr, bias, TKernel.Lanes);
                        }
                    }
                }
            }
        }
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
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
        }
    }
}
