using System.Text;

namespace NetGen.Checkpoints;

/// <summary>The <c>__metadata__</c> keys NetGen writes (users' own keys are stored beside them).</summary>
public static class CheckpointKeys
{
    /// <summary>NetGen's assembly version.</summary>
    public const string Version = "netgen.version";
    /// <summary>The network's type name.</summary>
    public const string Network = "netgen.network";
    /// <summary>The network's <see cref="INetwork.ShapeSignature"/> as 16 hex digits.</summary>
    public const string Signature = "netgen.signature";
    /// <summary>The optimizer's <see cref="Optimizers.Optimizer.Kind"/>.</summary>
    public const string Optimizer = "netgen.optimizer";
    /// <summary>The optimizer's learning rate when saved.</summary>
    public const string LearningRate = "netgen.optimizer.lr";
    /// <summary>The optimizer's <see cref="Optimizers.Optimizer.StepCount"/>.</summary>
    public const string OptimizerStep = "netgen.optimizer.step";
    /// <summary><see cref="TrainingPosition.Epoch"/>.</summary>
    public const string Epoch = "netgen.epoch";
    /// <summary><see cref="TrainingPosition.Step"/>.</summary>
    public const string Step = "netgen.step";
    /// <summary><see cref="TrainingPosition.RngState"/> as four comma-separated hex words.</summary>
    public const string Rng = "netgen.rng";
    /// <summary>Prefix of optimizer state tensors: <c>optimizer.{state}.{parameter}</c>.</summary>
    public const string OptimizerPrefix = "optimizer.";
}

/// <summary>What a checkpoint holds, read from its header alone.</summary>
/// <param name="Path">The file.</param>
/// <param name="Metadata">All <c>__metadata__</c> strings.</param>
/// <param name="Tensors">Every tensor with its shape and place in the file.</param>
/// <param name="NetworkType">The network's type name, when saved by NetGen.</param>
/// <param name="ShapeSignature">The network's shape signature (hex), when saved by NetGen.</param>
/// <param name="OptimizerKind">The optimizer kind, when its state was saved.</param>
/// <param name="OptimizerStep">The optimizer's step count, when its state was saved.</param>
/// <param name="Position">The training position, when saved.</param>
public sealed record CheckpointInfo(string Path, IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<SafeTensorInfo> Tensors,
    string? NetworkType, string? ShapeSignature, string? OptimizerKind, long? OptimizerStep, TrainingPosition? Position)
{
    /// <summary>Total number of parameters in the tensors that are not optimizer state.</summary>
    public long ParameterCount => Tensors.Where(t => !t.Name.StartsWith(CheckpointKeys.OptimizerPrefix, StringComparison.Ordinal))
        .Sum(t => SafeTensors.ElementCount(t.Shape) ?? 0);

    /// <summary>A readable listing: metadata, then one line per tensor with its shape.</summary>
    public override string ToString()
    {
        var s = new StringBuilder();
        s.Append(Path).Append(": ").Append(NetworkType ?? "(not a NetGen checkpoint)").Append(", ").Append(ParameterCount).AppendLine(" parameters");
        foreach (var (key, value) in Metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) s.Append("  ").Append(key).Append(" = ").AppendLine(value);
        foreach (var t in Tensors) s.Append("  ").Append(t.Name).Append(" ").Append(t.DType).Append(" [").Append(string.Join(", ", t.Shape)).AppendLine("]");
        return s.ToString();
    }
}
