using System.Text.Json;
using NetGen.Checkpoints;
using NetGen.Data;
using NetGen.Optimizers;
using NetGen.Training;

namespace NetGen.Tests.Training;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class BlobClassifier
{
    [Input(4)]          public partial Layer Features { get; }
    [Dense(16), Tanh]   public partial Layer Hidden { get; }
    [Dense(3)]          public partial Layer Scores { get; }
}

public sealed class TrainerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netgen-trainer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Three Gaussian blobs in 4-D, one per class.</summary>
    internal static Dataset Blobs(int count, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[count * 4];
        var y = new int[count];
        for (int i = 0; i < count; i++)
        {
            int c = rng.NextInt(3);
            y[i] = c;
            for (int j = 0; j < 4; j++) x[i * 4 + j] = (j == c ? 2f : 0f) + 0.7f * rng.NextGaussian();
        }
        return new Dataset(x, [4], labels: y, classes: 3);
    }

    private static (BlobClassifier Net, Optimizer Opt) Fresh() =>
        (new BlobClassifier(maxBatch: 16, seed: 5), new Sgd(new BlobClassifier(1, 5).Parameters.Length, 0.05f, momentum: 0.9f));

    [Fact]
    public void LearnsBlobsAndLogsOneMetricsLinePerEpoch()
    {
        var (net, opt) = Fresh();
        string metrics = Path.Combine(_dir, "m.jsonl");
        var trainer = new Trainer(net, opt, new TrainerOptions { Epochs = 3, BatchSize = 16, Seed = 1, MetricsPath = metrics });
        var result = trainer.Fit(Blobs(600, 1), Blobs(300, 2));

        Assert.Equal(TrainingOutcome.Completed, result.Outcome);
        Assert.Equal(3, result.Epochs.Count);
        Assert.True(result.Epochs[^1].TestAccuracy > 0.85f, $"test accuracy {result.Epochs[^1].TestAccuracy}");
        Assert.True(result.Epochs[^1].TrainLoss < result.Epochs[0].TrainLoss);
        string[] lines = File.ReadAllLines(metrics);
        Assert.Equal(3, lines.Length);
        using var last = JsonDocument.Parse(lines[^1]);
        Assert.Equal(3, last.RootElement.GetProperty("epoch").GetInt32());
        Assert.Equal(result.Epochs[^1].TestAccuracy, last.RootElement.GetProperty("test_accuracy").GetSingle(), 5);
    }

    [Fact]
    public void ResumeIsBitExact_TwoEpochsEqualOnePlusSaveLoadPlusOne()
    {
        var data = Blobs(200, 3);
        var (straight, opt1) = Fresh();
        new Trainer(straight, opt1, new TrainerOptions { Epochs = 2, BatchSize = 16, Seed = 9 }).Fit(data);

        string path = Path.Combine(_dir, "resume.safetensors");
        var (first, opt2) = Fresh();
        new Trainer(first, opt2, new TrainerOptions { Epochs = 1, BatchSize = 16, Seed = 9, CheckpointPath = path }).Fit(data);

        var (second, opt3) = Fresh();
        var position = Checkpoint.Load(path, second, opt3);
        Assert.NotNull(position);
        Assert.Equal(1, position.Epoch);
        new Trainer(second, opt3, new TrainerOptions { Epochs = 2, BatchSize = 16, Seed = 9 }).Fit(data, resumeFrom: position);

        Assert.Equal(straight.Parameters.ToArray(), second.Parameters.ToArray());
    }

    [Fact]
    public void CancellationSavesTheExactPosition_AndResumingMatchesAnUninterruptedRun()
    {
        var data = Blobs(160, 4); // 10 batches per epoch
        var (straight, opt1) = Fresh();
        new Trainer(straight, opt1, new TrainerOptions { Epochs = 2, BatchSize = 16, Seed = 2 }).Fit(data);

        string path = Path.Combine(_dir, "cancel.safetensors");
        var (interrupted, opt2) = Fresh();
        using var cts = new CancellationTokenSource();
        var stopAfter13 = new StopAfter(13, cts);
        var result = new Trainer(interrupted, opt2, new TrainerOptions { Epochs = 2, BatchSize = 16, Seed = 2, CheckpointPath = path })
            .Fit(data, progress: stopAfter13, cancellationToken: cts.Token);
        Assert.Equal(TrainingOutcome.Cancelled, result.Outcome);
        Assert.Equal(13, result.Steps);

        var (resumed, opt3) = Fresh();
        var position = Checkpoint.Load(path, resumed, opt3)!;
        Assert.Equal((1, 13L), (position.Epoch, position.Step));
        new Trainer(resumed, opt3, new TrainerOptions { Epochs = 2, BatchSize = 16, Seed = 2 }).Fit(data, resumeFrom: position);
        Assert.Equal(straight.Parameters.ToArray(), resumed.Parameters.ToArray());
    }

    private sealed class StopAfter(int steps, CancellationTokenSource cts) : IProgress<TrainingProgress>
    {
        private int _seen;
        public void Report(TrainingProgress value) { if (++_seen == steps) cts.Cancel(); }
    }

    [Fact]
    public void DivergenceStopsWithAMessage_AndKeepsTheLastGoodCheckpoint()
    {
        var data = Blobs(64, 5);
        string path = Path.Combine(_dir, "diverge.safetensors");
        var (net, opt) = Fresh();
        new Trainer(net, opt, new TrainerOptions { Epochs = 1, BatchSize = 16, Seed = 1, CheckpointPath = path }).Fit(data);
        byte[] good = File.ReadAllBytes(path);

        net.Parameters[0] = float.NaN; // poison: the next loss is NaN
        var before = net.Parameters.ToArray();
        var e = Assert.Throws<TrainingDivergedException>(() =>
            new Trainer(net, opt, new TrainerOptions { Epochs = 2, BatchSize = 16, Seed = 1, CheckpointPath = path })
                .Fit(data, resumeFrom: new TrainingPosition(1, 4, default)));
        Assert.Contains("NaN", e.Message);
        Assert.Contains("epoch 2", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Equal(good, File.ReadAllBytes(path));
        Assert.Equal(before, net.Parameters.ToArray()); // the bad update was not applied
    }

    [Fact]
    public void EvaluateCountsArgMaxAgainstLabels()
    {
        var (net, _) = Fresh();
        var data = Blobs(50, 6);
        var evaluation = Trainer.Evaluate(net, data, batchSize: 16);
        int correct = 0;
        for (int i = 0; i < data.Count; i++)
            if (Metrics.ArgMax(net.Forward(data.Features.Slice(i * 4, 4), 1)) == data.Labels[i]) correct++;
        Assert.Equal(correct / 50f, evaluation.Accuracy, 6);
        Assert.True(float.IsFinite(evaluation.Loss) && evaluation.Loss > 0);
    }

    [Fact]
    public void RejectsDataOfTheWrongShape()
    {
        var (net, opt) = Fresh();
        var wrong = new Dataset(new float[10 * 5], [5], labels: new int[10], classes: 3);
        var e = Assert.Throws<ArgumentException>(() => new Trainer(net, opt, new TrainerOptions { Epochs = 1, BatchSize = 4 }).Fit(wrong));
        Assert.Contains("5 values", e.Message);
    }
}
