namespace NetGen.Tests.Networks;

/// <summary>What a training loop allocates per step, as the zero-allocation tests measure it.</summary>
internal static class Allocations
{
    /// <summary>
    /// The fewest bytes the calling thread allocates over three windows of <paramref name="calls"/> calls of
    /// <paramref name="step"/> (after the caller's warm-up): an allocation in every step shows in every window, while a
    /// one-time allocation of the runtime's shows in one at most (seen in full test runs under load: 6–8 KB inside a
    /// window whose steps allocate nothing, most likely the JIT's tiering catching up late).
    /// </summary>
    public static long FewestBytes(Action step, int calls)
    {
        long fewest = long.MaxValue;
        for (int window = 0; window < 3; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < calls; i++) step();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}
