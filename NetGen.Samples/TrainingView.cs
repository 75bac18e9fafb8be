using NetGen.Training;
using Spectre.Console;

namespace NetGen.Samples;

/// <summary>
/// Shows training progress: a live bar with loss, rate and ETA on a terminal, plain log lines when the output is
/// redirected (CI, files, pipes).
/// </summary>
internal sealed class TrainingView : IProgress<TrainingProgress>
{
    private readonly bool _interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
    private ProgressTask? _task;
    private readonly System.Diagnostics.Stopwatch _sinceLog = System.Diagnostics.Stopwatch.StartNew();
    private int _lastEpoch = -1;

    /// <summary>Runs <paramref name="work"/> with a live display around it when the console is interactive.</summary>
    public T Run<T>(Func<T> work)
    {
        if (!_interactive) return work();
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                _task = ctx.AddTask("starting", maxValue: 1);
                result = work();
                _task.StopTask();
            });
        return result;
    }

    public void Report(TrainingProgress p)
    {
        if (_task is not null)
        {
            if (p.Epoch != _lastEpoch) { _task.MaxValue = (double)p.Epochs * p.Batches; _lastEpoch = p.Epoch; }
            _task.Value = (double)p.Epoch * p.Batches + p.Batch;
            _task.Description = $"epoch {p.Epoch + 1}/{p.Epochs}  loss {p.Loss:F4}  {p.SamplesPerSecond:N0} samples/s";
            return;
        }
        // plain output: a line every 10 s at most, so logs of long epochs show life without flooding short runs
        if (_sinceLog.Elapsed.TotalSeconds >= 10 && p.Batch < p.Batches)
        {
            _sinceLog.Restart();
            Console.WriteLine($"  epoch {p.Epoch + 1}/{p.Epochs}  {p.Batch}/{p.Batches} batches  loss {p.Loss:F4}  {p.SamplesPerSecond:N0} samples/s");
        }
    }

    public static void PrintEpoch(EpochMetrics m)
    {
        Console.WriteLine(
            $"epoch {m.Epoch,3}  train loss {m.TrainLoss:F4} acc {m.TrainAccuracy:P2}  test loss {m.TestLoss:F4} acc {m.TestAccuracy:P2}  " +
            $"{m.Seconds:F1} s ({m.SamplesPerSecond:N0} samples/s)");
    }
}
