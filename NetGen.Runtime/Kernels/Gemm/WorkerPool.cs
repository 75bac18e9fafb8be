using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace NetGen.Kernels.GemmCore;

/// <summary>Work that can be cut into numbered chunks run concurrently.</summary>
internal abstract class ParallelJob
{
    /// <summary>How this job's runs have fared split and alone, per kind of call.</summary>
    public readonly HandOffRecords Records = new();

    /// <summary>Runs chunk <paramref name="chunk"/>; chunks touch disjoint outputs, and each computes its outputs the
    /// same way whichever thread runs it.</summary>
    public abstract void RunPart(int chunk);

    /// <summary>Runs all <paramref name="chunks"/> chunks' work on the calling thread, with the same results; by default
    /// chunk by chunk, but a job may do it in one piece when that is cheaper (a product cut into column runs repacks A
    /// for each).</summary>
    public virtual void RunAlone(int chunks)
    {
        for (int chunk = 0; chunk < chunks; chunk++) RunPart(chunk);
    }
}

/// <summary>A job whose call arguments are one struct, set for the length of one <see cref="WorkerPool.TryRun{TArgs}"/>.</summary>
internal abstract class ParallelJob<TArgs> : ParallelJob where TArgs : struct
{
    /// <summary>The arguments of the run in progress; default between runs (the pool's gate guards them).</summary>
    public TArgs Args;
}

/// <summary>
/// What runs of one kind of call cost, split over the pool and on the caller alone, as Stopwatch ticks per unit of
/// the call's work (exponential averages, 0 while unmeasured): the pool splits the next run only while splitting is
/// clearly faster, and now and then runs the other way to keep both figures current.
/// </summary>
internal sealed class HandOffRecord
{
    public double Alone, Split;
    public int Runs;
    /// <summary>Split runs still to make before the record decides again; the first split after runs alone is not
    /// booked (its worker was asleep and pays its wake-up, which a stretch of split runs does not).</summary>
    private int _pendingSplits;
    private bool _skipNextSplit;

    /// <summary>Whether the next run should be split: first one run alone and two split (the second booked), then the
    /// faster (split only when at least 10% faster), except every <see cref="WorkerPool.ExploreEvery"/>th run, which
    /// goes the other way (two split runs again when the record says alone).</summary>
    public bool NextSplits()
    {
        Runs++;
        if (_pendingSplits > 0)
        {
            _pendingSplits--;
            return true;
        }
        if (Alone == 0) return false;
        bool faster = Split != 0 && Split < 0.9 * Alone;
        bool explore = Split == 0 || Runs % WorkerPool.ExploreEvery == 0;
        if (explore ? faster : !faster) return false;
        if (!faster)
        {
            _pendingSplits = 1;
            _skipNextSplit = true;
        }
        return true;
    }

    /// <summary>Books a run of <paramref name="work"/> units that took <paramref name="ticks"/>.</summary>
    public void Book(bool split, long ticks, long work)
    {
        if (split && _skipNextSplit)
        {
            _skipNextSplit = false;
            return;
        }
        double rate = (double)ticks / Math.Max(1, work);
        ref double average = ref split ? ref Split : ref Alone;
        average = average == 0 ? rate : average + (rate - average) / 4;
    }

    /// <summary>Forgets everything (a new kind of call takes the slot).</summary>
    public void Reset()
    {
        Alone = Split = 0;
        Runs = _pendingSplits = 0;
        _skipNextSplit = false;
    }
}

/// <summary>The <see cref="HandOffRecord"/>s of the last <see cref="Kinds"/> kinds of call a job ran (a network's step
/// makes a few dozen), each kind named by a key the job computes (e.g. from its sizes); replaced round-robin.</summary>
internal sealed class HandOffRecords
{
    public const int Kinds = 32;
    private readonly long[] _keys = new long[Kinds];
    private readonly HandOffRecord[] _records = new HandOffRecord[Kinds];
    private int _next;

    public HandOffRecords()
    {
        for (int i = 0; i < Kinds; i++) _records[i] = new HandOffRecord();
        _keys.AsSpan().Fill(long.MinValue);
    }

    /// <summary>The record of the kind <paramref name="key"/> (a fresh one when the kind is new or was replaced).</summary>
    public HandOffRecord Of(long key)
    {
        int found = _keys.AsSpan().IndexOf(key);
        if (found >= 0) return _records[found];
        int slot = _next;
        _next = (slot + 1) % Kinds;
        _keys[slot] = key;
        var record = _records[slot];
        record.Reset();
        return record;
    }
}

/// <summary>
/// A persistent pool of background threads that runs one <see cref="ParallelJob"/> at a time. A run is cut into
/// chunks that the caller and the woken workers claim one at a time from a shared counter until none is left, so a
/// worker that wakes late, or is preempted by another process, costs the run at most the one chunk it holds: the
/// caller runs whatever the worker has not claimed. A worker spins for a short while after each run before it blocks
/// (a training step's products follow each other within microseconds, and a blocked thread takes tens of
/// microseconds to wake on a virtual machine), and the caller spins briefly before blocking on the last chunks.
/// The pool also watches whether hand-offs pay, per kind of call (<see cref="HandOffRecord"/>): it times runs split
/// and runs on the caller alone (the whole job at once, see <see cref="ParallelJob.RunAlone"/>) and splits only while that is clearly faster. On a machine whose
/// other core is busy with other processes (or whose scheduler gives the process about one core's worth of time, as
/// Linux's autogroups do while other sessions are busy) a split run is no faster, and the calls then stay on the
/// caller. Results do not depend on any of this (chunks compute their outputs the same way on any thread). Nothing
/// is allocated per run (the workers are created when the pool is first touched). A caller that finds the pool busy
/// (another thread's run) gets false from <see cref="TryEnter"/> and runs on its own thread instead of waiting.
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
    /// <summary>One worker per other processor, created when the pool is first touched (a kernel call that may split,
    /// whether or not it finds the pool free), so that a training step's first split does not create threads in the
    /// middle of the step; more are created by a run that needs them (<see cref="Threading.MaxThreads"/> set above the
    /// processor count).</summary>
    private static Worker[] _workers = Grow([], Environment.ProcessorCount - 1);
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
    /// <summary>Every this many runs of a kind, the pool runs it the way its record says is slower, to keep both
    /// figures current.</summary>
    internal const int ExploreEvery = 32;

    /// <summary>Whether the pool keeps runs on the caller when its records say splitting does not pay (tests that must
    /// see every run split turn it off).</summary>
    internal static bool Adaptive = true;

    /// <summary>Takes the pool for one <see cref="Run"/>; pair with <see cref="Exit"/>. False when another thread holds it.</summary>
    public static bool TryEnter() => Monitor.TryEnter(Gate);

    /// <summary>Releases the pool taken by <see cref="TryEnter"/>.</summary>
    public static void Exit() => Monitor.Exit(Gate);

    /// <summary>Runs chunks 0..parts−1 of <paramref name="job"/> with <paramref name="args"/> on up to
    /// <paramref name="threads"/> threads (by default one per part; <paramref name="work"/>: the call's size in the job's
    /// own unit; <paramref name="kind"/>: names the kind of call whose <see cref="HandOffRecord"/> decides whether to
    /// split it); false, having run nothing, when there are fewer than two parts or threads, or the pool is busy (the
    /// caller then runs the work itself).</summary>
    public static bool TryRun<TArgs>(ParallelJob<TArgs> job, in TArgs args, int parts, long work, long kind, int threads = 0) where TArgs : struct
    {
        if (threads == 0) threads = parts;
        if (parts < 2 || threads < 2 || !TryEnter()) return false;
        try
        {
            job.Args = args;
            Run(job, parts, threads, work, job.Records.Of(kind));
        }
        finally
        {
            job.Args = default;
            Exit();
        }
        return true;
    }

    /// <summary>Runs chunks 0..chunks−1 of <paramref name="job"/> on the caller and up to <paramref name="threads"/> − 1
    /// workers, or on the caller alone when <paramref name="record"/> says splitting this kind of call does not pay,
    /// and returns when all are done; the run's time per unit of <paramref name="work"/> goes into the record. The
    /// caller holds the pool.</summary>
    public static void Run(ParallelJob job, int chunks, int threads, long work, HandOffRecord record)
    {
        if (chunks is < 1 or > MaxChunks) throw new ArgumentOutOfRangeException(nameof(chunks), chunks, $"A run has 1 to {MaxChunks} chunks.");
        int wanted = Math.Min(threads, chunks) - 1;
        int helpers = !Adaptive || record.NextSplits() ? wanted : 0;
        // More workers than processors are created by the first run that could use them, split or not, so that a later
        // run that splits (the policy explores now and then) allocates nothing.
        if (_workers.Length < wanted) _workers = Grow(_workers, wanted);
        if (helpers == 0)
        {
            // On the caller alone: the job's whole work at once (a product un-cut packs each operand once). An empty
            // generation is still published so that a spinning worker starts its spin again: a worker left to fall
            // asleep through a stretch of runs alone would make every exploring split pay its wake-up, and the record
            // would never see a split run at its true cost.
            _helpers = 0;
            Interlocked.Exchange(ref _ticket, (long)++_generation << 32);
            long started = Stopwatch.GetTimestamp();
            job.RunAlone(chunks);
            record.Book(false, Stopwatch.GetTimestamp() - started, work);
            return;
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
        RunChunks(generation);
        WaitForWorkers();
        record.Book(helpers > 0, Stopwatch.GetTimestamp() - start, work);
        _job = null;
        if (_failure is { } failure) ExceptionDispatchInfo.Capture(failure).Throw();
    }

    /// <summary><paramref name="workers"/> and new workers after them, <paramref name="count"/> in all (at least the old ones).</summary>
    private static Worker[] Grow(Worker[] workers, int count)
    {
        if (count <= workers.Length) return workers;
        var grown = new Worker[count];
        workers.CopyTo(grown, 0);
        for (int i = workers.Length; i < count; i++) grown[i] = new Worker(i + 1);
        return grown;
    }

    /// <summary>Claims and runs chunks of run <paramref name="generation"/> until none is left, then counts them done;
    /// true if that finished the run.</summary>
    private static bool RunChunks(int generation)
    {
        int ran = 0;
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
                if (_index <= Volatile.Read(ref _helpers) && RunChunks(seen)) SignalDone();
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
