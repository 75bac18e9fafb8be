using System.Diagnostics;

namespace NetGen.Benchmarks;

/// <summary>
/// Brings a benchmark's call to its steady state before BenchmarkDotNet measures it: the runtime's tiered compiler
/// replaces a method's first code (and the on-stack-replaced loops of methods called once per step) with optimised,
/// profile-guided code only after enough calls and a background delay. A call that takes several milliseconds runs
/// once per 25 ms iteration, so the few warm-up iterations of benchmarks/run.sh do not get there: the char-LSTM step
/// measured 13–18 ms until the 22nd of its 30 iterations and 8.4–8.8 ms after. The baselines are native code, at
/// their steady state from the first call.
/// </summary>
internal static class SteadyState
{
    /// <summary>Calls <paramref name="call"/> for at least <paramref name="seconds"/> and at least 100 times.</summary>
    public static void WarmUp(Action call, double seconds = 2)
    {
        var clock = Stopwatch.StartNew();
        for (int calls = 0; calls < 100 || clock.Elapsed.TotalSeconds < seconds; calls++) call();
    }
}
