using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>A numeric table read by <see cref="CsvReader"/>: feature columns as a tensor plus an optional label column.</summary>
public sealed class CsvData
{
    internal CsvData(Tensor features, string[] featureNames, string? labelName, int[]? labels, string[]? classNames, Tensor? targets)
    {
        Features = features;
        FeatureNames = featureNames;
        LabelName = labelName;
        Labels = labels;
        ClassNames = classNames;
        Targets = targets;
    }

    /// <summary>The feature columns, float32 [rows, columns].</summary>
    public Tensor Features { get; }

    /// <summary>The names of the feature columns (from the header, or <c>column0</c>, <c>column1</c>, … without one).</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The label column's name, or null without a label column.</summary>
    public string? LabelName { get; }

    /// <summary>Class labels 0..K−1 (classification), or null.</summary>
    public int[]? Labels { get; }

    /// <summary>
    /// When the label cells were not non-negative integers below <see cref="CsvReader.MaxDirectClassIndex"/>: the
    /// class name of each label value (sorted ordinally, or numerically for integer codes); otherwise null.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Regression targets, float32 [rows, 1], or null.</summary>
    public Tensor? Targets { get; }

    /// <summary>The number of data rows.</summary>
    public int Count => Features.Shape[0];

    /// <summary>The table as a dataset (features with labels or targets).</summary>
    public TensorDataset ToDataset() => new(Features, Labels, Targets);
}
