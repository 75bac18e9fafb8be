using System.Text.Json;
using NetGen.Checkpoints;
using NetGen.Data;
using NetGen.Optimizers;
using OptimizerFactory = NetGen.Optimizers.Optimizers;
using NetGen.Training;

namespace NetGen.Samples;

internal sealed record TrainArguments(string Model, string? Data, int Epochs, int Batch, float? LearningRate, string? Optimizer,
    int Threads, ulong Seed, string? Checkpoint, string? Resume, string? Json, string? Output, string Device = "cpu");

/// <summary>
/// What both train commands set up alike from their arguments: the optimizer (<c>--optimizer</c> or the model's default)
/// and its learning rate, the output folder and checkpoint path (both folders created), and the position loaded from
/// <c>--resume</c> (null: from the start).
/// </summary>
internal sealed record TrainingSetup(Optimizer Optimizer, string OptimizerName, float LearningRate, string OutDir, string CheckpointPath,
    TrainingPosition? Position)
{
    /// <summary>
    /// Sets up a run of <paramref name="network"/>. Without <c>--lr</c> the rate is the model's default for its default
    /// optimizer, else <paramref name="sgdRate"/> for SGD and <paramref name="otherRate"/> for the other optimizers.
    /// </summary>
    public static TrainingSetup Create(TrainArguments a, INetwork network, float sgdRate, float otherRate)
    {
        var (defaultOptimizer, defaultRate) = ModelCatalog.DefaultOptimizer(a.Model);
        string optimizerName = a.Optimizer ?? defaultOptimizer;
        float learningRate = a.LearningRate ?? (optimizerName == defaultOptimizer ? defaultRate : optimizerName == "sgd" ? sgdRate : otherRate);
        if (!(learningRate > 0)) throw new ArgumentException($"--lr must be positive (got {learningRate}).");
        var optimizer = OptimizerFactory.Create(optimizerName, network.Parameters.Length, learningRate);
        string outDir = a.Output ?? Path.Combine("runs", a.Model);
        string checkpointPath = a.Checkpoint ?? Path.Combine(outDir, "model.safetensors");
        Directory.CreateDirectory(outDir);
        SampleCommands.CreateParentDirectory(checkpointPath);

        TrainingPosition? position = null;
        if (a.Resume is not null)
        {
            SampleCommands.RequireFile(a.Resume, "--resume");
            position = Checkpoint.Load(a.Resume, network, optimizer);
            Console.WriteLine($"resumed from {a.Resume} at epoch {position?.Epoch ?? 0}, step {position?.Step ?? 0}");
        }
        return new TrainingSetup(optimizer, optimizerName, learningRate, outDir, checkpointPath, position);
    }

    /// <summary>The trainer's options: the arguments' epochs, batch and seed, this run's checkpoint and metrics files, and a
    /// cosine schedule over all steps of <paramref name="trainCount"/> samples per epoch.</summary>
    public TrainerOptions TrainerOptions(TrainArguments a, int trainCount) => new()
    {
        Epochs = a.Epochs,
        BatchSize = a.Batch,
        Seed = a.Seed,
        CheckpointPath = CheckpointPath,
        MetricsPath = Path.Combine(OutDir, "metrics.jsonl"),
        Schedule = new Cosine(totalSteps: (long)a.Epochs * ((trainCount + a.Batch - 1) / a.Batch), minFactor: 0.05f),
    };

    /// <summary>Runs <paramref name="fit"/> behind <paramref name="view"/>, Ctrl+C cancelling its token.</summary>
    public static TrainingResult Run(TrainingView view, Func<CancellationToken, TrainingResult> fit)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // let the trainer finish its step and save
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return view.Run(() => fit(cancel.Token));
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>True when <paramref name="result"/> was cancelled, after printing how to resume it.</summary>
    public bool ReportCancelled(TrainingResult result)
    {
        if (result.Outcome != TrainingOutcome.Cancelled) return false;
        Console.WriteLine($"cancelled after {result.Steps} steps; resume with --resume {CheckpointPath}");
        return true;
    }
}

/// <summary>The sample commands. Each returns the process exit code.</summary>
internal static class SampleCommands
{
    /// <summary>Runs a command, turning every failure into one line on stderr and exit code 1
    /// (2 for a diverged run).</summary>
    public static int Run(Func<int> command)
    {
        try
        {
            return command();
        }
        catch (TrainingDivergedException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException
                                      or NotSupportedException or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    public static int Train(TrainArguments a, string? text = null)
    {
        if (ModelCatalog.IsText(a.Model)) return Text.CharCommands.Train(a, text);
        if (text is not null) throw new ArgumentException($"--text is for the text model charlstm; {a.Model} trains on --data.");
        CheckEpochsAndBatch(a);
        SetThreads(a.Threads);
        var (trainSet, testSet, source) = LoadData(a.Data);
        var network = ModelCatalog.Create(a.Model, a.Batch, a.Seed);
        var setup = TrainingSetup.Create(a, network, sgdRate: 0.05f, otherRate: 0.001f);

        Console.WriteLine(network.Summary());
        Console.WriteLine($"data: {source} ({trainSet.Count} train, {testSet.Count} test)  optimizer: {setup.OptimizerName} lr {setup.LearningRate}  " +
                          $"batch {a.Batch}  threads {a.Threads}  seed {a.Seed}");

        var options = setup.TrainerOptions(a, trainSet.Count);
        var trainer = new Trainer(network, setup.Optimizer, options);
        using var device = GpuTraining.Open(a.Device);
        var view = new TrainingView();
        trainer.EpochCompleted += TrainingView.PrintEpoch;
        var result = TrainingSetup.Run(view, cancel => device is null
            ? trainer.Fit(trainSet, testSet, setup.Position, view, cancel)
            : GpuTraining.Fit(device, network, setup.Optimizer, options, trainSet, testSet, setup.Position, view, TrainingView.PrintEpoch, cancel));

        if (result.Epochs.Count > 0)
        {
            string plot = Path.Combine(setup.OutDir, "curves.png");
            CurvePlot.Save(plot, result.Epochs, $"{network.Name} on {source}");
            Console.WriteLine($"curves: {plot}");
        }
        Console.WriteLine($"checkpoint: {setup.CheckpointPath}");
        var final = Trainer.Evaluate(network, testSet, network.MaxBatch);
        if (a.Json is not null) WriteSummary(a with { Optimizer = setup.OptimizerName }, network, result, final, setup.LearningRate, source);
        if (setup.ReportCancelled(result)) return 130;
        Console.WriteLine($"test loss {final.Loss:F4}  test accuracy {final.Accuracy:P2}  ({result.SamplesPerSecond:N0} samples/s over {result.TrainSeconds:F1} s)");
        return 0;
    }

    public static int Evaluate(string model, string? dataDir, string? checkpoint, int threads)
    {
        SetThreads(threads);
        var (_, testSet, source) = LoadData(dataDir, trainSplit: false);
        var network = LoadNetwork(model, checkpoint, maxBatch: 256);
        var result = Trainer.Evaluate(network, testSet, network.MaxBatch);
        Console.WriteLine($"{network.Name} on {source} test split ({result.Samples} images): loss {result.Loss:F4}, accuracy {result.Accuracy:P2}");
        return 0;
    }

    public static int Predict(string model, string? dataDir, string? checkpoint, int index)
    {
        var (_, testSet, _) = LoadData(dataDir, trainSplit: false);
        if (index < 0 || index >= testSet.Count)
            throw new ArgumentException($"--index {index} is outside the test split (0…{testSet.Count - 1}).");
        var network = LoadNetwork(model, checkpoint, maxBatch: 1);
        var logits = network.Forward(testSet.Features.Slice(index * testSet.SampleSize, testSet.SampleSize), 1);
        var probabilities = new float[logits.Length];
        Metrics.Softmax(logits, probabilities);
        int label = testSet.Labels[index];
        Console.WriteLine($"test image {index}: true class {ClassName(label)}");
        foreach (int c in Enumerable.Range(0, probabilities.Length).OrderByDescending(c => probabilities[c]).Take(3))
            Console.WriteLine($"  {ClassName(c),-12} {probabilities[c],7:P2}");
        return 0;
    }

    private static string ClassName(int label) =>
        label >= 0 && label < ModelCatalog.FashionClasses.Length ? ModelCatalog.FashionClasses[label] : $"class {label}";

    internal static INetwork LoadNetwork(string model, string? checkpoint, int maxBatch)
    {
        if (ModelCatalog.IsText(model))
            throw new ArgumentException($"{model} is a text model: sample from it with `generate`, and read its held-out bits per character in `train`'s output.");
        string path = checkpoint ?? Path.Combine("runs", model, "model.safetensors");
        RequireFile(path, "--checkpoint");
        var network = ModelCatalog.Create(model, maxBatch, seed: 0);
        Checkpoint.Load(path, network);
        return network;
    }

    internal static void RequireFile(string path, string option)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{option}: file '{path}' does not exist. Train first (netgen-samples train) or pass an existing checkpoint.");
    }

    /// <summary>The idx data set in <paramref name="dir"/>, or the subset copied next to the program.</summary>
    internal static (Dataset Train, Dataset Test, string Source) LoadData(string? dir, bool trainSplit = true)
    {
        string source = dir ?? Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-subset");
        if (!Directory.Exists(source))
            throw new DirectoryNotFoundException($"--data: directory '{source}' does not exist. Pass a directory holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz.");
        var test = Idx.LoadDirectory(source, train: false);
        var train = trainSplit ? Idx.LoadDirectory(source, train: true) : test;
        return (train, test, dir is null ? "Fashion-MNIST subset" : source);
    }

    /// <summary>Throws unless <c>--epochs</c> and <c>--batch</c> are at least 1.</summary>
    internal static void CheckEpochsAndBatch(TrainArguments a)
    {
        if (a.Epochs < 1) throw new ArgumentException($"--epochs must be at least 1 (got {a.Epochs}).");
        if (a.Batch < 1) throw new ArgumentException($"--batch must be at least 1 (got {a.Batch}).");
    }

    /// <summary>Creates the folder <paramref name="path"/> lies in (when it has one).</summary>
    internal static void CreateParentDirectory(string path)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
    }

    internal static void SetThreads(int threads)
    {
        if (threads < 1) throw new ArgumentException($"--threads must be at least 1 (got {threads}).");
        Kernels.Threading.MaxThreads = threads;
    }

    private static void WriteSummary(TrainArguments a, INetwork network, TrainingResult result, Evaluation final, float learningRate, string source) =>
        WriteRunSummary(a.Json!, a.Model, network, source, result, json =>
        {
            json.WriteNumber("epochs", result.Epochs.Count == 0 ? 0 : result.Epochs[^1].Epoch);
            json.WriteNumber("batch", a.Batch);
            json.WriteString("optimizer", a.Optimizer ?? ModelCatalog.DefaultOptimizer(a.Model).Optimizer);
            json.WriteNumber("learning_rate", learningRate);
            json.WriteNumber("threads", a.Threads);
            json.WriteNumber("seed", a.Seed);
            json.WriteNumber("train_seconds", Math.Round(result.TrainSeconds, 3));
            json.WriteNumber("samples_per_second", Math.Round(result.SamplesPerSecond, 1));
            json.WriteNumber("test_loss", Math.Round(final.Loss, 6));
            json.WriteNumber("test_accuracy", Math.Round(final.Accuracy, 6));
        });

    /// <summary>
    /// Writes a train run's JSON summary to <paramref name="path"/> (its folder created): model, network, parameters and
    /// data, then what <paramref name="fields"/> writes, then each epoch's seconds and the outcome.
    /// </summary>
    internal static void WriteRunSummary(string path, string model, INetwork network, string source, TrainingResult result, Action<Utf8JsonWriter> fields)
    {
        CreateParentDirectory(path);
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("model", model);
        json.WriteString("network", network.Name);
        json.WriteNumber("parameters", network.Parameters.Length);
        json.WriteString("data", source);
        fields(json);
        json.WriteStartArray("epoch_seconds");
        foreach (var e in result.Epochs) json.WriteNumberValue(Math.Round(e.Seconds, 3));
        json.WriteEndArray();
        json.WriteString("outcome", result.Outcome.ToString().ToLowerInvariant());
        json.WriteEndObject();
    }
}
