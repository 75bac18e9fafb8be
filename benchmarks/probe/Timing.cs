using System.Diagnostics;
using System.Runtime.InteropServices;

/// <summary>The probe's one way to time a call: the minimum per call over <c>outer</c> samples of <c>inner</c> calls,
/// after <c>warmup</c> calls, by the wall clock or by the calling thread's CPU time.</summary>
static class Timing
{
    public static double MinUs(Action action, int inner = 20, int outer = 40, int warmup = 200) =>
        Min(action, inner, outer, warmup, () => Stopwatch.GetTimestamp() * 1e6 / Stopwatch.Frequency);

    /// <summary>By the calling thread's CPU time (clock_gettime(CLOCK_THREAD_CPUTIME_ID)): unlike the wall clock it does
    /// not count the time slices other processes take on a loaded machine.</summary>
    public static double MinCpuUs(Action action, int inner = 20, int outer = 40, int warmup = 200) =>
        Min(action, inner, outer, warmup, ThreadCpuUs);

    private static double Min(Action action, int inner, int outer, int warmup, Func<double> clockUs)
    {
        for (int i = 0; i < warmup; i++) action();
        double best = double.MaxValue;
        for (int o = 0; o < outer; o++)
        {
            double start = clockUs();
            for (int i = 0; i < inner; i++) action();
            best = Math.Min(best, (clockUs() - start) / inner);
        }
        return best;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec { public long Seconds, Nanoseconds; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGettime(int clock, out Timespec time);

    private const int ThreadCpuTime = 3;

    private static double ThreadCpuUs()
    {
        ClockGettime(ThreadCpuTime, out var time);
        return time.Seconds * 1e6 + time.Nanoseconds / 1e3;
    }
}
