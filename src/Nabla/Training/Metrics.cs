using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>Classification and regression metrics over predictions and labels.</summary>
public static class Metrics
{
    /// <summary>Fraction of predictions equal to the labels.</summary>
    public static double Accuracy(ReadOnlySpan<int> predicted, ReadOnlySpan<int> actual)
    {
        if (predicted.Length != actual.Length) throw new ShapeException($"Accuracy: {predicted.Length} predictions for {actual.Length} labels");
        if (predicted.Length == 0) return 0;
        int ok = 0;
        for (int i = 0; i < predicted.Length; i++) if (predicted[i] == actual[i]) ok++;
        return (double)ok / predicted.Length;
    }

    /// <summary>Fraction of samples whose label is among the <paramref name="k"/> highest scores of its row of <paramref name="scores"/> [N, classes].</summary>
    public static double TopKAccuracy(Tensor scores, ReadOnlySpan<int> actual, int k)
    {
        if (scores.Rank != 2) throw new ShapeException($"TopKAccuracy: scores must be [N, classes], got {scores.Shape}");
        int n = scores.Shape[0], c = scores.Shape[1];
        if (n != actual.Length) throw new ShapeException($"TopKAccuracy: {n} score rows for {actual.Length} labels");
        if (k < 1 || k > c) throw new ValueException($"TopKAccuracy: k must be in [1, {c}], got {k}");
        if (n == 0) return 0;
        int hits = 0;
        for (int i = 0; i < n; i++)
        {
            int label = actual[i];
            if ((uint)label >= (uint)c) throw new ValueException($"TopKAccuracy: label {label} at {i} is out of range [0, {c})");
            double s = scores.GetFlat(i * c + label);
            int better = 0; // classes strictly ahead of the label (ties resolved in the label's favour by index order)
            for (int j = 0; j < c; j++)
            {
                double v = scores.GetFlat(i * c + j);
                if (v > s || (v == s && j < label)) better++;
            }
            if (better < k) hits++;
        }
        return (double)hits / n;
    }

    /// <summary>Mean squared error Σ(ŷ − y)² / n over all elements.</summary>
    public static double MeanSquaredError(Tensor predicted, Tensor actual) => Reduce(predicted, actual, "MeanSquaredError", d => d * d);

    /// <summary>Mean absolute error Σ|ŷ − y| / n over all elements.</summary>
    public static double MeanAbsoluteError(Tensor predicted, Tensor actual) => Reduce(predicted, actual, "MeanAbsoluteError", Math.Abs);

    /// <summary>Coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² over all elements (ȳ the mean of the targets).</summary>
    public static double RSquared(Tensor predicted, Tensor actual)
    {
        Check(predicted, actual, "RSquared");
        int n = actual.Numel;
        double mean = 0;
        for (int i = 0; i < n; i++) mean += actual.GetFlat(i);
        mean /= Math.Max(n, 1);
        double ssRes = 0, ssTot = 0;
        for (int i = 0; i < n; i++)
        {
            double y = actual.GetFlat(i), d = y - predicted.GetFlat(i);
            ssRes += d * d;
            ssTot += (y - mean) * (y - mean);
        }
        return ssTot == 0 ? (ssRes == 0 ? 1 : 0) : 1 - ssRes / ssTot;
    }

    private static double Reduce(Tensor p, Tensor a, string name, Func<double, double> f)
    {
        Check(p, a, name);
        double s = 0;
        for (int i = 0; i < p.Numel; i++) s += f(p.GetFlat(i) - a.GetFlat(i));
        return p.Numel == 0 ? 0 : s / p.Numel;
    }

    private static void Check(Tensor p, Tensor a, string name)
    {
        if (p.Shape != a.Shape) throw new ShapeException($"{name}: predictions {p.Shape} and targets {a.Shape} differ");
    }
}
