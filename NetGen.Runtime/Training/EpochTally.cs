using System.Diagnostics;

namespace NetGen.Training;

/// <summary>
/// The running figures of one training epoch, for <see cref="Trainer"/> and for loops that run their steps elsewhere
/// (the samples' GPU training): the clock, the summed loss, samples and correct predictions, a
/// <see cref="TrainingProgress"/> after every batch and the epoch's <see cref="EpochMetrics"/>.
/// </summary>
public sealed class EpochTally
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly int _epoch, _epochs, _batches;
    private int _batch;
    private double _lossSum;
    private long _correct;

    /// <summary>Starts the clock of zero-based <paramref name="epoch"/> of <paramref name="epochs"/>, which has
    /// <paramref name="batches"/> batches of which the first <paramref name="firstBatch"/> were done before (a resume).</summary>
    public EpochTally(int epoch, int epochs, int firstBatch, int batches)
    {
        _epoch = epoch;
        _epochs = epochs;
        _batch = firstBatch;
        _batches = batches;
    }

    /// <summary>Samples trained on in this epoch so far.</summary>
    public long Seen { get; private set; }

    /// <summary>Seconds since the epoch started; fixed once <see cref="Stop"/> is called.</summary>
    public double Seconds => _clock.Elapsed.TotalSeconds;

    /// <summary>Counts a batch of <paramref name="size"/> samples with mean loss <paramref name="loss"/> and
    /// <paramref name="correct"/> right predictions, then reports the epoch's mean loss and throughput so far.</summary>
    public void Add(float loss, int size, long correct, IProgress<TrainingProgress>? progress)
    {
        _lossSum += loss * size;
        Seen += size;
        _correct += correct;
        _batch++;
        progress?.Report(new TrainingProgress(_epoch, _epochs, _batch, _batches, (float)(_lossSum / Seen), Seen / Math.Max(Seconds, 1e-9)));
    }

    /// <summary>Stops the clock and returns the epoch's training seconds.</summary>
    public double Stop()
    {
        _clock.Stop();
        return Seconds;
    }

    /// <summary>
    /// The epoch's figures with the test <paramref name="evaluation"/>: mean training loss, training accuracy over
    /// <paramref name="labelsPerSample"/> labels a sample (NaN when not <paramref name="classifier"/>), and throughput
    /// over <see cref="Seconds"/>.
    /// </summary>
    public EpochMetrics Metrics(float learningRate, Evaluation evaluation, bool classifier = true, int labelsPerSample = 1) =>
        new(_epoch + 1, learningRate,
            Seen > 0 ? (float)(_lossSum / Seen) : float.NaN,
            classifier && Seen > 0 ? (float)_correct / (Seen * labelsPerSample) : float.NaN,
            evaluation.Loss, evaluation.Accuracy, Seconds, Seen / Math.Max(Seconds, 1e-9));
}
