using NetGen.Checkpoints;
using NetGen.Data;
using NetGen.Training;

namespace NetGen.Samples.Text;

/// <summary>
/// <c>train --model charlstm</c>, <c>generate</c> and <c>embeddings</c>: a character-level LSTM trained on a text (by
/// default NetGen's own sources), held-out bits per character each epoch, text sampled from a checkpoint, and a PCA map
/// of the learned character embeddings.
/// </summary>
internal static class CharCommands
{
    /// <summary>Characters per training window (the network's <c>TokenInput</c> length).</summary>
    private const int Window = 64;

    public static int Train(TrainArguments a, string? textFile)
    {
        SampleCommands.CheckEpochsAndBatch(a);
        if (a.Device != "cpu")
            throw new ArgumentException($"--device {a.Device}: {a.Model} has no GPU code (only dense networks get a GPU twin); train it with --device cpu.");
        SampleCommands.SetThreads(a.Threads);
        var (corpus, source) = CharText.Load(textFile);
        // Consecutive, non-overlapping windows; the last 10% of them (the end of the text) are held out.
        var windows = corpus.ToSequences(Window, Window);
        int heldCount = windows.Count / 10;
        if (heldCount < 1)
            throw new InvalidDataException($"{source} has {corpus.Tokens.Length} characters: too few for a held-out 10% of {Window}-character windows; pass a longer --text.");
        var trainSet = windows.Slice(0, windows.Count - heldCount);
        var heldOut = windows.Slice(windows.Count - heldCount, heldCount);

        var network = new CharLstm(a.Batch, a.Seed);
        var setup = TrainingSetup.Create(a, network, sgdRate: 0.5f, otherRate: 0.002f);
        CharText.SaveVocabulary(setup.CheckpointPath, CharVocabulary.Of(corpus));

        Console.WriteLine(network.Summary());
        Console.WriteLine($"data: {source}, {corpus.Tokens.Length:N0} characters, vocabulary {corpus.Vocabulary.Length}; " +
                          $"{trainSet.Count:N0} training and {heldOut.Count:N0} held-out windows of {Window}");
        Console.WriteLine($"optimizer: {setup.OptimizerName} lr {setup.LearningRate}  batch {a.Batch}  clip norm {network.RecommendedClipNorm}  threads {a.Threads}  seed {a.Seed}");

        var trainer = new Trainer(network, setup.Optimizer, setup.TrainerOptions(a, trainSet.Count));
        trainer.EpochCompleted += m => Console.WriteLine(
            $"epoch {m.Epoch,3}  train {Bits(m.TrainLoss):F3} bpc  held-out {Bits(m.TestLoss):F3} bpc (next-character accuracy {m.TestAccuracy:P1})  " +
            $"{m.Seconds:F1} s ({m.SamplesPerSecond * Window:N0} chars/s)");
        var view = new TrainingView();
        var result = TrainingSetup.Run(view, cancel => trainer.Fit(trainSet, heldOut, setup.Position, view, cancel));
        Console.WriteLine($"checkpoint: {setup.CheckpointPath} (vocabulary: {CharText.VocabularyPath(setup.CheckpointPath)})");
        var final = Trainer.Evaluate(network, heldOut, network.MaxBatch);
        if (a.Json is not null) WriteSummary(a.Json, network, result, final, source, corpus, setup.OptimizerName, setup.LearningRate, a);
        if (setup.ReportCancelled(result)) return 130;
        Console.WriteLine($"held-out {Bits(final.Loss):F3} bits per character over {result.TrainSeconds:F1} s of training");
        Console.WriteLine("sample (temperature 0.8):");
        Console.WriteLine(CharSampler.Sample(network.Parameters, corpus.Vocabulary, "// ", 300, 0.8f, a.Seed));
        return 0;
    }

    public static int Generate(string? checkpoint, string prompt, int length, float temperature, ulong seed)
    {
        if (length < 0) throw new ArgumentException($"--length must be 0 or more (got {length}).");
        if (!(temperature > 0)) throw new ArgumentException($"--temperature must be positive (got {temperature}).");
        var (network, vocabulary) = LoadTrained(checkpoint);
        Console.WriteLine(CharSampler.Sample(network.Parameters, vocabulary.Characters, prompt, length, temperature, seed));
        return 0;
    }

    public static int Embeddings(string? checkpoint, string? output)
    {
        var (network, vocabulary) = LoadTrained(checkpoint);
        var table = network.ParameterTensors.Single(t => t.Name == "Embed.weight");
        int dim = table.Shape[1];
        // Rare characters barely move from their N(0, 1) start and would bury the structure: map those seen at least
        // once per 10,000 characters.
        int minCount = Math.Max(1, vocabulary.Counts.Sum() / 10_000);
        string shown = new(vocabulary.Characters.Where((_, v) => vocabulary.Counts[v] >= minCount).ToArray());
        var rows = new double[shown.Length][];
        for (int i = 0; i < rows.Length; i++)
        {
            var row = network.Parameters.Slice(table.Offset + vocabulary.Characters.IndexOf(shown[i]) * dim, dim);
            rows[i] = new double[dim];
            for (int j = 0; j < dim; j++) rows[i][j] = row[j];
        }
        var (xs, ys, explained) = Pca2(rows);
        string path = output ?? Path.Combine("runs", "charlstm", "embeddings.png");
        SampleCommands.CreateParentDirectory(path);
        var plot = new ScottPlot.Plot();
        for (int v = 0; v < shown.Length; v++)
        {
            var label = plot.Add.Text(CharText.Label(shown[v]), xs[v], ys[v]);
            label.LabelFontSize = 16;
            label.LabelAlignment = ScottPlot.Alignment.MiddleCenter;
            label.LabelFontColor = char.IsDigit(shown[v]) ? ScottPlot.Colors.DarkOrange
                : char.IsUpper(shown[v]) ? ScottPlot.Colors.Crimson
                : char.IsLower(shown[v]) ? ScottPlot.Colors.Navy : ScottPlot.Colors.DarkGreen;
        }
        plot.Title($"CharLstm character embeddings: 2-D PCA of the {shown.Length} characters seen at least {minCount:N0} times");
        plot.XLabel($"PC 1 ({explained.First:P0} of variance)");
        plot.YLabel($"PC 2 ({explained.Second:P0} of variance)");
        plot.SavePng(path, 1200, 900);
        Console.WriteLine($"embeddings: {path} ({shown.Length} of {vocabulary.Characters.Length} characters, those seen at least {minCount:N0} times; " +
                          "blue lower case, red upper case, orange digits, green the rest)");
        return 0;
    }

    private static float Bits(float nats) => nats / MathF.Log(2f);

    private static (CharLstm Network, CharVocabulary Vocabulary) LoadTrained(string? checkpoint)
    {
        string path = checkpoint ?? Path.Combine("runs", "charlstm", "model.safetensors");
        SampleCommands.RequireFile(path, "--checkpoint");
        var vocabulary = CharText.LoadVocabulary(path);
        var network = new CharLstm(1);
        Checkpoint.Load(path, network);
        return (network, vocabulary);
    }

    /// <summary>Projections of <paramref name="rows"/> (centred) on their two principal axes, found by power iteration
    /// on the covariance with deflation, and the share of variance each explains.</summary>
    private static (double[] X, double[] Y, (double First, double Second) Explained) Pca2(double[][] rows)
    {
        int n = rows.Length, d = rows[0].Length;
        var mean = new double[d];
        foreach (var r in rows) for (int j = 0; j < d; j++) mean[j] += r[j] / n;
        var cov = new double[d, d];
        foreach (var r in rows)
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++) cov[i, j] += (r[i] - mean[i]) * (r[j] - mean[j]) / n;
        double total = 0;
        for (int i = 0; i < d; i++) total += cov[i, i];
        var (v1, l1) = TopEigen(cov, d);
        for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) cov[i, j] -= l1 * v1[i] * v1[j];
        var (v2, l2) = TopEigen(cov, d);
        double[] Project(double[] axis) => rows.Select(r => Enumerable.Range(0, d).Sum(j => (r[j] - mean[j]) * axis[j])).ToArray();
        return (Project(v1), Project(v2), (l1 / total, l2 / total));
    }

    private static (double[] Vector, double Value) TopEigen(double[,] m, int d)
    {
        var v = Enumerable.Range(0, d).Select(i => 1.0 + 0.01 * i).ToArray();
        double value = 0;
        for (int iteration = 0; iteration < 500; iteration++)
        {
            var w = new double[d];
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) w[i] += m[i, j] * v[j];
            double norm = Math.Sqrt(w.Sum(x => x * x));
            if (norm == 0) break;
            for (int i = 0; i < d; i++) v[i] = w[i] / norm;
            value = norm;
        }
        return (v, value);
    }

    private static void WriteSummary(string path, CharLstm network, TrainingResult result, Evaluation final, string source, TextCorpus corpus,
        string optimizer, float learningRate, TrainArguments a) =>
        SampleCommands.WriteRunSummary(path, a.Model, network, source, result, json =>
        {
            json.WriteNumber("characters", corpus.Tokens.Length);
            json.WriteNumber("vocabulary", corpus.Vocabulary.Length);
            json.WriteNumber("epochs", result.Epochs.Count == 0 ? 0 : result.Epochs[^1].Epoch);
            json.WriteNumber("batch", a.Batch);
            json.WriteString("optimizer", optimizer);
            json.WriteNumber("learning_rate", learningRate);
            json.WriteNumber("clip_norm", network.RecommendedClipNorm ?? 0);
            json.WriteNumber("threads", a.Threads);
            json.WriteNumber("seed", a.Seed);
            json.WriteNumber("train_seconds", Math.Round(result.TrainSeconds, 3));
            json.WriteNumber("held_out_bits_per_character", Math.Round(Bits(final.Loss), 4));
            json.WriteStartArray("epoch_held_out_bits_per_character");
            foreach (var e in result.Epochs) json.WriteNumberValue(Math.Round(Bits(e.TestLoss), 4));
            json.WriteEndArray();
            json.WriteStartArray("epoch_train_bits_per_character");
            foreach (var e in result.Epochs) json.WriteNumberValue(Math.Round(Bits(e.TrainLoss), 4));
            json.WriteEndArray();
        });
}
