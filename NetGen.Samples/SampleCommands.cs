using System.Text.Json;
using NetGen.Checkpoints;
using NetGen.Data;
using NetGen.Optimizers;
using OptimizerFactory = NetGen.Optimizers.Optimizers;
using NetGen.Training;

namespace NetGen.Samples;

internal sealed record TrainArguments(string Model, string? Data, int Epochs, int Batch, float? LearningRate, string? Optimizer,
    int Threads, ulong Seed, string? Checkpoint, string? Resume, string? Json, string? Output, string Device = "cpu");

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
        if (a.Epochs < 1) throw new ArgumentException($"--epochs must be at least 1 (got {a.Epochs}).");
        if (a.Batch < 1) throw new ArgumentException($"--batch must be at least 1 (got {a.Batch}).");
        SetThreads(a.Threads);
        var (trainSet, testSet, source) = LoadData(a.Data);
        var network = ModelCatalog.Create(a.Model, a.Batch, a.Seed);
        var (defaultOptimizer, defaultRate) = ModelCatalog.DefaultOptimizer(a.Model);
        string optimizerName = a.Optimizer ?? defaultOptimizer;
        float learningRate = a.LearningRate ?? (optimizerName == defaultOptimizer ? defaultRate : optimizerName == "sgd" ? 0.05f : 0.001f);
        if (!(learningRate > 0)) throw new ArgumentException($"--lr must be positive (got {learningRate}).");
        var optimizer = OptimizerFactory.Create(optimizerName, network.Parameters.Length, learningRate);
        string outDir = a.Output ?? Path.Combine("runs", a.Model);
        string checkpointPath = a.Checkpoint ?? Path.Combine(outDir, "model.safetensors");
        Directory.CreateDirectory(outDir);
        string? checkpointDir = Path.GetDirectoryName(Path.GetFullPath(checkpointPath));
        if (checkpointDir is not null) Directory.CreateDirectory(checkpointDir);

        TrainingPosition? position = null;
        if (a.Resume is not null)
        {
            RequireFile(a.Resume, "--resume");
            position = Checkpoint.Load(a.Resume, network, optimizer);
            Console.WriteLine($"resumed from {a.Resume} at epoch {position?.Epoch ?? 0}, step {position?.Step ?? 0}");
        }

        Console.WriteLine(network.Summary());
        Console.WriteLine($"data: {source} ({trainSet.Count} train, {testSet.Count} test)  optimizer: {optimizerName} lr {learningRate}  " +
                          $"batch {a.Batch}  threads {a.Threads}  seed {a.Seed}");

        var options = new TrainerOptions
        {
            Epochs = a.Epochs,
            BatchSize = a.Batch,
            Seed = a.Seed,
            CheckpointPath = checkpointPath,
            MetricsPath = Path.Combine(outDir, "metrics.jsonl"),
            Schedule = new Cosine(totalSteps: (long)a.Epochs * ((trainSet.Count + a.Batch - 1) / a.Batch), minFactor: 0.05f),
        };
        var trainer = new Trainer(network, optimizer, options);
        using var device = GpuTraining.Open(a.Device);
        var view = new TrainingView();
        trainer.EpochCompleted += TrainingView.PrintEpoch;

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // let the trainer finish its step and save
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        TrainingResult result;
        try
        {
            result = view.Run(() => device is null
                ? trainer.Fit(trainSet, testSet, position, view, cancel.Token)
                : GpuTraining.Fit(device, network, optimizer, options, trainSet, testSet, position, view, TrainingView.PrintEpoch, cancel.Token));
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }

        if (result.Epochs.Count > 0)
        {
            string plot = Path.Combine(outDir, "curves.png");
            CurvePlot.Save(plot, result.Epochs, $"{network.Name} on {source}");
            Console.WriteLine($"curves: {plot}");
        }
        Console.WriteLine($"checkpoint: {checkpointPath}");
        var final = Trainer.Evaluate(network, testSet, network.MaxBatch);
        if (a.Json is not null) WriteSummary(a with { Optimizer = optimizerName }, network, result, final, learningRate, source);
        if (result.Outcome == TrainingOutcome.Cancelled)
        {
            Console.WriteLine($"cancelled after {result.Steps} steps; resume with --resume {checkpointPath}");
            return 130;
        }
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

    internal static void SetThreads(int threads)
    {
        if (threads < 1) throw new ArgumentException($"--threads must be at least 1 (got {threads}).");
        Kernels.Threading.MaxThreads = threads;
    }

    private static void WriteSummary(TrainArguments a, INetwork network, TrainingResult result, Evaluation final, float learningRate, string source)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(a.Json!));
        if (dir is not null) Directory.CreateDirectory(dir);
        using var stream = File.Create(a.Json!);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("model", a.Model);
        json.WriteString("network", network.Name);
        json.WriteNumber("parameters", network.Parameters.Length);
        json.WriteString("data", source);
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
        json.WriteStartArray("epoch_seconds");
        foreach (var e in result.Epochs) json.WriteNumberValue(Math.Round(e.Seconds, 3));
        json.WriteEndArray();
        json.WriteString("outcome", result.Outcome.ToString().ToLowerInvariant());
        json.WriteEndObject();
    }
}
