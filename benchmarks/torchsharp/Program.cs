// libtorch side of benchmarks/run.sh: the workloads of benchmarks/torch_baseline.py (same shapes, parameter counts, SGD,
// sampling rule and JSON lines) run through TorchSharp-cpu 0.107.0 = libtorch 2.10, the baseline of issue 6.
// Usage: LibTorchBaseline [--threads 1,2] [--filter TEXT]
// Prints one JSON object per line: {"case": ..., "threads": n, "us": minimum and "median_us": median microseconds per
// call over 30 samples of ~25 ms, "runs": calls timed}; the library and version go to standard error.
// Run it as run.sh does, with GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=134217728:
// with glibc's default thresholds libtorch's training steps ran up to 5x slower on this machine.
using System.Globalization;
using NetGen.Benchmarks.LibTorch;
using static TorchSharp.torch;

var threads = "1,2";
var filter = "";
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--threads" when i + 1 < args.Length: threads = args[++i]; break;
        case "--filter" when i + 1 < args.Length: filter = args[++i]; break;
        default:
            Console.Error.WriteLine("usage: LibTorchBaseline [--threads 1,2] [--filter TEXT]");
            return 2;
    }
}

Console.Error.WriteLine($"libtorch {__version__} through TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}");
set_grad_enabled(true);
foreach (var count in threads.Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)))
{
    set_num_threads(count);
    foreach (var (name, call) in Workloads.All())
    {
        if (!name.Contains(filter, StringComparison.Ordinal))
            continue;
        var (best, median, runs) = Sampler.Time(call);
        Console.WriteLine($"{{\"case\": \"{name}\", \"threads\": {count}, \"us\": {Json(best)}, \"median_us\": {Json(median)}, \"runs\": {runs}}}");
    }
}
return 0;

// Python's json.dumps(round(x, 3)): shortest round-trip text, always with a decimal point.
static string Json(double us)
{
    var text = Math.Round(us, 3).ToString("R", CultureInfo.InvariantCulture);
    return text.Contains('.') || text.Contains('E') ? text : text + ".0";
}
