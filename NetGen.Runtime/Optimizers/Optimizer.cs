using NetGen.Kernels;
using NetGen.Kernels.GemmCore;

namespace NetGen.Optimizers;

/// <summary>
/// Updates a network's flat parameter buffer from its flat gradient buffer, one vectorised pass per step with no
/// allocation. State buffers (momentum, moments) are sized at construction and exposed through <see cref="State"/>
/// so that checkpoints can save and restore them.
/// </summary>
public abstract class Optimizer
{
    /// <summary>Creates an optimizer for <paramref name="parameterCount"/> parameters.</summary>
    protected Optimizer(int parameterCount, float learningRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        ParameterCount = parameterCount;
        LearningRate = learningRate;
    }

    /// <summary>Number of parameters this optimizer updates; <see cref="Step"/> requires spans of exactly this length.</summary>
    public int ParameterCount { get; }

    /// <summary>The step size η used by the next <see cref="Step"/>; a trainer sets it from a <see cref="LearningRateSchedule"/>.</summary>
    public float LearningRate { get; set; }

    /// <summary>Number of <see cref="Step"/> calls so far (PyTorch's <c>state["step"]</c>); Adam's bias correction uses it.</summary>
    public long StepCount { get; private set; }

    /// <summary>The optimizer's name as written to checkpoints: <c>sgd</c>, <c>adam</c> or <c>adamw</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>Named state buffers of <see cref="ParameterCount"/> floats each (e.g. <c>momentum</c>, or <c>m</c> and <c>v</c>),
    /// laid out like the parameters. Checkpoints write them and fill them back in place.</summary>
    public abstract IReadOnlyList<OptimizerState> State { get; }

    /// <summary>Applies one update to <paramref name="parameters"/> using <paramref name="gradients"/>, then increments
    /// <see cref="StepCount"/>.</summary>
    /// <exception cref="ArgumentException">A span's length differs from <see cref="ParameterCount"/>.</exception>
    /// <remarks>With <see cref="Threading.MaxThreads"/> above 1 and at least <see cref="ParallelThreshold"/> parameters
    /// the update is split into contiguous ranges run on the kernels' worker pool; every element is updated on its
    /// own, so the result is the same bit for bit.</remarks>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        CheckLengths(parameters, gradients);
        if (!StepJob.TryRun(this, parameters, gradients, StepCount + 1))
            Update(parameters, gradients, 0, ParameterCount, StepCount + 1);
        StepCount++;
    }

    /// <summary>Parameter counts from which <see cref="Step"/> may split its update over threads (a few microseconds of
    /// streaming below it, less than a hand-off costs).</summary>
    internal const int ParallelThreshold = 1 << 16;

    /// <summary>One <see cref="Step"/>'s update split into contiguous ranges of whole cache lines for
    /// <see cref="WorkerPool"/>; one instance, whose fields the pool's gate guards.</summary>
    private sealed unsafe class StepJob : ParallelJob<StepJob.Arguments>
    {
        private static readonly StepJob Instance = new();

        internal struct Arguments
        {
            public Optimizer Optimizer;
            public float* Parameters, Gradients;
            public long Step;
            public int Parts;
        }

        /// <summary>Runs the update split over the pool; false, having run nothing, when it is too small, one thread is
        /// allowed, or the pool is busy.</summary>
        public static bool TryRun(Optimizer optimizer, Span<float> parameters, ReadOnlySpan<float> gradients, long step)
        {
            int threads = Threading.Available, count = optimizer.ParameterCount;
            if (threads < 2 || count < ParallelThreshold) return false;
            int parts = Math.Min(threads, count / (ParallelThreshold / 2));
            fixed (float* p = parameters, g = gradients)
                return WorkerPool.TryRun(Instance, new Arguments { Optimizer = optimizer, Parameters = p, Gradients = g, Step = step, Parts = parts },
                    parts, count, count);
        }

        public override void RunPart(int part)
        {
            var a = Args;
            int count = a.Optimizer.ParameterCount;
            // Range boundaries on multiples of 16 floats (one 64-byte line of aligned buffers): no line is written by two threads.
            int start = Boundary(count, part, a.Parts), end = Boundary(count, part + 1, a.Parts);
            a.Optimizer.Update(new Span<float>(a.Parameters, count), new ReadOnlySpan<float>(a.Gradients, count), start, end - start, a.Step);
        }

        private static int Boundary(int count, int part, int parts) =>
            part == parts ? count : (int)((long)count * part / parts) & ~15;
    }

    /// <summary>
    /// Applies the next step's update to parameters [<paramref name="start"/>, <paramref name="start"/> +
    /// <paramref name="length"/>) only, from the same range of <paramref name="gradients"/> and of the state; does not
    /// increment <see cref="StepCount"/>. Calls for disjoint ranges that together cover every parameter, followed by one
    /// <see cref="CompleteStep"/>, give exactly the result of one <see cref="Step"/> (every element is updated on its
    /// own). A generated network's <c>TrainStep</c> overload that takes the optimizer uses this to update each layer
    /// as soon as its gradients are complete, while they are still in cache.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length differs from <see cref="ParameterCount"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie inside the parameters.</exception>
    public void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradients, int start, int length)
    {
        CheckLengths(parameters, gradients);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, ParameterCount - start);
        Update(parameters, gradients, start, length, StepCount + 1);
    }

    /// <summary>Ends a step applied range by range with <see cref="UpdateRange"/> (or block by block in a kernel's
    /// epilogue): increments <see cref="StepCount"/>.</summary>
    public void CompleteStep() => StepCount++;

    /// <summary>
    /// Whether this optimizer implements <see cref="UpdateBlock"/>, so that a kernel producing a weight gradient (the
    /// epilogue of <c>Dense</c>'s weight-gradient product) can apply the update block by block while each block of the
    /// gradient is still in L1. SGD and Adam do; for any other optimizer the kernel calls <see cref="UpdateRange"/>
    /// after the product instead, with the same result.
    /// </summary>
    internal virtual bool UpdatesBlocks => false;

    /// <summary>Called once on the calling thread before the <see cref="UpdateBlock"/> calls of one product, which may then
    /// run concurrently on several threads: whatever the blocks share for this step (Adam's bias corrections) is set
    /// here, so that <see cref="UpdateBlock"/> only reads it.</summary>
    internal virtual void BeginBlocks() { }

    /// <summary>
    /// The next step's update on a block of <paramref name="rows"/>×<paramref name="columns"/> parameters whose gradients
    /// are at hand. Element (r, c) of the block is the parameter <c>parameters[r·stride + c]</c>, whose index in the flat
    /// parameter buffer, and so in every state buffer, is <c>offset + r·stride + c</c>; its gradient is
    /// <c>gradients[r·gradientStride + c]</c>. Every element gets exactly the arithmetic <see cref="UpdateRange"/> gives
    /// it, so blocks and ranges that together cover every parameter once, followed by <see cref="CompleteStep"/>, give
    /// bit for bit the result of one <see cref="Step"/>. Does not increment <see cref="StepCount"/>; no checks (the
    /// caller is a kernel that has checked its shapes and that <see cref="UpdatesBlocks"/> is true).
    /// </summary>
    internal virtual unsafe void UpdateBlock(float* parameters, nint offset, int rows, int columns, nint stride, float* gradients, nint gradientStride) =>
        throw new NotSupportedException($"The {Kind} optimizer has no block update; use UpdateRange.");

    private void CheckLengths(ReadOnlySpan<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (parameters.Length != ParameterCount || gradients.Length != ParameterCount)
            throw new ArgumentException(
                $"{Kind} optimizer was created for {ParameterCount} parameters but got {parameters.Length} parameters and " +
                $"{gradients.Length} gradients; create it with the network's Parameters.Length.", nameof(parameters));
    }

    /// <summary>The update rule itself, on elements [<paramref name="start"/>, <paramref name="start"/> +
    /// <paramref name="length"/>) of the parameters, the gradients and the state (a range inside
    /// <see cref="ParameterCount"/>, checked by the caller); <paramref name="step"/> is the 1-based number of this step.</summary>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int start, int length, long step);

    /// <summary>Sets <see cref="StepCount"/> when resuming from a checkpoint (state buffers are restored through <see cref="State"/>).</summary>
    public void RestoreStepCount(long stepCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        StepCount = stepCount;
    }

    /// <summary>Zeroes every state buffer and <see cref="StepCount"/>, as if freshly constructed.</summary>
    public void Reset()
    {
        foreach (var s in State) Array.Clear(s.Values);
        StepCount = 0;
    }

    /// <summary>The widest vector the update may use: 16, 8, 4 or 1 lanes (tests force the narrower paths with it).</summary>
    internal int MaxLanes { get; set; } = 16;
}

/// <summary>One named optimizer state buffer, laid out like the network's parameters.</summary>
/// <param name="Name">Name used in checkpoints, e.g. <c>momentum</c>, <c>m</c>, <c>v</c>.</param>
/// <param name="Values">The buffer itself (the optimizer's own storage, not a copy).</param>
public sealed record OptimizerState(string Name, float[] Values);
