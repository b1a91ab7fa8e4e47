using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Data.Preprocessing;

/// <summary>
/// Feature scaling to a range: x ← low + (x − min)·(high − low)/(max − min), with min and max of each feature over
/// the training set (so training data lands in [low, high]; other data may fall outside). A feature constant in the
/// training set maps to <c>low</c> plus its offset from that constant.
/// </summary>
public sealed class MinMaxScaler : IPreprocessor
{
    private double[] _min = [], _max = [];

    /// <summary>Creates the scaler for the target range [<paramref name="low"/>, <paramref name="high"/>] (default [0, 1]).</summary>
    public MinMaxScaler(double low = 0, double high = 1)
    {
        if (!(low < high) || !double.IsFinite(low) || !double.IsFinite(high)) throw new ValueException($"MinMaxScaler: need finite low < high, got [{low}, {high}]");
        Low = low; High = high;
    }

    /// <summary>The lower end of the target range.</summary>
    public double Low { get; }

    /// <summary>The upper end of the target range.</summary>
    public double High { get; }

    /// <inheritdoc/>
    public bool IsFitted { get; private set; }

    /// <summary>The per-feature minima over the training set.</summary>
    public IReadOnlyList<double> DataMin => _min;

    /// <summary>The per-feature maxima over the training set.</summary>
    public IReadOnlyList<double> DataMax => _max;

    /// <inheritdoc/>
    public void Fit(Tensor train)
    {
        var (n, d) = FeatureMatrix.Dims(train, "MinMaxScaler.Fit");
        if (n == 0) throw new ValueException("MinMaxScaler.Fit: the training data has no rows");
        var min = new double[d]; var max = new double[d];
        Array.Fill(min, double.PositiveInfinity); Array.Fill(max, double.NegativeInfinity);
        var row = new double[d];
        for (int r = 0; r < n; r++)
        {
            FeatureMatrix.ReadRow(train, r, row);
            for (int j = 0; j < d; j++) { min[j] = Math.Min(min[j], row[j]); max[j] = Math.Max(max[j], row[j]); }
        }
        _min = min; _max = max; IsFitted = true;
    }

    /// <inheritdoc/>
    public Tensor Transform(Tensor data)
    {
        FeatureMatrix.CheckFitted(IsFitted, "MinMaxScaler.Transform");
        var (n, d) = FeatureMatrix.Dims(data, "MinMaxScaler.Transform");
        FeatureMatrix.CheckWidth(_min.Length, d, data, "MinMaxScaler.Transform");
        var y = Tensor.Zeros(data.Shape.ToArray(), data.DType);
        var row = new double[d];
        for (int r = 0; r < n; r++)
        {
            FeatureMatrix.ReadRow(data, r, row);
            for (int j = 0; j < d; j++)
            {
                double range = _max[j] - _min[j];
                row[j] = Low + (row[j] - _min[j]) * (range == 0 ? 1 : (High - Low) / range);
            }
            FeatureMatrix.WriteRow(y, r, row);
        }
        return y;
    }

    /// <summary>Fits on <paramref name="train"/> and transforms it.</summary>
    public Tensor FitTransform(Tensor train) { Fit(train); return Transform(train); }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double[]> ExportState()
    {
        FeatureMatrix.CheckFitted(IsFitted, "MinMaxScaler.ExportState");
        return new Dictionary<string, double[]> { ["min"] = (double[])_min.Clone(), ["max"] = (double[])_max.Clone(), ["range"] = [Low, High] };
    }

    /// <inheritdoc/>
    public void ImportState(IReadOnlyDictionary<string, double[]> state)
    {
        var min = FeatureMatrix.Get(state, "min", "MinMaxScaler");
        var max = FeatureMatrix.Get(state, "max", "MinMaxScaler", min.Length);
        var range = FeatureMatrix.Get(state, "range", "MinMaxScaler", 2);
        if (range[0] != Low || range[1] != High)
            throw new ValueException($"MinMaxScaler.ImportState: the state targets [{range[0]}, {range[1]}], this scaler [{Low}, {High}]");
        _min = min; _max = max; IsFitted = true;
    }
}
