using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// A dataset held in memory: a features tensor [N, ...] whose first axis indexes the examples, with integer class
/// labels (classification), a targets tensor [N, ...] (regression), both, or neither.
/// </summary>
/// <remarks>
/// The dataset keeps references to the tensors it is given (no copy). <see cref="Slice"/> and <see cref="Flatten"/>
/// return views; <see cref="Subset"/> gathers copies.
/// </remarks>
public sealed class TensorDataset
{
    private readonly int[]? _labels;

    /// <summary>A classification dataset: features [N, ...] and one label in 0..K-1 per row.</summary>
    public TensorDataset(Tensor features, int[] labels) : this(features, labels, null) { }

    /// <summary>A regression dataset: features [N, ...] and targets [N, ...].</summary>
    public TensorDataset(Tensor features, Tensor targets) : this(features, null, targets) { }

    /// <summary>A dataset with optional labels and optional targets; their lengths must equal the number of feature rows.</summary>
    public TensorDataset(Tensor features, int[]? labels, Tensor? targets)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Rank == 0) throw new ShapeException($"TensorDataset: features must have a first axis of examples, got a scalar");
        int n = features.Shape[0];
        if (labels != null)
        {
            if (labels.Length != n) throw new ShapeException($"TensorDataset: {labels.Length} labels for {n} feature rows (features {features.Shape})");
            for (int i = 0; i < labels.Length; i++)
                if (labels[i] < 0 || labels[i] == int.MaxValue)
                    throw new ValueException($"TensorDataset: label {labels[i]} at row {i} is out of range; labels must be 0..K-1 with K <= {int.MaxValue} (map arbitrary labels with LabelEncoder)");
        }
        if (targets != null && (targets.Rank == 0 || targets.Shape[0] != n))
            throw new ShapeException($"TensorDataset: targets {targets.Shape} must have {n} rows like features {features.Shape}");
        Features = features;
        _labels = labels;
        Targets = targets;
    }

    /// <summary>The inputs, [N, ...].</summary>
    public Tensor Features { get; }

    /// <summary>The class labels (0..K-1), or null for a dataset without labels. Do not modify the array.</summary>
    public int[]? Labels => _labels;

    /// <summary>The regression targets, [N, ...], or null.</summary>
    public Tensor? Targets { get; }

    /// <summary>The number of examples N.</summary>
    public int Count => Features.Shape[0];

    /// <summary>The shape of one example's features (the feature shape without its first axis).</summary>
    public int[] ExampleShape => Features.Shape.Dims[1..].ToArray();

    /// <summary>The number of classes, max label + 1 (0 when there are no labels or no rows).</summary>
    public int NumClasses => _labels is { Length: > 0 } l ? l.Max() + 1 : 0;

    /// <summary>Example <paramref name="index"/> as a batch of one row (views into this dataset).</summary>
    public Batch this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ValueException($"TensorDataset: index {index} is out of range for {Count} examples");
            return new Batch(Features.Rows(index, 1), _labels is null ? null : [_labels[index]], Targets?.Rows(index, 1), [index]);
        }
    }

    /// <summary>How many examples carry each label 0..K-1.</summary>
    public int[] ClassCounts()
    {
        if (_labels is null) throw new ValueException("TensorDataset.ClassCounts: the dataset has no labels");
        var c = new int[NumClasses];
        foreach (int l in _labels) c[l]++;
        return c;
    }

    /// <summary>The examples at <paramref name="indices"/>, in that order (copied; repeats allowed).</summary>
    public TensorDataset Subset(ReadOnlySpan<int> indices)
    {
        foreach (int i in indices)
            if ((uint)i >= (uint)Count) throw new ValueException($"TensorDataset.Subset: index {i} is out of range for {Count} examples");
        int[]? labels = null;
        if (_labels != null)
        {
            labels = new int[indices.Length];
            for (int k = 0; k < labels.Length; k++) labels[k] = _labels[indices[k]];
        }
        return new TensorDataset(Features.Detach().IndexSelect(0, indices), labels, Targets?.Detach().IndexSelect(0, indices));
    }

    /// <summary>Examples <paramref name="start"/>..<paramref name="start"/>+<paramref name="count"/> (views of the features and targets).</summary>
    public TensorDataset Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count) throw new ValueException($"TensorDataset.Slice: range [{start}, {start + count}) is outside {Count} examples");
        return new TensorDataset(Features.Rows(start, count), _labels?[start..(start + count)], Targets?.Rows(start, count));
    }

    /// <summary>The same dataset with features viewed as [N, D] (D the product of the example shape), e.g. [N,1,28,28] → [N,784].</summary>
    public TensorDataset Flatten() => WithFeatures(Features.Rank == 1 ? Features.Reshape(Count, 1) : Features.Flatten(1));

    /// <summary>
    /// Throws a <see cref="ValueException"/> naming the first NaN or ±∞ in the features or targets (its row, its column
    /// within the example, and the value), prefixed by <paramref name="context"/> (e.g. <c>"Fit: training set"</c>).
    /// <see cref="Training.Trainer.Fit"/> and <see cref="Training.Trainer.Evaluate"/> call it: a single non-finite input
    /// would otherwise turn the loss and then every weight into NaN without saying where it came from.
    /// </summary>
    public void EnsureFinite(string context)
    {
        Check(Features, "features");
        if (Targets is not null) Check(Targets, "targets");

        void Check(Tensor t, string what)
        {
            long bad = t.IndexOfNonFinite();
            if (bad < 0) return;
            int row = t.Numel / Math.Max(1, t.Shape[0]);
            int r = (int)(bad / Math.Max(1, row)), c = (int)(bad % Math.Max(1, row));
            double v = t.GetFlat((int)bad);
            string value = double.IsNaN(v) ? "NaN" : v > 0 ? "+Infinity" : "-Infinity";
            throw new ValueException($"{context}: {what} {t.Shape} hold {value} at row {r}, column {c}; every value must be finite (drop or impute missing values before training)");
        }
    }

    /// <summary>The same labels and targets with other features (e.g. preprocessed ones) of the same row count.</summary>
    public TensorDataset WithFeatures(Tensor features) => new(features, _labels, Targets);
}
