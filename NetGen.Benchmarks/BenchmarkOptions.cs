using BenchmarkDotNet.Attributes;

namespace NetGen.Benchmarks;

/// <summary>Command-line options of our own, taken out before BenchmarkDotNet sees the arguments.</summary>
public static class BenchmarkOptions
{
    /// <summary>Values of <c>Threading.MaxThreads</c> every suite runs with (a benchmark parameter).</summary>
    public static int[] Threads { get; private set; } = [1];

    /// <summary>Reads <c>--threads N[,N…]</c> and returns the remaining arguments.</summary>
    public static string[] Parse(string[] args)
    {
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] != "--threads")
            {
                rest.Add(args[i]);
                continue;
            }
            if (i + 1 >= args.Length)
                throw new ArgumentException("--threads needs a value, e.g. --threads 1 or --threads 1,2.", nameof(args));
            Threads = args[++i].Split(',').Select(s => int.TryParse(s, out int n) && n >= 1 ? n
                : throw new ArgumentException($"--threads value '{s}' is not a positive integer.", nameof(args))).ToArray();
        }
        return rest.ToArray();
    }
}

/// <summary>A suite measured at every thread count of <c>--threads</c>: its <see cref="Threads"/> parameter, which each
/// <c>GlobalSetup</c> applies to <c>Threading.MaxThreads</c> before anything else.</summary>
public abstract class ThreadedBenchmark
{
    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    public static IEnumerable<int> ThreadCounts => BenchmarkOptions.Threads;
}
