using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace NetGen.Benchmarks;

/// <summary>A benchmark whose cases each perform a known number of floating-point operations.</summary>
public interface IFlopCount
{
    /// <summary>Floating-point operations of one invocation of <paramref name="benchmark"/> (a multiply-add counts 2).</summary>
    static abstract double Flops(BenchmarkCase benchmark);
}

/// <summary>
/// GFLOP/s from the mean time, and the same as a share of the FP32 FMA peak of the reference machine times the
/// thread count: 179 GFLOP/s per core with zmm FMAs, measured on the Intel Xeon (AVX-512) build machine with 24
/// independent FMA chains (<see cref="PeakBenchmarks"/>; benchmarks/RESULTS.md).
/// </summary>
public sealed class GflopsColumn<T>(bool ofPeak) : IColumn where T : IFlopCount
{
    /// <summary>Single-core FP32 peak of the reference machine, GFLOP/s.</summary>
    public const double PeakPerCore = 179;

    public string Id => ofPeak ? "PeakShare" : "GFlops";
    public string ColumnName => ofPeak ? "% of 179/core" : "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => ofPeak ? 1 : 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => ofPeak ? "GFLOP/s over 179 × Threads" : "Floating-point operations per second, 10⁹";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (stats is null) return "-";
        double gflops = T.Flops(benchmarkCase) / stats.Mean; // ns → GFLOP/s
        if (!ofPeak) return gflops.ToString("F1");
        int threads = benchmarkCase.Parameters["Threads"] is int t ? t : 1;
        return (100 * gflops / (PeakPerCore * threads)).ToString("F0") + "%";
    }
}

/// <summary>Memory diagnoser plus the two GFLOP/s columns.</summary>
public sealed class FlopsConfig<T> : ManualConfig where T : IFlopCount
{
    public FlopsConfig()
    {
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(new GflopsColumn<T>(ofPeak: false), new GflopsColumn<T>(ofPeak: true));
    }
}
