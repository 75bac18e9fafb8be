using System.Diagnostics;
using NetGen.Kernels.GemmCore;

namespace NetGen.Kernels;

/// <summary>
/// Whether a network's training steps run their kernels over the worker pool or all on the calling thread, decided
/// by timing whole steps both ways. The kernels' own records (<see cref="Threading"/>) each time one call, but a
/// split has costs that show up later in the step: at a small batch, the weights that a split optimizer update
/// rewrote on one core are read by the next forward on the other (the MLP at batch 64 measured 0.86–0.89× at 2
/// threads on a quiet machine). With this, more threads do not make a whole step slower than one. Results are the
/// same bit for bit either way. Generated networks hold one per instance and wrap each <c>TrainStep</c> in
/// <see cref="Begin"/> and <see cref="End"/>; a step is not thread-safe, and neither is this.
/// </summary>
/// <remarks>
/// The policy: two steps alone, two split, then the faster way (split only when at least 10% faster), and every
/// <see cref="ExploreEvery"/> steps two the other way, to keep both figures current. A step that runs the other way
/// from the one before is not timed: it pays for the switch (waking the workers, or reading back on one core the
/// weights the last split steps left on the other), which a stretch of steps the same way does not. Each way's
/// figure is an exponential average of its timed steps that follows a faster step by half the difference and a slower
/// one by a quarter: on a shared machine a slow step is more often another process's doing than the step's (the first
/// steps also run the JIT's early code).
/// </remarks>
public sealed class StepThreads
{
    /// <summary>Every this many steps, two run the way the figures say is slower.</summary>
    internal const int ExploreEvery = 32;

    private double _alone, _split;
    private int _steps, _queued;
    private bool _queuedSplit, _lastSplit, _started;

    /// <summary>The average ticks of a timed step alone and split (0 until one is timed).</summary>
    internal (double Alone, double Split) Figures => (_alone, _split);

    /// <summary>One step's start and how it runs, from <see cref="Begin"/> for <see cref="End"/>.</summary>
    public readonly struct Step
    {
        internal Step(long start, bool split, bool timed)
        {
            Start = start;
            Mode = (byte)((split ? SplitMode : AloneMode) | (timed ? Timed : 0));
        }

        internal const byte None = 0, SplitMode = 1, AloneMode = 2, Timed = 4;
        internal readonly long Start;
        internal readonly byte Mode;
    }

    /// <summary>Starts a step: with more than one thread allowed, decides whether its kernels may split (otherwise they
    /// run on this thread until <see cref="End"/>) and starts timing it. A step inside another's (or with
    /// <see cref="Threading.MaxThreads"/> at 1) is left alone.</summary>
    public Step Begin()
    {
        if (Threading.MaxThreads < 2 || Threading.Alone) return default;
        bool split = !WorkerPool.Adaptive || NextSplits();
        bool timed = _started && split == _lastSplit;
        (_started, _lastSplit) = (true, split);
        if (!split) Threading.Alone = true;
        return new Step(Stopwatch.GetTimestamp(), split, timed);
    }

    /// <summary>Ends the step <paramref name="step"/> began: books its time and lets this thread's kernels split again.</summary>
    public void End(Step step)
    {
        if (step.Mode == Step.None) return;
        if ((step.Mode & Step.AloneMode) != 0) Threading.Alone = false;
        if ((step.Mode & Step.Timed) != 0) Book((step.Mode & Step.SplitMode) != 0, Stopwatch.GetTimestamp() - step.Start);
    }

    /// <summary>Whether the next step splits (the policy in the remarks).</summary>
    internal bool NextSplits()
    {
        _steps++;
        if (_queued > 0)
        {
            _queued--;
            return _queuedSplit;
        }
        if (_alone == 0) return Queue(false);
        if (_split == 0) return Queue(true);
        bool faster = _split < 0.9 * _alone;
        return _steps % ExploreEvery == 0 ? Queue(!faster) : faster;
    }

    // Two steps the way split says: this one and the next.
    private bool Queue(bool split)
    {
        _queued = 1;
        _queuedSplit = split;
        return split;
    }

    /// <summary>Books a timed step of <paramref name="ticks"/>.</summary>
    internal void Book(bool split, long ticks)
    {
        ref double average = ref split ? ref _split : ref _alone;
        ticks = Math.Max(1, ticks); // 0 means "not yet timed"
        average = average == 0 ? ticks : ticks < average ? (average + ticks) / 2 : average + (ticks - average) / 4;
    }
}
