using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// A dataset held in memory: a features tensor [N, ...] whose first axis indexes the examples, with integer class
/// labels (classification), a targets tensor [N, ...] (regression), both, or neither. The features may instead be held
/// compactly as bytes with a value table (<see cref="Data.ByteFeatures"/>, as MNIST is loaded): a quarter of the memory,
/// widened to float32 batch by batch.
/// </summary>
/// <remarks>
/// The dataset keeps references to the tensors it is given (no copy). <see cref="Slice"/> and <see cref="Flatten"/>
/// return views; <see cref="Subset"/> gathers copies. None of them, nor a <see cref="DataLoader"/>, the indexer,
/// <see cref="EnsureFinite"/>, <see cref="Training.Trainer.Fit"/> or <see cref="Training.Trainer.Evaluate"/>, widens
/// byte features whole: only <see cref="Features"/> does, on first use.
/// </remarks>
public sealed class TensorDataset
{
    private readonly int[]? _labels;
    private readonly Shape _featureShape;
    private Tensor? _features;         // for byte features: null until Features is first read
    private object? _featuresLock;

    /// <summary>A classification dataset: features [N, ...] and one label in 0..K-1 per row.</summary>
    public TensorDataset(Tensor features, int[] labels) : this(features, labels, null) { }

    /// <summary>A regression dataset: features [N, ...] and targets [N, ...].</summary>
    public TensorDataset(Tensor features, Tensor targets) : this(features, null, targets) { }

    /// <summary>A dataset with optional labels and optional targets; their lengths must equal the number of feature rows.</summary>
    public TensorDataset(Tensor features, int[]? labels, Tensor? targets)
    {
        ArgumentNullException.ThrowIfNull(features);
        Check(features.Shape, labels, targets);
        (_features, _featureShape, _labels, Targets) = (features, features.Shape, labels, targets);
    }

    /// <summary>
    /// A dataset whose features are held as bytes with a value table (see <see cref="Data.ByteFeatures"/>), with optional
    /// labels and targets of the same row count. Batches, subsets and slices never widen the features whole.
    /// </summary>
    public TensorDataset(ByteFeatures features, int[]? labels = null, Tensor? targets = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        Check(features.Shape, labels, targets);
        (ByteFeatures, _featureShape, _labels, Targets) = (features, features.Shape, labels, targets);
    }

    private static void Check(Shape features, int[]? labels, Tensor? targets)
    {
        if (features.Rank == 0) throw new ShapeException($"TensorDataset: features must have a first axis of examples, got a scalar");
        int n = features[0];
        if (labels != null)
        {
            if (labels.Length != n) throw new ShapeException($"TensorDataset: {labels.Length} labels for {n} feature rows (features {features})");
            for (int i = 0; i < labels.Length; i++)
                if (labels[i] < 0 || labels[i] == int.MaxValue)
                    throw new ValueException($"TensorDataset: label {labels[i]} at row {i} is out of range; labels must be 0..K-1 with K <= {int.MaxValue} (map arbitrary labels with LabelEncoder)");
        }
        if (targets != null && (targets.Rank == 0 || targets.Shape[0] != n))
            throw new ShapeException($"TensorDataset: targets {targets.Shape} must have {n} rows like features {features}");
    }

    /// <summary>
    /// The inputs, [N, ...], as a float32 (or float64) tensor. For a dataset of <see cref="ByteFeatures"/> this tensor is
    /// widened on first access (thread-safe, then cached), at 4 bytes per value (188 MB for MNIST's training set):
    /// <see cref="DataLoader"/>, training and evaluation do not need it.
    /// </summary>
    public Tensor Features => _features ?? LazyInitializer.EnsureInitialized(ref _features, ref _featuresLock, () => ByteFeatures!.ToTensor());

    /// <summary>The features as bytes with a value table, or null when they are held as a tensor.</summary>
    public ByteFeatures? ByteFeatures { get; }

    /// <summary>The shape of the features, [N, ...] (read without widening byte features).</summary>
    public Shape FeatureShape => _featureShape;

    /// <summary>The element type of <see cref="Features"/> (float32 for byte features; read without widening them).</summary>
    public DType FeatureDType => ByteFeatures is null ? _features!.DType : DType.Float32;

    /// <summary>Whether <see cref="Features"/> exists as a tensor (always for tensor features; for byte features, once read).</summary>
    internal bool FeaturesMaterialized => Volatile.Read(ref _features) is not null;

    /// <summary>The class labels (0..K-1), or null for a dataset without labels. Do not modify the array.</summary>
    public int[]? Labels => _labels;

    /// <summary>The regression targets, [N, ...], or null.</summary>
    public Tensor? Targets { get; }

    /// <summary>The number of examples N.</summary>
    public int Count => _featureShape[0];

    /// <summary>The shape of one example's features (the feature shape without its first axis).</summary>
    public int[] ExampleShape => _featureShape.Dims[1..].ToArray();

    /// <summary>The number of classes, max label + 1 (0 when there are no labels or no rows).</summary>
    public int NumClasses => _labels is { Length: > 0 } l ? l.Max() + 1 : 0;

    /// <summary>Example <paramref name="index"/> as a batch of one row (views into this dataset; byte features are widened into a new row).</summary>
    public Batch this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ValueException($"TensorDataset: index {index} is out of range for {Count} examples");
            return new Batch(FeatureRows(index, 1), _labels is null ? null : [_labels[index]], Targets?.Rows(index, 1), [index]);
        }
    }

    /// <summary>Rows start..start+count of the features: a view of a tensor, a widened copy of bytes.</summary>
    internal Tensor FeatureRows(int start, int count)
    {
        if (ByteFeatures is not { } bytes) return Features.Rows(start, count);
        var dims = _featureShape.ToArray();
        dims[0] = count;
        var rows = Tensor.Zeros(dims);
        bytes.WidenRows(start, count, rows.AsSpan<float>());
        return rows;
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
        var targets = Targets?.Detach().IndexSelect(0, indices);
        return ByteFeatures is { } bytes ? new TensorDataset(bytes.Select(indices), labels, targets)
            : new TensorDataset(Features.Detach().IndexSelect(0, indices), labels, targets);
    }

    /// <summary>Examples <paramref name="start"/>..<paramref name="start"/>+<paramref name="count"/> (views of the features and targets).</summary>
    public TensorDataset Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count) throw new ValueException($"TensorDataset.Slice: range [{start}, {start + count}) is outside {Count} examples");
        var (labels, targets) = (_labels?[start..(start + count)], Targets?.Rows(start, count));
        return ByteFeatures is { } bytes ? new TensorDataset(bytes.Rows(start, count), labels, targets)
            : new TensorDataset(Features.Rows(start, count), labels, targets);
    }

    /// <summary>The same dataset with features viewed as [N, D] (D the product of the example shape), e.g. [N,1,28,28] → [N,784].</summary>
    public TensorDataset Flatten()
    {
        if (ByteFeatures is { } bytes) return new TensorDataset(bytes.Reshape(Count, bytes.RowLength), _labels, Targets);
        return WithFeatures(Features.Rank == 1 ? Features.Reshape(Count, 1) : Features.Flatten(1));
    }

    /// <summary>
    /// Throws a <see cref="ValueException"/> naming the first NaN or ±∞ in the features or targets (its row, its column
    /// within the example, and the value), prefixed by <paramref name="context"/> (e.g. <c>"Fit: training set"</c>).
    /// <see cref="Training.Trainer.Fit"/> and <see cref="Training.Trainer.Evaluate"/> call it: a single non-finite input
    /// would otherwise turn the loss and then every weight into NaN without saying where it came from.
    /// </summary>
    public void EnsureFinite(string context)
    {
        // Byte features are finite unless their table is not; then the first byte that maps to a non-finite value is named.
        if (ByteFeatures is { } bytes) Report(bytes.IndexOfNonFinite(), _featureShape, i => bytes[i], "features");
        else Check(Features, "features");
        if (Targets is not null) Check(Targets, "targets");

        void Check(Tensor t, string what) => Report(t.IndexOfNonFinite(), t.Shape, i => t.GetFlat((int)i), what);

        void Report(long bad, Shape shape, Func<long, double> valueAt, string what)
        {
            if (bad < 0) return;
            int row = shape.Numel / Math.Max(1, shape[0]);
            int r = (int)(bad / Math.Max(1, row)), c = (int)(bad % Math.Max(1, row));
            double v = valueAt(bad);
            string value = double.IsNaN(v) ? "NaN" : v > 0 ? "+Infinity" : "-Infinity";
            throw new ValueException($"{context}: {what} {shape} hold {value} at row {r}, column {c}; every value must be finite (drop or impute missing values before training)");
        }
    }

    /// <summary>The same labels and targets with other features (e.g. preprocessed ones) of the same row count.</summary>
    public TensorDataset WithFeatures(Tensor features) => new(features, _labels, Targets);
}
