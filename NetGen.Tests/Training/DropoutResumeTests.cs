using NetGen.Checkpoints;
using NetGen.Data;
using NetGen.Optimizers;
using NetGen.Training;

namespace NetGen.Tests.Training;

[Network(Loss = Loss.SoftmaxCrossEntropy)]
public partial class DropoutBlobClassifier
{
    [Input(4)]          public partial Layer Features { get; }
    [Dense(16), Tanh]   public partial Layer Hidden { get; }
    [Dropout(0.5)]      public partial Layer Drop { get; }
    [Dense(3)]          public partial Layer Scores { get; }
}

/// <summary>The trainer saves the network's Rng state in checkpoints and restores it on resume, so that a resumed run
/// with dropout draws the same masks as an uninterrupted one.</summary>
public sealed class DropoutResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netgen-dropout-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (DropoutBlobClassifier Net, Optimizer Opt) Fresh() =>
        (new DropoutBlobClassifier(maxBatch: 16, seed: 5), new Sgd(new DropoutBlobClassifier(1, 5).Parameters.Length, 0.05f, momentum: 0.9f));

    [Fact]
    public void ResumeWithDropoutIsBitExact()
    {
        Dataset data = TrainerTests.Blobs(200, 3);
        var (straight, opt1) = Fresh();
        new Trainer(straight, opt1, new TrainerOptions { Epochs = 2, BatchSize = 16, Seed = 9 }).Fit(data);

        string path = Path.Combine(_dir, "resume.safetensors");
        var (first, opt2) = Fresh();
        new Trainer(first, opt2, new TrainerOptions { Epochs = 1, BatchSize = 16, Seed = 9, CheckpointPath = path }).Fit(data);

        var (second, opt3) = Fresh();
        var position = Checkpoint.Load(path, second, opt3);
        Assert.NotNull(position);
        Assert.Equal(first.RngState, position.RngState);
        Assert.NotEqual(second.RngState, position.RngState);
        new Trainer(second, opt3, new TrainerOptions { Epochs = 2, BatchSize = 16, Seed = 9 }).Fit(data, resumeFrom: position);

        Assert.Equal(straight.RngState, second.RngState);
        Assert.Equal(straight.Parameters.ToArray(), second.Parameters.ToArray());
    }
}
