using System.Runtime.ExceptionServices;

namespace NetGen.Kernels.GemmCore;

/// <summary>Work that can be cut into numbered parts run concurrently.</summary>
internal abstract class ParallelJob
{
    /// <summary>Runs part <paramref name="part"/>; parts touch disjoint outputs.</summary>
    public abstract void RunPart(int part);
}

/// <summary>A job whose call arguments are one struct, set for the length of one <see cref="WorkerPool.TryRun{TArgs}"/>.</summary>
internal abstract class ParallelJob<TArgs> : ParallelJob where TArgs : struct
{
    /// <summary>The arguments of the run in progress; default between runs (the pool's gate guards them).</summary>
    public TArgs Args;
}

/// <summary>
/// A persistent pool of background threads that runs one <see cref="ParallelJob"/> at a time: part 0 on the caller,
/// part p on worker p, woken through its own event. Each part is claimed before it runs, and the caller, once its own
/// part is done, claims and runs every part whose worker has not started yet: on a busy machine a worker can take
/// longer to wake than a small product takes, and the product then costs what it costs on one thread instead of
/// waiting for the worker. Nothing is allocated per run (workers are created the first time a run needs them). A
/// caller that finds the pool busy (another thread's product) gets false from <see cref="TryEnter"/> and runs on its
/// own thread instead of waiting.
/// </summary>
internal static class WorkerPool
{
    private static readonly object Gate = new();
    /// <summary>Guards <see cref="_done"/>; the caller waits on it with Monitor.Wait, which (unlike a
    /// ManualResetEventSlim, whose lock object is created at its first blocking wait) allocates nothing on the
    /// managed heap, so the first time a caller has to wait for a worker is not an allocation in some later step.</summary>
    private static readonly object DoneLock = new();
    private static bool _done;
    private static Worker[] _workers = [];
    /// <summary>Per part: 2·generation while unclaimed in that run, 2·generation + 1 once claimed.</summary>
    private static int[] _claims = [];
    private static ParallelJob? _job;
    private static int _parts;
    private static int _completed;
    private static int _generation;
    private static Exception? _failure;

    /// <summary>Takes the pool for one <see cref="Run"/>; pair with <see cref="Exit"/>.</summary>
    public static bool TryEnter() => Monitor.TryEnter(Gate);

    /// <summary>Releases the pool taken by <see cref="TryEnter"/>.</summary>
    public static void Exit() => Monitor.Exit(Gate);

    /// <summary>Runs parts 0..parts−1 of <paramref name="job"/> with <paramref name="args"/> on the pool; false, having
    /// run nothing, when there are fewer than two parts or the pool is busy (the caller then runs the work itself).</summary>
    public static bool TryRun<TArgs>(ParallelJob<TArgs> job, in TArgs args, int parts) where TArgs : struct
    {
        if (parts < 2 || !TryEnter()) return false;
        try
        {
            job.Args = args;
            Run(job, parts);
        }
        finally
        {
            job.Args = default;
            Exit();
        }
        return true;
    }

    /// <summary>Runs parts 0..parts−1 of <paramref name="job"/> and returns when all are done; the caller holds the pool.</summary>
    public static void Run(ParallelJob job, int parts)
    {
        if (_workers.Length < parts - 1)
        {
            var claims = new int[parts];
            _claims.CopyTo(claims, 0);
            _claims = claims;
            var grown = new Worker[parts - 1];
            _workers.CopyTo(grown, 0);
            for (int i = _workers.Length; i < grown.Length; i++) grown[i] = new Worker(i + 1);
            _workers = grown;
        }
        int generation = _generation + 1;
        _job = job;
        _parts = parts;
        _failure = null;
        _completed = 0;
        for (int p = 0; p < parts; p++) _claims[p] = 2 * generation;
        _done = false;
        // Publishes the fields above to the workers, which read the generation before claiming their part.
        Volatile.Write(ref _generation, generation);
        for (int i = 0; i < parts - 1; i++) _workers[i].Wake.Set();
        bool last = false;
        for (int p = 0; p < parts; p++)
            last |= TryRunPart(p, generation);
        if (!last) WaitForWorkers();
        _job = null;
        if (_failure is { } failure) ExceptionDispatchInfo.Capture(failure).Throw();
    }

    /// <summary>Claims and runs part <paramref name="part"/> of run <paramref name="generation"/> unless another thread has; true if it completed the run.</summary>
    private static bool TryRunPart(int part, int generation)
    {
        if (Interlocked.CompareExchange(ref _claims[part], 2 * generation + 1, 2 * generation) != 2 * generation) return false;
        try
        {
            _job!.RunPart(part);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
        }
        return Interlocked.Increment(ref _completed) == _parts;
    }

    /// <summary>Spins briefly (a worker finishing its last tile), then sleeps until the run's last part signals.</summary>
    private static void WaitForWorkers()
    {
        var spinner = new SpinWait();
        while (!Volatile.Read(ref _done) && !spinner.NextSpinWillYield) spinner.SpinOnce();
        lock (DoneLock)
            while (!_done) Monitor.Wait(DoneLock);
    }

    /// <summary>Marks the run complete and wakes the waiting caller, if any.</summary>
    private static void SignalDone()
    {
        lock (DoneLock)
        {
            _done = true;
            Monitor.PulseAll(DoneLock);
        }
    }

    private sealed class Worker
    {
        public readonly ManualResetEventSlim Wake = new(false);
        private readonly int _part;

        public Worker(int part)
        {
            _part = part;
            new Thread(Loop) { IsBackground = true, Name = $"NetGen kernel worker {part}" }.Start();
        }

        private void Loop()
        {
            while (true)
            {
                Wake.Wait();
                // Reset before reading the generation: a run published after this sets the event again.
                Wake.Reset();
                if (TryRunPart(_part, Volatile.Read(ref _generation))) SignalDone();
            }
        }
    }
}
