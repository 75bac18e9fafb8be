using System.Diagnostics;

namespace NetGen.Benchmarks.LibTorch;

/// <summary>torch_baseline.py's <c>timed</c>: many short samples, so that on a shared machine some run undisturbed.</summary>
internal static class Sampler
{
    /// <summary>
    /// Calls <paramref name="call"/> 5 times to warm up, picks n so that n calls take about
    /// <paramref name="sampleSeconds"/>, then times <paramref name="samples"/> loops of n calls.
    /// </summary>
    /// <returns>The minimum and the median microseconds per call over the samples, and the number of calls timed.</returns>
    public static (double Best, double Median, long Runs) Time(Action call, double sampleSeconds = 0.025, int samples = 30)
    {
        for (var i = 0; i < 5; i++)
            call();
        long n = 1;
        double t;
        while (true)
        {
            t = Seconds(call, n);
            if (t >= sampleSeconds / 4)
                break;
            n *= 2;
        }
        n = Math.Max(1, (long)(n * sampleSeconds / Math.Max(t, 1e-9)));
        var times = new double[samples];
        for (var s = 0; s < samples; s++)
            times[s] = Seconds(call, n) / n * 1e6;
        Array.Sort(times);
        return (times[0], times[samples / 2], n * samples);
    }

    private static double Seconds(Action call, long n)
    {
        var start = Stopwatch.GetTimestamp();
        for (long i = 0; i < n; i++)
            call();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}
