namespace NetGen.Kernels.GemmCore;

/// <summary>
/// A product split over output tiles for <see cref="WorkerPool"/>: whole NR-wide column panels per part when there
/// are enough of them (each thread then packs only its own part of B), whole MR-row slivers otherwise. One
/// preallocated instance per kernel and epilogue; the pool's gate makes its fields safe to reuse.
/// </summary>
internal sealed class GemmJob<TKernel, TAct> : ParallelJob
    where TKernel : struct, IMicroKernel
    where TAct : struct, IActivation
{
    private static readonly GemmJob<TKernel, TAct> Instance = new();
    private GemmArgs _args;
    private int _parts, _units;
    private bool _byColumns;

    /// <summary>Runs <paramref name="g"/> on up to <paramref name="threads"/> threads; false if it was not run (too few tiles, or the pool is busy).</summary>
    public static bool TryRun(in GemmArgs g, int threads)
    {
        int columnUnits = (g.N + TKernel.NR - 1) / TKernel.NR;
        int rowUnits = (g.M + TKernel.MR - 1) / TKernel.MR;
        bool byColumns = columnUnits >= threads || columnUnits >= rowUnits;
        int units = byColumns ? columnUnits : rowUnits;
        int parts = Math.Min(threads, units);
        if (parts < 2 || !WorkerPool.TryEnter()) return false;
        try
        {
            var job = Instance;
            job._args = g;
            job._parts = parts;
            job._units = units;
            job._byColumns = byColumns;
            WorkerPool.Run(job, parts);
        }
        finally
        {
            WorkerPool.Exit();
        }
        return true;
    }

    public override void RunPart(int part)
    {
        int u0 = (int)((long)_units * part / _parts), u1 = (int)((long)_units * (part + 1) / _parts);
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
