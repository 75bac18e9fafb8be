using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace NetGen.Kernels.GemmCore;

/// <summary>Work that can be cut into numbered chunks run concurrently.</summary>
internal abstract class ParallelJob
{
    /// <summary>Runs chunk <paramref name="chunk"/>; chunks touch disjoint outputs, and each computes its outputs the
    /// same way whichever thread runs it.</summary>
    public abstract void RunPart(int chunk);
}

/// <summary>A job whose call arguments are one struct, set for the length of one <see cref="WorkerPool.TryRun{TArgs}"/>.</summary>
internal abstract class ParallelJob<TArgs> : ParallelJob where TArgs : struct
{
    /// <summary>The arguments of the run in progress; default between runs (the pool's gate guards them).</summary>
    public TArgs Args;
}

/// <summary>
/// A persistent pool of background threads that runs one <see cref="ParallelJob"/> at a time. A run is cut into
/// chunks that the caller and the woken workers claim one at a time from a shared counter until none is left, so a
/// worker that wakes late, or is preempted by another process, costs the run at most the one chunk it holds: the
/// caller runs whatever the worker has not claimed. A worker spins for a short while after each run before it blocks
/// (a training step's products follow each other within microseconds, and a blocked thread takes tens of
/// microseconds to wake on a virtual machine), and the caller spins briefly before blocking on the last chunks.
/// The pool also watches whether hand-offs pay: the caller times its own chunks and books each run's gain or loss
/// against what it alone would have taken; when the losses outweigh the gains (the workers get no core because other
/// processes hold it, or are preempted holding a chunk), the next runs stay on the caller, for a stretch that doubles
/// while hand-offs keep losing, so that a loaded machine runs at about the single-thread speed rather than below it. Results do not depend on any of this (chunks compute their outputs
/// the same way on any thread). Nothing is allocated per run (workers are created the first time a run needs them). A caller that finds the pool
/// busy (another thread's run) gets false from <see cref="TryEnter"/> and runs on its own thread instead of waiting.
/// </summary>
internal static class WorkerPool
{
    /// <summary>The most chunks one run may have (the claim counter packs the next chunk and the count in 16 bits each).</summary>
    public const int MaxChunks = 4096;

    /// <summary>How long a worker keeps spinning for the next run, and the caller for the last chunks, before blocking.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 20_000; // 50 µs

    private static readonly object Gate = new();
    /// <summary>Guards the caller's blocking wait for the last chunks; Monitor.Wait allocates nothing on the managed heap
    /// (unlike a ManualResetEventSlim, whose lock object is created at its first blocking wait).</summary>
    private static readonly object DoneLock = new();
    private static Worker[] _workers = [];
    /// <summary>The claim counter: run generation in the high 32 bits, next unclaimed chunk in bits 16–31, chunk count in
    /// bits 0–15. A claim names its generation, so a worker that arrives after its run has ended claims nothing.</summary>
    private static long _ticket;
    private static ParallelJob? _job;
    /// <summary>Chunks of the run in progress not yet finished (each thread subtracts what it ran when it runs out of chunks).</summary>
    private static int _remaining;
    /// <summary>How many workers the run in progress may use.</summary>
    private static int _helpers;
    private static int _generation;
    private static Exception? _failure;
    /// <summary>Runs still to be kept on the caller, and the length of the next such stretch.</summary>
    private static int _stayLeft, _stay = 1;
    /// <summary>Stopwatch ticks that recent hand-offs saved (negative: lost), at most <see cref="BalanceCap"/>.</summary>
    private static long _balance;

    /// <summary>The most saved time (2 ms) the pool banks against later losses.</summary>
    internal static readonly long BalanceCap = Stopwatch.Frequency / 500;
    /// <summary>The longest stretch of runs kept on the caller before hand-offs are tried again.</summary>
    internal const int MaxStay = 256;

    /// <summary>Whether runs whose hand-offs lose send the next runs to the caller (tests that must see every run
    /// split turn it off).</summary>
    internal static bool Adaptive = true;

    /// <summary>Takes the pool for one <see cref="Run"/>; pair with <see cref="Exit"/>. False when another thread holds
    /// it, or while recent hand-offs did not pay (the caller then runs the work itself).</summary>
    public static bool TryEnter()
    {
        if (!Monitor.TryEnter(Gate)) return false;
        if (_stayLeft == 0 || !Adaptive) return true;
        _stayLeft--;
        Monitor.Exit(Gate);
        return false;
    }

    /// <summary>Releases the pool taken by <see cref="TryEnter"/>.</summary>
    public static void Exit() => Monitor.Exit(Gate);

    /// <summary>Runs chunks 0..parts−1 of <paramref name="job"/> with <paramref name="args"/> on up to
    /// <paramref name="parts"/> threads; false, having run nothing, when there are fewer than two parts or the pool is
    /// busy (the caller then runs the work itself).</summary>
    public static bool TryRun<TArgs>(ParallelJob<TArgs> job, in TArgs args, int parts) where TArgs : struct
    {
        if (parts < 2 || !TryEnter()) return false;
        try
        {
            job.Args = args;
            Run(job, parts, parts);
        }
        finally
        {
            job.Args = default;
            Exit();
        }
        return true;
    }

    /// <summary>Runs chunks 0..chunks−1 of <paramref name="job"/> on the caller and up to <paramref name="threads"/> − 1
    /// workers and returns when all are done; the caller holds the pool.</summary>
    public static void Run(ParallelJob job, int chunks, int threads)
    {
        if (chunks is < 1 or > MaxChunks) throw new ArgumentOutOfRangeException(nameof(chunks), chunks, $"A run has 1 to {MaxChunks} chunks.");
        int helpers = Math.Min(threads, chunks) - 1;
        if (_workers.Length < helpers)
        {
            var grown = new Worker[helpers];
            _workers.CopyTo(grown, 0);
            for (int i = _workers.Length; i < grown.Length; i++) grown[i] = new Worker(i + 1);
            _workers = grown;
        }
        int generation = ++_generation;
        _job = job;
        _helpers = helpers;
        _failure = null;
        _remaining = chunks;
        // A full fence: publishes the fields above before the new generation, and orders it before reading whether a
        // worker sleeps (the worker announces its sleep with a full fence too, then rereads the generation).
        Interlocked.Exchange(ref _ticket, (long)generation << 32 | (uint)chunks);
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < helpers; i++) _workers[i].Wake();
        RunChunks(generation, out int ran, out long busy);
        WaitForWorkers();
        Judge(chunks, ran, busy, Stopwatch.GetTimestamp() - start);
        _job = null;
        if (_failure is { } failure) ExceptionDispatchInfo.Capture(failure).Throw();
    }

    /// <summary>
    /// Books what the run gained: the caller ran <paramref name="ran"/> of <paramref name="chunks"/> chunks in
    /// <paramref name="busy"/> ticks, so alone it would have taken about busy·chunks/ran (a run the workers did alone
    /// gained all it took). Gains and losses add up, capped at <see cref="BalanceCap"/> (old gains do not excuse a long
    /// run of losses); when the sum turns negative the next runs stay on the caller, for a stretch that doubles each
    /// time until hand-offs have gained a full cap again.
    /// </summary>
    internal static void Judge(int chunks, int ran, long busy, long elapsed)
    {
        long alone = ran == 0 ? 2 * elapsed : busy * chunks / ran;
        _balance = Math.Min(_balance + alone - elapsed, BalanceCap);
        if (_balance == BalanceCap) _stay = 1;
        if (_balance >= 0) return;
        _balance = 0;
        _stayLeft = _stay;
        _stay = Math.Min(2 * _stay, MaxStay);
    }

    /// <summary>Claims and runs chunks of run <paramref name="generation"/> until none is left, then counts them done;
    /// true if that finished the run. <paramref name="ran"/> and <paramref name="busy"/>: how many chunks this thread
    /// ran, and in how many Stopwatch ticks.</summary>
    private static bool RunChunks(int generation, out int ran, out long busy)
    {
        ran = 0;
        long start = Stopwatch.GetTimestamp();
        for (int chunk; (chunk = Claim(generation)) >= 0; ran++)
        {
            try
            {
                // Read after a successful claim: the run cannot end (and the field change) before this chunk is counted.
                _job!.RunPart(chunk);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }
        }
        busy = Stopwatch.GetTimestamp() - start;
        return ran > 0 && Interlocked.Add(ref _remaining, -ran) == 0;
    }

    /// <summary>The next unclaimed chunk of run <paramref name="generation"/>, or −1 when none is left or that run has ended.</summary>
    private static int Claim(int generation)
    {
        while (true)
        {
            long ticket = Volatile.Read(ref _ticket);
            int next = (int)(ticket >> 16) & 0xFFFF, count = (int)ticket & 0xFFFF;
            if ((int)(ticket >> 32) != generation || next >= count) return -1;
            if (Interlocked.CompareExchange(ref _ticket, ticket + (1L << 16), ticket) == ticket) return next;
        }
    }

    /// <summary>Spins while the workers finish their last chunks (at most one each), then sleeps until the last one signals.</summary>
    private static void WaitForWorkers()
    {
        if (Volatile.Read(ref _remaining) == 0) return;
        long until = Stopwatch.GetTimestamp() + SpinTicks;
        while (Volatile.Read(ref _remaining) != 0)
        {
            Thread.SpinWait(20);
            if (Stopwatch.GetTimestamp() > until)
            {
                lock (DoneLock)
                    while (Volatile.Read(ref _remaining) != 0) Monitor.Wait(DoneLock);
                return;
            }
        }
    }

    /// <summary>Wakes the caller if it sleeps in <see cref="WaitForWorkers"/> (a worker finished the run's last chunk).</summary>
    private static void SignalDone()
    {
        lock (DoneLock) Monitor.PulseAll(DoneLock);
    }

    private sealed class Worker
    {
        private readonly object _lock = new();
        private readonly int _index;
        /// <summary>1 while the worker blocks (or is about to) on <see cref="_lock"/>.</summary>
        private int _sleeping;

        public Worker(int index)
        {
            _index = index;
            new Thread(Loop) { IsBackground = true, Name = $"NetGen kernel worker {index}" }.Start();
        }

        /// <summary>Called after a new generation is published: pulses the worker if it sleeps.</summary>
        public void Wake()
        {
            if (Volatile.Read(ref _sleeping) == 0) return;
            lock (_lock) Monitor.Pulse(_lock);
        }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                seen = NextGeneration(seen);
                // A worker beyond this run's share only passes it by (it was spinning when the run began).
                if (_index <= Volatile.Read(ref _helpers) && RunChunks(seen, out _, out _)) SignalDone();
            }
        }

        /// <summary>Waits for a run newer than <paramref name="seen"/>: spins for a while (yielding the core now and then,
        /// in case the caller or another process waits for it), then blocks.</summary>
        private int NextGeneration(int seen)
        {
            long until = Stopwatch.GetTimestamp() + SpinTicks;
            int generation;
            for (int spins = 1; (generation = (int)(Volatile.Read(ref _ticket) >> 32)) == seen; spins++)
            {
                if (spins % 16 == 0) Thread.Yield();
                else Thread.SpinWait(20);
                if (Stopwatch.GetTimestamp() <= until) continue;
                // Announce the sleep with a full fence, then reread the generation under the lock the caller pulses.
                Interlocked.Exchange(ref _sleeping, 1);
                lock (_lock)
                    while ((generation = (int)(Volatile.Read(ref _ticket) >> 32)) == seen) Monitor.Wait(_lock);
                Volatile.Write(ref _sleeping, 0);
                break;
            }
            return generation;
        }
    }
}
