namespace NetGen.Kernels;

/// <summary>
/// Process-wide threading settings of the kernels. Large matrix products (and large convolution and pooling calls,
/// and the optimizers' <c>Step</c> on many parameters) are split over output tiles or samples and run on a small persistent worker pool; small ones always stay on the calling
/// thread. The pool times each kind of call split and on the calling thread alone, and keeps a kind on the calling
/// thread while splitting it is not clearly faster (e.g. while other processes hold the other cores); a generated
/// network also times its whole training steps split and alone (<see cref="StepThreads"/>), for the costs of a split
/// that show up later in the step, so that more threads do not make a step slower than one. Results are the same bit
/// for bit whatever the thread count.
/// </summary>
public static class Threading
{
    private static int _maxThreads = Environment.ProcessorCount;

    /// <summary>Set on a thread while a <see cref="StepThreads"/> step runs there alone.</summary>
    [ThreadStatic] private static bool t_alone;

    /// <summary>The most threads a kernel called on this thread may use now: <see cref="MaxThreads"/>, or 1 while a
    /// training step that its <see cref="StepThreads"/> keeps on its own thread runs here.</summary>
    internal static int Available => t_alone ? 1 : MaxThreads;

    /// <summary>Whether this thread runs a training step alone (<see cref="StepThreads"/>).</summary>
    internal static bool Alone
    {
        get => t_alone;
        set => t_alone = value;
    }

    /// <summary>
    /// The most threads (the caller included) one kernel call may use; 1 keeps every kernel on the calling thread (no
    /// worker is started). Defaults to <see cref="Environment.ProcessorCount"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public static int MaxThreads
    {
        get => Volatile.Read(ref _maxThreads);
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(MaxThreads), value, "Threading.MaxThreads must be at least 1; use 1 to run every kernel on the calling thread.");
            Volatile.Write(ref _maxThreads, value);
        }
    }
}
