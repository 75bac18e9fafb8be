using System.Runtime.ExceptionServices;

namespace NetGen.Kernels.GemmCore;

/// <summary>Work that can be cut into numbered parts run concurrently.</summary>
internal abstract class ParallelJob
{
    /// <summary>Runs part <paramref name="part"/>; parts touch disjoint outputs.</summary>
    public abstract void RunPart(int part);
}

/// <summary>
/// A persistent pool of background threads that runs one <see cref="ParallelJob"/> at a time: part 0 on the caller,
/// the rest on workers woken through their own event. Nothing is allocated per run (workers are created the first
/// time a run needs them). A caller that finds the pool busy (another thread's product) gets false from
/// <see cref="TryEnter"/> and runs on its own thread instead of waiting.
/// </summary>
internal static class WorkerPool
{
    private static readonly object Gate = new();
    private static readonly ManualResetEventSlim Done = new(false);
    private static Worker[] _workers = [];
    private static ParallelJob? _job;
    private static int _pending;
    private static Exception? _failure;

    /// <summary>Takes the pool for one <see cref="Run"/>; pair with <see cref="Exit"/>.</summary>
    public static bool TryEnter() => Monitor.TryEnter(Gate);

    /// <summary>Releases the pool taken by <see cref="TryEnter"/>.</summary>
    public static void Exit() => Monitor.Exit(Gate);

    /// <summary>Runs parts 0..parts−1 of <paramref name="job"/> and returns when all are done; the caller holds the pool.</summary>
    public static void Run(ParallelJob job, int parts)
    {
        if (_workers.Length < parts - 1)
        {
            var grown = new Worker[parts - 1];
            _workers.CopyTo(grown, 0);
            for (int i = _workers.Length; i < grown.Length; i++) grown[i] = new Worker(i + 1);
            _workers = grown;
        }
        _job = job;
        _failure = null;
        _pending = parts - 1;
        Done.Reset();
        for (int i = 0; i < parts - 1; i++) _workers[i].Wake.Set();
        try
        {
            job.RunPart(0);
        }
        finally
        {
            Done.Wait();
            _job = null;
        }
        if (_failure is { } failure) ExceptionDispatchInfo.Capture(failure).Throw();
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
                Wake.Reset();
                try
                {
                    _job!.RunPart(_part);
                }
                catch (Exception e)
                {
                    _failure = e;
                }
                if (Interlocked.Decrement(ref _pending) == 0) Done.Set();
            }
        }
    }
}
