namespace NetGen.Training;

/// <summary>Where training stands, reported after every step to an <see cref="IProgress{T}"/>.</summary>
/// <param name="Epoch">Zero-based epoch.</param>
/// <param name="Epochs">Total epochs of the run.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Loss">Mean training loss so far in this epoch.</param>
/// <param name="SamplesPerSecond">Training throughput so far in this epoch.</param>
public readonly record struct TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, float Loss, double SamplesPerSecond);

/// <summary>One epoch's figures. Accuracy is NaN for networks trained on float targets.</summary>
public sealed record EpochMetrics(int Epoch, float LearningRate, float TrainLoss, float TrainAccuracy,
    float TestLoss, float TestAccuracy, double Seconds, double SamplesPerSecond);

/// <summary>Loss and accuracy of a network on a data set.</summary>
public readonly record struct Evaluation(float Loss, float Accuracy, int Samples);

/// <summary>How a training run ended.</summary>
public enum TrainingOutcome
{
    /// <summary>All epochs ran.</summary>
    Completed,
    /// <summary>Cancelled; a checkpoint of the position reached was written when a path was given.</summary>
    Cancelled,
}

/// <summary>What <see cref="Trainer.Fit"/> returns.</summary>
public sealed record TrainingResult(TrainingOutcome Outcome, IReadOnlyList<EpochMetrics> Epochs, double TrainSeconds, long Steps, long Samples)
{
    /// <summary>Training samples per second over the whole run (evaluation excluded).</summary>
    public double SamplesPerSecond => TrainSeconds > 0 ? Samples / TrainSeconds : 0;
}

/// <summary>Thrown when the loss or the gradients stop being finite. The parameters of the failing step are not
/// applied and the last checkpoint on disk (if any) is left as it was.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
