using System.Globalization;
using NetGen.Optimizers;

namespace NetGen.Checkpoints;

/// <summary>Where training stood when a checkpoint was written: enough to resume exactly.</summary>
/// <param name="Epoch">The epoch to continue with.</param>
/// <param name="Step">Optimizer steps taken so far.</param>
/// <param name="RngState">The trainer's <see cref="Rng.State"/>.</param>
public sealed record TrainingPosition(int Epoch, long Step, (uint, uint, uint, uint) RngState);

/// <summary>
/// Saves and loads a network's parameters, its optimizer's state and the training position as one safetensors file
/// that PyTorch users can open: parameters are named <c>Layer.weight</c> / <c>Layer.bias</c> in PyTorch's layout
/// (dense weights <c>[out, in]</c>), optimizer buffers <c>optimizer.{state}.{Layer.weight}</c> in the same layout, and
/// everything else is <c>__metadata__</c> (keys in <see cref="CheckpointKeys"/>).
/// </summary>
public static class Checkpoint
{
    /// <summary>
    /// Writes the checkpoint atomically: into a temporary file in the same folder, flushed to disk, then renamed over
    /// <paramref name="path"/>, so a crash leaves either the old file or the new one, never a torn one.
    /// <paramref name="metadata"/> entries are stored beside NetGen's own (<see cref="CheckpointKeys"/> and <c>format</c>),
    /// which win on a clash.
    /// </summary>
    public static void Save(string path, INetwork network, Optimizer? optimizer = null, TrainingPosition? position = null,
        IReadOnlyDictionary<string, string>? metadata = null) => Save(path, network, optimizer, position, metadata, wrap: null);

    /// <summary><see cref="Save(string, INetwork, Optimizer?, TrainingPosition?, IReadOnlyDictionary{string, string}?)"/> with a
    /// hook that wraps the file stream (tests use it to simulate a crash mid-write).</summary>
    internal static void Save(string path, INetwork network, Optimizer? optimizer, TrainingPosition? position,
        IReadOnlyDictionary<string, string>? metadata, Func<Stream, Stream>? wrap)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (optimizer != null && optimizer.ParameterCount != network.Parameters.Length)
            throw new ArgumentException($"The {optimizer.Kind} optimizer has {optimizer.ParameterCount} parameters but network " +
                $"{network.Name} has {network.Parameters.Length}.", nameof(optimizer));
        var tensors = new List<SafeTensor>();
        AddTensors(tensors, "", network, network.Parameters);
        if (optimizer != null)
            foreach (var state in optimizer.State) AddTensors(tensors, $"{CheckpointKeys.OptimizerPrefix}{state.Name}.", network, state.Values);

        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata != null) foreach (var (key, value) in metadata) meta[key] = value;
        meta["format"] = "pt";
        meta[CheckpointKeys.Version] = typeof(Checkpoint).Assembly.GetName().Version?.ToString() ?? "unknown";
        meta[CheckpointKeys.Network] = network.Name;
        meta[CheckpointKeys.Signature] = network.ShapeSignature.ToString("x16", CultureInfo.InvariantCulture);
        if (optimizer != null)
        {
            meta[CheckpointKeys.Optimizer] = optimizer.Kind;
            meta[CheckpointKeys.LearningRate] = optimizer.LearningRate.ToString("R", CultureInfo.InvariantCulture);
            meta[CheckpointKeys.OptimizerStep] = optimizer.StepCount.ToString(CultureInfo.InvariantCulture);
        }
        if (position != null)
        {
            meta[CheckpointKeys.Epoch] = position.Epoch.ToString(CultureInfo.InvariantCulture);
            meta[CheckpointKeys.Step] = position.Step.ToString(CultureInfo.InvariantCulture);
            var (a, b, c, d) = position.RngState;
            meta[CheckpointKeys.Rng] = string.Create(CultureInfo.InvariantCulture, $"{a:x8},{b:x8},{c:x8},{d:x8}");
        }

        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var stream = wrap?.Invoke(file) ?? file;
                SafeTensors.Write(stream, tensors, meta);
                stream.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Restores <paramref name="network"/>'s parameters and, when given, <paramref name="optimizer"/>'s state and step count
    /// (not its learning rate, which the caller's schedule owns). Everything is validated before anything is written, so a
    /// failed load leaves the network and optimizer untouched. Returns the saved position, or null when none was saved.
    /// </summary>
    /// <exception cref="CheckpointException">The file is malformed, was saved from a different network (the message names both
    /// types and signatures), lacks a tensor, or lacks the optimizer state asked for.</exception>
    public static TrainingPosition? Load(string path, INetwork network, Optimizer? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        var file = SafeTensors.Read(path);
        var meta = file.Metadata;
        string signature = network.ShapeSignature.ToString("x16", CultureInfo.InvariantCulture);
        // Files written elsewhere (e.g. from PyTorch) carry no signature; their names and shapes are still checked below.
        if (meta.TryGetValue(CheckpointKeys.Signature, out var saved) && saved != signature)
            throw new CheckpointException(path, $"was saved from network {meta.GetValueOrDefault(CheckpointKeys.Network, "?")} " +
                $"(signature {saved}) and cannot be loaded into {network.Name} (signature {signature}); the layers or shapes differ.");

        var copies = new List<(SafeTensor Source, ParameterTensor Target, float[]? Buffer)>();
        Collect(path, file, "", network, null, copies);
        if (optimizer != null)
        {
            if (!meta.TryGetValue(CheckpointKeys.Optimizer, out var kind))
                throw new CheckpointException(path, "holds no optimizer state; load it with optimizer: null to restore only the parameters.");
            if (kind != optimizer.Kind)
                throw new CheckpointException(path, $"holds {kind} optimizer state but a {optimizer.Kind} optimizer was given.");
            if (optimizer.ParameterCount != network.Parameters.Length)
                throw new ArgumentException($"The {optimizer.Kind} optimizer has {optimizer.ParameterCount} parameters but network " +
                    $"{network.Name} has {network.Parameters.Length}.", nameof(optimizer));
            foreach (var state in optimizer.State) Collect(path, file, $"{CheckpointKeys.OptimizerPrefix}{state.Name}.", network, state.Values, copies);
        }
        long optimizerStep = optimizer == null ? 0 : ParseLong(path, meta, CheckpointKeys.OptimizerStep);
        var position = ReadPosition(path, meta);

        var parameters = network.Parameters;
        foreach (var (source, target, buffer) in copies)
            FromPyTorchLayout(source.Data, target, (buffer ?? parameters).Slice(target.Offset, target.Length));
        optimizer?.RestoreStepCount(optimizerStep);
        return position;
    }

    /// <summary>Reads the header of <paramref name="path"/> (names, shapes, metadata) without a network.</summary>
    /// <exception cref="CheckpointException">The file is malformed.</exception>
    public static CheckpointInfo Inspect(string path)
    {
        var header = SafeTensors.ReadHeader(path);
        var meta = header.Metadata;
        return new CheckpointInfo(path, meta, header.Tensors,
            meta.GetValueOrDefault(CheckpointKeys.Network),
            meta.GetValueOrDefault(CheckpointKeys.Signature),
            meta.GetValueOrDefault(CheckpointKeys.Optimizer),
            meta.ContainsKey(CheckpointKeys.OptimizerStep) ? ParseLong(path, meta, CheckpointKeys.OptimizerStep) : null,
            ReadPosition(path, meta));
    }

    private static void AddTensors(List<SafeTensor> tensors, string prefix, INetwork network, ReadOnlySpan<float> buffer)
    {
        foreach (var t in network.ParameterTensors)
        {
            var data = new float[t.Length];
            var source = buffer.Slice(t.Offset, t.Length);
            if (t.Transposed)
            {
                // Internal [in, out] → PyTorch [out, in] = Shape.
                int outputs = t.Shape[0], inputs = t.Shape[1];
                for (int o = 0; o < outputs; o++)
                    for (int i = 0; i < inputs; i++) data[o * inputs + i] = source[i * outputs + o];
            }
            else source.CopyTo(data);
            tensors.Add(new SafeTensor(prefix + t.Name, t.Shape, data));
        }
    }

    private static void FromPyTorchLayout(float[] data, ParameterTensor t, Span<float> target)
    {
        if (!t.Transposed) { data.CopyTo(target); return; }
        int outputs = t.Shape[0], inputs = t.Shape[1];
        for (int o = 0; o < outputs; o++)
            for (int i = 0; i < inputs; i++) target[i * outputs + o] = data[o * inputs + i];
    }

    private static void Collect(string path, SafeTensorsFile file, string prefix, INetwork network, float[]? buffer,
        List<(SafeTensor, ParameterTensor, float[]?)> copies)
    {
        foreach (var t in network.ParameterTensors)
        {
            string name = prefix + t.Name;
            if (!file.Tensors.TryGetValue(name, out var source))
                throw new CheckpointException(path, $"has no tensor '{name}', which {network.Name} needs; it holds " +
                    $"{string.Join(", ", file.Tensors.Keys.Take(8))}{(file.Tensors.Count > 8 ? ", …" : "")}.");
            if (!source.Shape.AsSpan().SequenceEqual(t.Shape))
                throw new CheckpointException(path, $"tensor '{name}' has shape [{string.Join(", ", source.Shape)}] but " +
                    $"{network.Name} needs [{string.Join(", ", t.Shape)}].");
            copies.Add((source, t, buffer));
        }
    }

    private static long ParseLong(string path, IReadOnlyDictionary<string, string> meta, string key) =>
        meta.TryGetValue(key, out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new CheckpointException(path, $"metadata '{key}' is missing or not a non-negative integer ('{meta.GetValueOrDefault(key)}').");

    private static TrainingPosition? ReadPosition(string path, IReadOnlyDictionary<string, string> meta)
    {
        if (!meta.ContainsKey(CheckpointKeys.Epoch)) return null;
        long epoch = ParseLong(path, meta, CheckpointKeys.Epoch), step = ParseLong(path, meta, CheckpointKeys.Step);
        string[] words = meta.GetValueOrDefault(CheckpointKeys.Rng, "").Split(',');
        var rng = new uint[4];
        if (epoch > int.MaxValue || words.Length != 4 ||
            !words.Select((w, i) => uint.TryParse(w, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out rng[i])).All(ok => ok))
            throw new CheckpointException(path, $"metadata '{CheckpointKeys.Epoch}' or '{CheckpointKeys.Rng}' is malformed " +
                $"(rng must be four comma-separated hex words, got '{meta.GetValueOrDefault(CheckpointKeys.Rng)}').");
        return new TrainingPosition((int)epoch, step, (rng[0], rng[1], rng[2], rng[3]));
    }
}
