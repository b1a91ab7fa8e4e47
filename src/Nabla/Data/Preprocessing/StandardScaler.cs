using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Data.Preprocessing;

/// <summary>
/// Feature scaling to mean 0 and variance 1 per feature: x ← (x − m) / σ, with m and σ the mean and the
/// (population, 1/N) standard deviation of each feature over the training set, as in the lectures
/// (<c>X -= mean(X, 0); X /= std(X, 0)</c>). A feature that is constant in the training set is only centered.
/// </summary>
public sealed class StandardScaler : IPreprocessor
{
    private double[] _mean = [], _scale = [];

    /// <inheritdoc/>
    public bool IsFitted { get; private set; }

    /// <summary>The per-feature means m of the training set.</summary>
    public IReadOnlyList<double> Mean => _mean;

    /// <summary>The per-feature divisors: σ, or 1 for features constant in the training set.</summary>
    public IReadOnlyList<double> Scale => _scale;

    /// <inheritdoc/>
    public void Fit(Tensor train)
    {
        var (n, d) = FeatureMatrix.Dims(train, "StandardScaler.Fit");
        if (n == 0) throw new ValueException("StandardScaler.Fit: the training data has no rows");
        var mean = FeatureMatrix.Mean(train, n, d);
        var ss = new double[d];
        var min = new double[d]; var max = new double[d];
        Array.Fill(min, double.PositiveInfinity); Array.Fill(max, double.NegativeInfinity);
        var row = new double[d];
        for (int r = 0; r < n; r++)
        {
            FeatureMatrix.ReadRow(train, r, row);
            for (int j = 0; j < d; j++)
            {
                double c = row[j] - mean[j];
                ss[j] += c * c;
                min[j] = Math.Min(min[j], row[j]); max[j] = Math.Max(max[j], row[j]);
            }
        }
        var scale = new double[d];
        // Constancy is tested exactly (min == max) rather than with a tolerance on σ, which rounding never makes exactly 0.
        for (int j = 0; j < d; j++) scale[j] = min[j] == max[j] ? 1.0 : Math.Sqrt(ss[j] / n);
        _mean = mean; _scale = scale; IsFitted = true;
    }

    /// <inheritdoc/>
    public Tensor Transform(Tensor data)
    {
        FeatureMatrix.CheckFitted(IsFitted, "StandardScaler.Transform");
        var (n, d) = FeatureMatrix.Dims(data, "StandardScaler.Transform");
        FeatureMatrix.CheckWidth(_mean.Length, d, data, "StandardScaler.Transform");
        var y = Tensor.Zeros(data.Shape.ToArray(), data.DType);
        var row = new double[d];
        for (int r = 0; r < n; r++)
        {
            FeatureMatrix.ReadRow(data, r, row);
            for (int j = 0; j < d; j++) row[j] = (row[j] - _mean[j]) / _scale[j];
            FeatureMatrix.WriteRow(y, r, row);
        }
        return y;
    }

    /// <summary>Undoes <see cref="Transform"/>: x = z·σ + m.</summary>
    public Tensor InverseTransform(Tensor data)
    {
        FeatureMatrix.CheckFitted(IsFitted, "StandardScaler.InverseTransform");
        var (n, d) = FeatureMatrix.Dims(data, "StandardScaler.InverseTransform");
        FeatureMatrix.CheckWidth(_mean.Length, d, data, "StandardScaler.InverseTransform");
        var y = Tensor.Zeros(data.Shape.ToArray(), data.DType);
        var row = new double[d];
        for (int r = 0; r < n; r++)
        {
            FeatureMatrix.ReadRow(data, r, row);
            for (int j = 0; j < d; j++) row[j] = row[j] * _scale[j] + _mean[j];
            FeatureMatrix.WriteRow(y, r, row);
        }
        return y;
    }

    /// <summary>Fits on <paramref name="train"/> and transforms it.</summary>
    public Tensor FitTransform(Tensor train) { Fit(train); return Transform(train); }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double[]> ExportState()
    {
        FeatureMatrix.CheckFitted(IsFitted, "StandardScaler.ExportState");
        return new Dictionary<string, double[]> { ["mean"] = (double[])_mean.Clone(), ["scale"] = (double[])_scale.Clone() };
    }

    /// <inheritdoc/>
    public void ImportState(IReadOnlyDictionary<string, double[]> state)
    {
        var mean = FeatureMatrix.Get(state, "mean", "StandardScaler");
        var scale = FeatureMatrix.Get(state, "scale", "StandardScaler", mean.Length);
        foreach (double s in scale)
            if (!(s > 0)) throw new ValueException($"StandardScaler.ImportState: scales must be positive, found {s}");
        _mean = mean; _scale = scale; IsFitted = true;
    }
}
