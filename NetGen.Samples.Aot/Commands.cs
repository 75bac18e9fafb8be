using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using NetGen.Checkpoints;
using NetGen.Data;
using NetGen.Optimizers;
using NetGen.Samples.Text;

namespace NetGen.Samples.Aot;

/// <summary>The verbs of <c>netgen-aot</c>. Each returns the process exit code; bad input throws with a message
/// naming the option.</summary>
internal static class Commands
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary><c>classify</c>: one batch-1 forward per image, one line per prediction, then the accuracy.</summary>
    public static int Classify(CommandLine options)
    {
        var network = LoadNetwork(options.Required("--checkpoint"), maxBatch: 1);
        var images = LoadImages(options);
        int count = Math.Min(options.Int("--count", images.Count), images.Count);

        using var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
        int correct = 0;
        for (int i = 0; i < count; i++)
        {
            int predicted = Predict(network, images, i);
            int label = images.Labels[i];
            if (predicted == label) correct++;
            output.WriteLine(string.Create(Invariant, $"{i}\t{predicted}\t{ClassName(predicted)}\t(label {label} {ClassName(label)})"));
        }
        output.WriteLine(string.Create(Invariant, $"accuracy {(double)correct / count:P2} ({correct}/{count})"));
        return 0;
    }

    /// <summary><c>bench</c>: batch-1 latency (median of many forwards after a warm-up) and cold start to the first
    /// prediction (median wall time of fresh <c>classify --count 1</c> processes).</summary>
    public static int Bench(CommandLine options)
    {
        string checkpoint = options.Required("--checkpoint");
        var network = LoadNetwork(checkpoint, maxBatch: 1);
        var images = LoadImages(options);
        int runs = options.Int("--runs", 20000);
        int launches = options.Int("--launches", 20);
        Console.WriteLine(SimdCheck.Describe());

        for (int i = 0; i < Math.Max(1000, runs / 10); i++) Predict(network, images, i % images.Count);
        var ticks = new long[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            network.Forward(images.Features.Slice(i % images.Count * images.SampleSize, images.SampleSize), 1);
            ticks[i] = Stopwatch.GetTimestamp() - start;
        }
        Array.Sort(ticks);
        Console.WriteLine(string.Create(Invariant,
            $"batch-1 forward: median {Microseconds(ticks[runs / 2]):F2} µs, p10 {Microseconds(ticks[runs / 10]):F2} µs, p90 {Microseconds(ticks[runs * 9 / 10]):F2} µs over {runs} runs"));

        var (program, prefix) = SelfCommand();
        var startInfo = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in prefix) startInfo.ArgumentList.Add(arg);
        foreach (string arg in (string[])["classify", "--checkpoint", checkpoint, "--images", options.Required("--images"),
                     "--labels", options.Required("--labels"), "--count", "1"])
            startInfo.ArgumentList.Add(arg);
        var wall = new double[launches];
        for (int i = 0; i < launches; i++)
        {
            long start = Stopwatch.GetTimestamp();
            using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"bench: could not start '{program}'.");
            var stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            wall[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"bench: the cold-start run of classify failed with exit code {process.ExitCode}: {stderr.Trim()}");
            stdout.Wait();
        }
        Array.Sort(wall);
        Console.WriteLine(string.Create(Invariant,
            $"cold start to first prediction (process start → exit of classify --count 1): median {wall[launches / 2]:F1} ms, min {wall[0]:F1} ms over {launches} launches"));
        return 0;
    }

    /// <summary><c>train</c>: SGD (momentum 0.9) on the training split, printing the loss every <c>--every</c> steps and
    /// a hash of the final parameters, so two builds can be compared line by line.</summary>
    public static int Train(CommandLine options)
    {
        int steps = options.Int("--steps", 100);
        ulong seed = options.ULong("--seed", 1);
        int batch = options.Int("--batch", 64);
        int every = options.Int("--every", 10);
        float learningRate = options.PositiveFloat("--lr", 0.05f);
        string dir = options.Optional("--data") ?? Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-subset");
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException($"train: --data directory '{dir}' does not exist; pass a directory with the idx files of Fashion-MNIST.");
        var data = Idx.LoadDirectory(dir, train: true);

        var network = new FashionMlp(batch, seed);
        RequireInputSize(data, dir);
        var sgd = new Sgd(network.Parameters.Length, learningRate, momentum: 0.9f);
        using var loader = new DataLoader(data, batch, shuffle: true, seed: seed);
        int step = 0;
        for (int epoch = 0; step < steps; epoch++)
        {
            foreach (var b in loader.Epoch(epoch))
            {
                float loss = network.TrainStep(b.Inputs, b.Labels, b.Size);
                sgd.Step(network.Parameters, network.Gradients);
                step++;
                if (step % every == 0 || step == 1 || step == steps)
                    Console.WriteLine(string.Create(Invariant, $"step {step,5}  loss {loss:R}"));
                if (step == steps) break;
            }
        }
        Console.WriteLine(string.Create(Invariant, $"parameters fnv1a64 {Fnv1a(MemoryMarshal.AsBytes((ReadOnlySpan<float>)network.Parameters)):x16}"));
        return 0;
    }

    /// <summary><c>generate</c>: <c>--prompt</c> followed by <c>--length</c> characters sampled from a
    /// <see cref="CharLstm"/> checkpoint at <c>--temperature</c> with <c>--seed</c>, by the samples' own
    /// <see cref="CharSampler.Sample"/>, so the text equals <c>netgen-samples generate</c>'s for the same arguments.</summary>
    public static int Generate(CommandLine options)
    {
        string checkpoint = options.Required("--checkpoint");
        RequireFile("--checkpoint", checkpoint, "a safetensors checkpoint of CharLstm (e.g. data/checkpoints/charlstm.safetensors)");
        string vocabulary = CharVocabulary.Load(options.Required("--vocab"));
        int length = options.Int("--length", 500, min: 0);
        float temperature = options.PositiveFloat("--temperature", 0.8f);
        ulong seed = options.ULong("--seed", 1);
        var network = new CharLstm(1);
        Checkpoint.Load(checkpoint, network);
        Console.WriteLine(CharSampler.Sample(network.Parameters, vocabulary, options.Optional("--prompt") ?? "", length, temperature, seed));
        return 0;
    }

    /// <summary>64-bit FNV-1a of the bytes: equal parameters bit for bit give equal hashes.</summary>
    private static ulong Fnv1a(ReadOnlySpan<byte> bytes)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in bytes) hash = (hash ^ b) * 1099511628211UL;
        return hash;
    }

    private static int Predict(FashionMlp network, Dataset images, int index)
    {
        var logits = network.Forward(images.Features.Slice(index * images.SampleSize, images.SampleSize), 1);
        int best = 0;
        for (int c = 1; c < logits.Length; c++)
            if (logits[c] > logits[best]) best = c;
        return best;
    }

    private static FashionMlp LoadNetwork(string path, int maxBatch)
    {
        RequireFile("--checkpoint", path, "a safetensors checkpoint of FashionMlp (e.g. data/checkpoints/fashion-mlp.safetensors)");
        var network = new FashionMlp(maxBatch, seed: 0);
        Checkpoint.Load(path, network);
        return network;
    }

    private static Dataset LoadImages(CommandLine options)
    {
        string images = options.Required("--images"), labels = options.Required("--labels");
        RequireFile("--images", images, "an idx image file such as data/fashion-mnist-subset/t10k-images-idx3-ubyte.gz");
        RequireFile("--labels", labels, "the matching idx label file such as data/fashion-mnist-subset/t10k-labels-idx1-ubyte.gz");
        var data = Idx.Load(images, labels);
        RequireInputSize(data, images);
        return data;
    }

    private static void RequireFile(string option, string path, string expected)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{option}: file '{path}' does not exist; pass {expected}.", path);
    }

    private static void RequireInputSize(Dataset data, string source)
    {
        if (data.SampleSize != FashionMlp.InputSize)
            throw new InvalidDataException($"'{source}' holds samples of {data.SampleSize} values but FashionMlp takes {FashionMlp.InputSize} (28 × 28 images).");
    }

    private static string ClassName(int label) =>
        (uint)label < (uint)FashionMlp.ClassNames.Length ? FashionMlp.ClassNames[label] : $"class {label}";

    private static double Microseconds(long ticks) => ticks * 1e6 / Stopwatch.Frequency;

    /// <summary>How to start this program again: the native binary itself, or <c>dotnet netgen-aot.dll</c> under the JIT.</summary>
    private static (string Program, string[] Prefix) SelfCommand()
    {
        string entry = Environment.GetCommandLineArgs()[0];
        string process = Environment.ProcessPath ?? throw new InvalidOperationException("bench: the path of this program is unknown, so it cannot be relaunched.");
        return entry.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? (process, [entry]) : (process, []);
    }
}
