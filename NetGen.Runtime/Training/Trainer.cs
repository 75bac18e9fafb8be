using System.Text.Json;
using NetGen.Checkpoints;
using NetGen.Data;
using NetGen.Kernels;
using NetGen.Optimizers;

namespace NetGen.Training;

/// <summary>Settings of a <see cref="Trainer"/> run.</summary>
public sealed class TrainerOptions
{
    /// <summary>Epochs to train (counted from zero, including any already done before a resume).</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Mini-batch size; at most the network's <see cref="INetwork.MaxBatch"/>.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Seed of the data order; with the network's seed it makes a run reproducible.</summary>
    public ulong Seed { get; init; }
    /// <summary>Random shifts of up to this many pixels applied to training images (0: none).</summary>
    public int MaxShift { get; init; }
    /// <summary>Learning-rate schedule over steps; the optimizer's initial rate is the base.</summary>
    public LearningRateSchedule? Schedule { get; init; }
    /// <summary>Clip gradients to this global L2 norm before each update (null: the network's
    /// <see cref="INetwork.RecommendedClipNorm"/>, which is 5 for recurrent networks and none for others).</summary>
    public float? ClipNorm { get; init; }
    /// <summary>Checkpoint written atomically after every epoch and on cancellation (null: none).</summary>
    public string? CheckpointPath { get; init; }
    /// <summary>JSON-lines file that receives one object per epoch (null: none).</summary>
    public string? MetricsPath { get; init; }
}

/// <summary>
/// The training loop around a generated network: mini-batches from a <see cref="DataLoader"/>, one fused
/// <c>TrainStep</c> per batch that updates each layer right after its backward (with gradient clipping: the step,
/// the clip, then one optimizer pass; the same parameters either way), evaluation after each epoch, checkpoints, metrics, exact resume,
/// cancellation, and a stop with a clear message when the loss diverges.
/// </summary>
public sealed class Trainer
{
    private readonly INetwork _network;
    private readonly Optimizer _optimizer;
    private readonly TrainerOptions _options;
    private readonly float _baseLearningRate;

    /// <summary>Binds a network, an optimizer over its parameters and the run's settings.</summary>
    public Trainer(INetwork network, Optimizer optimizer, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(options);
        if (network.Loss == Loss.None)
            throw new ArgumentException($"Network {network.Name} has no loss: set [Network(Loss = ...)] to train it.", nameof(network));
        if (options.BatchSize < 1 || options.BatchSize > network.MaxBatch)
            throw new ArgumentOutOfRangeException(nameof(options), $"Batch size {options.BatchSize} must be between 1 and the network's maxBatch {network.MaxBatch}.");
        if (options.Epochs < 1)
            throw new ArgumentOutOfRangeException(nameof(options), $"Epochs must be at least 1 (got {options.Epochs}).");
        _network = network;
        _optimizer = optimizer;
        _options = options;
        _baseLearningRate = optimizer.LearningRate;
    }

    /// <summary>Raised after each epoch with its figures.</summary>
    public event Action<EpochMetrics>? EpochCompleted;

    /// <summary>
    /// Trains from <paramref name="resumeFrom"/> (or from the start) up to <see cref="TrainerOptions.Epochs"/>.
    /// Cancellation stops after the current step, writes a checkpoint of the exact position and returns
    /// <see cref="TrainingOutcome.Cancelled"/>; a non-finite loss or gradient throws <see cref="TrainingDivergedException"/>.
    /// </summary>
    public TrainingResult Fit(Dataset train, Dataset? test = null, TrainingPosition? resumeFrom = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        CheckCompatible(train, nameof(train));
        if (test is not null) CheckCompatible(test, nameof(test));

        using var loader = new DataLoader(train, _options.BatchSize, shuffle: true, seed: _options.Seed, maxShift: _options.MaxShift);
        int batches = loader.BatchesPerEpoch;
        int startEpoch = resumeFrom?.Epoch ?? 0;
        long step = resumeFrom?.Step ?? 0;
        int skip = (int)(step - (long)startEpoch * batches);
        if (skip < 0 || skip > batches)
            throw new ArgumentException($"Resume position (epoch {startEpoch}, step {step}) does not fit {batches} batches per epoch: was the checkpoint made with another batch size or data set?", nameof(resumeFrom));

        // A state of all zeros is no xoshiro state: it marks a checkpoint written before networks had one.
        if (resumeFrom is not null && resumeFrom.RngState != default) _network.RngState = resumeFrom.RngState;

        var epochs = new List<EpochMetrics>();
        long samples = 0;
        double trainSeconds = 0;
        bool isClassifier = _network.Loss == Loss.SoftmaxCrossEntropy;
        // Sequence outputs carry one label per time step: accuracy counts every step of every sample.
        int steps = Math.Max(train.LabelSize, 1), classes = _network.OutputSize / steps;
        float? clipNorm = _options.ClipNorm ?? _network.RecommendedClipNorm;
        using var metricsLog = _options.MetricsPath is null ? null : OpenMetricsLog(_options.MetricsPath, append: resumeFrom is not null);

        for (int epoch = startEpoch; epoch < _options.Epochs; epoch++)
        {
            var tally = new EpochTally(epoch, _options.Epochs, skip, batches);
            foreach (var batch in loader.Epoch(epoch, firstBatch: skip))
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    SaveCheckpoint(new TrainingPosition(epoch, step, _network.RngState));
                    trainSeconds += tally.Seconds;
                    return new TrainingResult(TrainingOutcome.Cancelled, epochs, trainSeconds, step, samples);
                }

                _optimizer.LearningRate = _baseLearningRate * (_options.Schedule?.Factor(step) ?? 1f);
                // Without clipping each layer is updated right after its backward (the same result; a loss that is not
                // finite updates nothing); clipping needs every gradient first: the step, the clip, then one optimizer pass.
                var perLayer = clipNorm is null ? _optimizer : null;
                float loss = isClassifier
                    ? _network.TrainStep(batch.Inputs, batch.Labels, batch.Size, perLayer)
                    : _network.TrainStep(batch.Inputs, batch.Targets, batch.Size, perLayer);
                CheckFinite(loss, epoch, step);
                if (clipNorm is float maxNorm)
                {
                    CheckFinite(GradientClipping.ClipByGlobalNorm(_network.Gradients, maxNorm), epoch, step, "gradient norm");
                    _optimizer.Step(_network.Parameters, _network.Gradients);
                }

                long correct = isClassifier ? Metrics.CountCorrect(_network.Layers[^1].Output, batch.Labels, batch.Size * steps, classes) : 0;
                step++;
                tally.Add(loss, batch.Size, correct, progress);
            }
            skip = 0;
            trainSeconds += tally.Stop();
            samples += tally.Seen;

            var evaluation = test is null ? new Evaluation(float.NaN, float.NaN, 0) : Evaluate(_network, test, _network.MaxBatch);
            var metrics = tally.Metrics(_optimizer.LearningRate, evaluation, isClassifier, steps);
            epochs.Add(metrics);
            if (metricsLog is not null) WriteMetrics(metricsLog, metrics);
            SaveCheckpoint(new TrainingPosition(epoch + 1, step, _network.RngState));
            EpochCompleted?.Invoke(metrics);
        }
        return new TrainingResult(TrainingOutcome.Completed, epochs, trainSeconds, step, samples);
    }

    /// <summary>Mean loss and accuracy (NaN for float targets) of <paramref name="network"/> on <paramref name="data"/>,
    /// in batches of up to <paramref name="batchSize"/>, without changing the network's parameters.</summary>
    public static Evaluation Evaluate(INetwork network, Dataset data, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        batchSize = Math.Clamp(batchSize, 1, network.MaxBatch);
        bool isClassifier = network.Loss == Loss.SoftmaxCrossEntropy || (network.Loss == Loss.None && !data.Labels.IsEmpty);
        double lossSum = 0;
        long correct = 0;
        int size = data.SampleSize, outputs = network.OutputSize;
        // A sequence output scores one label per time step: steps rows of outputs / steps classes per sample.
        int steps = Math.Max(data.LabelSize, 1), classes = outputs / steps;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, data.Count - start);
            var output = network.Forward(data.Features.Slice(start * size, n * size), n);
            if (isClassifier)
            {
                var labels = data.Labels.Slice(start * steps, n * steps);
                lossSum += Losses.SoftmaxCrossEntropy(n * steps, classes, output, labels, default) * (double)n;
                correct += Metrics.CountCorrect(output, labels, n * steps, classes);
            }
            else
            {
                lossSum += Losses.SquaredError(n, outputs, output, data.Targets.Slice(start * outputs, n * outputs), default) * (double)n;
            }
        }
        int count = Math.Max(data.Count, 1);
        return new Evaluation((float)(lossSum / count), isClassifier ? (float)correct / ((long)count * steps) : float.NaN, data.Count);
    }

    private void CheckCompatible(Dataset data, string name)
    {
        if (data.SampleSize != _network.InputSize)
            throw new ArgumentException($"Samples of the {name} set have {data.SampleSize} values ([{string.Join(",", data.SampleShape)}]) but {_network.Name} takes {_network.InputSize}.", name);
        if (_network.Loss == Loss.SoftmaxCrossEntropy && data.Labels.IsEmpty)
            throw new ArgumentException($"The {name} set has no class labels, which softmax cross-entropy needs.", name);
        if (_network.Loss == Loss.SquaredError && data.TargetSize != _network.OutputSize)
            throw new ArgumentException($"The {name} set has {data.TargetSize} targets per sample but {_network.Name} outputs {_network.OutputSize}.", name);
    }

    private void CheckFinite(float value, int epoch, long step, string what = "loss")
    {
        if (float.IsFinite(value)) return;
        string kept = _options.CheckpointPath is null
            ? "No checkpoint path was set, so nothing was saved."
            : File.Exists(_options.CheckpointPath)
                ? $"The last good checkpoint, '{_options.CheckpointPath}', was kept unchanged."
                : $"No checkpoint had been written yet to '{_options.CheckpointPath}'.";
        throw new TrainingDivergedException(
            $"Training diverged: the {what} became {value} at epoch {epoch + 1}, step {step} (learning rate {_optimizer.LearningRate}). " +
            $"The update was not applied. {kept} Try a lower learning rate or gradient clipping.");
    }

    private void SaveCheckpoint(TrainingPosition position)
    {
        if (_options.CheckpointPath is not null)
            Checkpoint.Save(_options.CheckpointPath, _network, _optimizer, position);
    }

    private static StreamWriter OpenMetricsLog(string path, bool append)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        return new StreamWriter(path, append) { AutoFlush = true };
    }

    private static void WriteMetrics(StreamWriter log, EpochMetrics m)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("epoch", m.Epoch);
            json.WriteNumber("learning_rate", m.LearningRate);
            WriteNumber(json, "train_loss", m.TrainLoss);
            WriteNumber(json, "train_accuracy", m.TrainAccuracy);
            WriteNumber(json, "test_loss", m.TestLoss);
            WriteNumber(json, "test_accuracy", m.TestAccuracy);
            json.WriteNumber("seconds", Math.Round(m.Seconds, 3));
            json.WriteNumber("samples_per_second", Math.Round(m.SamplesPerSecond, 1));
            json.WriteEndObject();
        }
        log.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>Writes a number, or null where it is NaN (JSON has no NaN).</summary>
    internal static void WriteNumber(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(name, value);
        else json.WriteNull(name);
    }
}
