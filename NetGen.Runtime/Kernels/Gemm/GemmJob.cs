namespace NetGen.Kernels.GemmCore;

/// <summary>
/// A product split over output tiles for <see cref="WorkerPool"/>, in several chunks per thread so that a late or
/// preempted worker costs at most one chunk: runs of whole NR-wide column panels (each chunk packs only its own part
/// of B, but all of a packed A) or runs of whole MR-row slivers (its own part of A, all of a packed B), whichever
/// repeats less packing and gives enough chunks (one chunk per thread when the cut repacks an operand in each). Every element of C is computed
/// the same way whatever the cut. One preallocated instance per kernel and epilogue; the pool's gate makes its fields
/// safe to reuse.
/// </summary>
internal sealed class GemmJob<TKernel, TAct> : ParallelJob
    where TKernel : struct, IMicroKernel
    where TAct : struct, IActivation
{
    /// <summary>Chunks per thread a product is cut into when it is large enough: a worker that is late by a chunk's
    /// time leaves the caller that much more to do, and each chunk re-reads (or re-packs) the operand it does not split.</summary>
    internal const int ChunksPerThread = 4;
    /// <summary>The fewest multiply-adds in a chunk (≈ 3 µs of one core): below it the per-chunk set-up shows.</summary>
    internal const long MinChunkWork = 1L << 19;

    private static readonly GemmJob<TKernel, TAct> Instance = new();
    private GemmArgs _args;
    private int _chunks, _units;
    private bool _byColumns;

    /// <summary>Runs <paramref name="g"/> on up to <paramref name="threads"/> threads; false if it was not run (too little
    /// work to cut, or the pool is busy).</summary>
    public static bool TryRun(in GemmArgs g, int threads)
    {
        int columnUnits = (g.N + TKernel.NR - 1) / TKernel.NR;
        int rowUnits = (g.M + TKernel.MR - 1) / TKernel.MR;
        long work = (long)g.M * g.N * g.K;
        int target = (int)Math.Min(threads * ChunksPerThread, Math.Max(1, work / MinChunkWork));
        // Each chunk of a column cut packs all of A again when the driver packs A; each chunk of a row cut packs all of
        // B again when it packs B. Cut the way that repeats less, as long as it gives enough chunks.
        var (packA, packB) = GemmDriver.Packs(g);
        long againByColumns = packA ? (long)g.M * g.K : 0, againByRows = packB ? (long)g.K * g.N : 0;
        bool byColumns = columnUnits >= target && (rowUnits < target || againByColumns <= againByRows)
            || columnUnits < target && columnUnits >= rowUnits;
        int units = byColumns ? columnUnits : rowUnits;
        // A cut that repacks an operand in every chunk gets one chunk per thread: more would pay the repacking again
        // (the char-LSTM's dW_hh, 128×512 over k = 2,048 with A transposed, cost more split in eight than it saved).
        if ((byColumns ? againByColumns : againByRows) > 0) target = Math.Min(target, threads);
        int chunks = Math.Min(Math.Min(target, units), WorkerPool.MaxChunks);
        if (chunks < 2 || !WorkerPool.TryEnter()) return false;
        try
        {
            var job = Instance;
            job._args = g;
            job._chunks = chunks;
            job._units = units;
            job._byColumns = byColumns;
            WorkerPool.Run(job, chunks, threads, work, job.RecordOf(g));
        }
        finally
        {
            WorkerPool.Exit();
        }
        return true;
    }

    /// <summary>The hand-off record of <paramref name="g"/>'s kind: its sizes, operand layouts, bias and optimizer update.</summary>
    private unsafe HandOffRecord RecordOf(in GemmArgs g) => Records.Of(
        ((long)g.M << 42 | (long)g.N << 21 | (uint)g.K) * 32 + (g.Update != null ? 16 : 0)
        + (g.CsA == 1 ? 8 : 0) + (g.CsB == 1 ? 4 : 0) + (g.Bias != null ? 2 : 0) + (g.TransposeC ? 1 : 0));

    /// <summary>The whole product in one driver call: each operand packed once.</summary>
    public override void RunAlone(int chunks) => GemmDriver.Run<TKernel, TAct>(_args);

    public override void RunPart(int chunk)
    {
        int u0 = (int)((long)_units * chunk / _chunks), u1 = (int)((long)_units * (chunk + 1) / _chunks);
        if (_byColumns)
        {
            int j0 = u0 * TKernel.NR, j1 = Math.Min(_args.N, u1 * TKernel.NR);
            GemmDriver.Run<TKernel, TAct>(_args.Columns(j0, j1 - j0));
        }
        else
        {
            int i0 = u0 * TKernel.MR, i1 = Math.Min(_args.M, u1 * TKernel.MR);
            GemmDriver.Run<TKernel, TAct>(_args.Rows(i0, i1 - i0));
        }
    }
}
