namespace NetGen.Data;

/// <summary>
/// An in-memory data set: <see cref="Count"/> samples of <see cref="SampleSize"/> floats each, row-major, with optional
/// integer labels (<see cref="LabelSize"/> per sample: 1 for classification, the sequence length for next-token
/// prediction) and optional float targets (<see cref="TargetSize"/> per sample, for regression).
/// </summary>
public sealed class Dataset
{
    private readonly ReadOnlyMemory<float> _features, _targets;
    private readonly ReadOnlyMemory<int> _labels;

    /// <summary>Wraps the arrays (not copied).</summary>
    /// <param name="features">Count × SampleSize floats, sample after sample.</param>
    /// <param name="sampleShape">Per-sample shape, outermost first (e.g. [1, 28, 28]).</param>
    /// <param name="labels">Class indices, a whole multiple of Count (or null).</param>
    /// <param name="targets">Regression targets, a whole multiple of Count (or null).</param>
    /// <param name="classes">Number of classes; when positive every label must be in [0, classes).</param>
    /// <exception cref="ArgumentException">The lengths do not fit together or a label is out of range.</exception>
    public Dataset(float[] features, int[] sampleShape, int[]? labels = null, float[]? targets = null, int classes = 0)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(sampleShape);
        int sampleSize = 1;
        foreach (int d in sampleShape)
        {
            if (d <= 0) throw new ArgumentException($"Sample shape [{string.Join(", ", sampleShape)}] has a non-positive dimension.", nameof(sampleShape));
            sampleSize = checked(sampleSize * d);
        }
        if (features.Length == 0 || features.Length % sampleSize != 0)
            throw new ArgumentException($"{features.Length} features do not make a whole, non-zero number of samples of shape [{string.Join(", ", sampleShape)}] ({sampleSize} floats each).", nameof(features));
        int count = features.Length / sampleSize;
        labels ??= [];
        targets ??= [];
        if (labels.Length % count != 0)
            throw new ArgumentException($"{labels.Length} labels do not divide evenly among {count} samples.", nameof(labels));
        if (targets.Length % count != 0)
            throw new ArgumentException($"{targets.Length} targets do not divide evenly among {count} samples.", nameof(targets));
        ArgumentOutOfRangeException.ThrowIfNegative(classes);
        if (classes > 0)
            for (int i = 0; i < labels.Length; i++)
                if ((uint)labels[i] >= (uint)classes)
                    throw new ArgumentException($"Label {labels[i]} at index {i} is outside [0, {classes}).", nameof(labels));
        _features = features;
        _labels = labels;
        _targets = targets;
        SampleShape = sampleShape;
        SampleSize = sampleSize;
        Count = count;
        LabelSize = labels.Length / count;
        TargetSize = targets.Length / count;
        Classes = classes;
    }

    private Dataset(Dataset source, int start, int count)
    {
        SampleShape = source.SampleShape;
        SampleSize = source.SampleSize;
        LabelSize = source.LabelSize;
        TargetSize = source.TargetSize;
        Classes = source.Classes;
        Count = count;
        _features = source._features.Slice(start * SampleSize, count * SampleSize);
        _labels = source._labels.Slice(start * LabelSize, count * LabelSize);
        _targets = source._targets.Slice(start * TargetSize, count * TargetSize);
    }

    /// <summary>Number of samples.</summary>
    public int Count { get; }

    /// <summary>Per-sample shape, outermost first.</summary>
    public int[] SampleShape { get; }

    /// <summary>Floats per sample (the product of <see cref="SampleShape"/>).</summary>
    public int SampleSize { get; }

    /// <summary>Number of classes (0 when the data set has no class labels).</summary>
    public int Classes { get; }

    /// <summary>All samples, row-major.</summary>
    public ReadOnlySpan<float> Features => _features.Span;

    /// <summary>All labels, <see cref="LabelSize"/> per sample; empty when absent.</summary>
    public ReadOnlySpan<int> Labels => _labels.Span;

    /// <summary>All targets, <see cref="TargetSize"/> per sample; empty when absent.</summary>
    public ReadOnlySpan<float> Targets => _targets.Span;

    /// <summary>Labels per sample (0 when absent).</summary>
    public int LabelSize { get; }

    /// <summary>Targets per sample (0 when absent).</summary>
    public int TargetSize { get; }

    /// <summary>Samples [start, start + count) as a view sharing this data set's memory (e.g. a validation split).</summary>
    public Dataset Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (start + count > Count) throw new ArgumentOutOfRangeException(nameof(count), $"Slice [{start}, {start + count}) exceeds the {Count} samples.");
        return new Dataset(this, start, count);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Count} samples of [{string.Join(", ", SampleShape)}]" + (Classes > 0 ? $", {Classes} classes" : "") + (TargetSize > 0 ? $", {TargetSize} targets each" : "");
}
