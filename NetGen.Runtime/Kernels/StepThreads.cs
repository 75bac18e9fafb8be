using System.Diagnostics;
using NetGen.Kernels.GemmCore;

namespace NetGen.Kernels;

/// <summary>
/// Whether a network's training steps run their kernels over the worker pool or all on the calling thread, decided
/// by timing whole steps both ways (the policy of the pool's own per-call records: alone once, then split, then
/// whichever is faster, split only when at least 10% faster, and now and then the other way to stay current). The
/// kernels' records each time one call, but a split has costs that show up later in the step: at a small batch, the
/// weights that a split optimizer update rewrote on one core are read by the next forward on the other (the MLP at
/// batch 64 measured 0.86–0.89× at 2 threads on a quiet machine). With this, more threads do not make a whole step
/// slower than one. Results are the same bit for bit either way. Generated networks hold one per instance and wrap
/// each <c>TrainStep</c> in <see cref="Begin"/> and <see cref="End"/>; a step is not thread-safe, and neither is this.
/// </summary>
public sealed class StepThreads
{
    private readonly HandOffRecord _record = new();

    /// <summary>One step's start and how it runs, from <see cref="Begin"/> for <see cref="End"/>.</summary>
    public readonly struct Step
    {
        internal Step(long start, bool split)
        {
            Start = start;
            Mode = split ? SplitMode : AloneMode;
        }

        internal const byte Untimed = 0, SplitMode = 1, AloneMode = 2;
        internal readonly long Start;
        internal readonly byte Mode;
    }

    /// <summary>Starts a step: with more than one thread allowed, decides whether its kernels may split (otherwise they
    /// run on this thread until <see cref="End"/>) and starts timing it. A step inside another's (or with
    /// <see cref="Threading.MaxThreads"/> at 1) is not timed.</summary>
    public Step Begin()
    {
        if (Threading.MaxThreads < 2 || Threading.Alone) return default;
        bool split = !WorkerPool.Adaptive || _record.NextSplits();
        if (!split) Threading.Alone = true;
        return new Step(Stopwatch.GetTimestamp(), split);
    }

    /// <summary>Ends the step <paramref name="step"/> began: books its time and lets this thread's kernels split again.</summary>
    public void End(Step step)
    {
        if (step.Mode == Step.Untimed) return;
        if (step.Mode == Step.AloneMode) Threading.Alone = false;
        _record.Book(step.Mode == Step.SplitMode, Stopwatch.GetTimestamp() - step.Start, 1);
    }
}
