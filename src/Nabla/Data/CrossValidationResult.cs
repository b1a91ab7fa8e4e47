using System.Globalization;

namespace Nabla.Data;

/// <summary>The metrics of every fold of a cross-validation, with their mean and standard deviation across folds.</summary>
public sealed class CrossValidationResult
{
    internal CrossValidationResult(IReadOnlyList<IReadOnlyDictionary<string, double>> folds)
    {
        FoldMetrics = folds;
        var mean = new Dictionary<string, double>();
        var std = new Dictionary<string, double>();
        foreach (var key in folds[0].Keys)
        {
            var v = folds.Select(f => f[key]).ToArray();
            double m = v.Average();
            mean[key] = m;
            std[key] = Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / v.Length);
        }
        Mean = mean;
        StandardDeviation = std;
    }

    /// <summary>The metrics returned for each fold, in fold order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> FoldMetrics { get; }

    /// <summary>Each metric's mean over the folds.</summary>
    public IReadOnlyDictionary<string, double> Mean { get; }

    /// <summary>Each metric's standard deviation over the folds (population form, dividing by k, like <c>np.std</c>).</summary>
    public IReadOnlyDictionary<string, double> StandardDeviation { get; }

    /// <summary>One line per metric: <c>name: mean ± std</c>.</summary>
    public override string ToString() =>
        string.Join(Environment.NewLine, Mean.Keys.Select(k => string.Create(CultureInfo.InvariantCulture, $"{k}: {Mean[k]:G6} ± {StandardDeviation[k]:G6}")));
}
