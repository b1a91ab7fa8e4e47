using System.Globalization;
using System.Text;
using Nabla.Errors;

namespace Nabla.Training;

/// <summary>
/// Counts of (true class, predicted class) pairs, with per-class precision, recall and F1 and their macro averages.
/// Row = true class, column = predicted class.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[,] _counts;

    /// <summary>Builds the matrix from predicted and true labels in [0, <paramref name="classes"/>).</summary>
    public ConfusionMatrix(ReadOnlySpan<int> predicted, ReadOnlySpan<int> actual, int classes)
    {
        if (classes <= 0) throw new ValueException($"ConfusionMatrix: the number of classes must be positive, got {classes}");
        if (predicted.Length != actual.Length)
            throw new ShapeException($"ConfusionMatrix: {predicted.Length} predictions for {actual.Length} labels");
        Classes = classes;
        _counts = new long[classes, classes];
        for (int i = 0; i < predicted.Length; i++)
        {
            int p = predicted[i], a = actual[i];
            if ((uint)p >= (uint)classes || (uint)a >= (uint)classes)
                throw new ValueException($"ConfusionMatrix: label pair (true {a}, predicted {p}) at {i} is out of range [0, {classes})");
            _counts[a, p]++;
        }
        Total = predicted.Length;
    }

    /// <summary>The number of classes.</summary>
    public int Classes { get; }

    /// <summary>The number of samples counted.</summary>
    public long Total { get; }

    /// <summary>How many samples of class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => _counts[actual, predicted];

    /// <summary>Fraction of samples on the diagonal.</summary>
    public double Accuracy
    {
        get
        {
            long ok = 0;
            for (int c = 0; c < Classes; c++) ok += _counts[c, c];
            return Total == 0 ? 0 : (double)ok / Total;
        }
    }

    /// <summary>Precision of class c: TP / (TP + FP); 0 when the class was never predicted.</summary>
    public double Precision(int c)
    {
        long col = 0;
        for (int a = 0; a < Classes; a++) col += _counts[a, c];
        return col == 0 ? 0 : (double)_counts[c, c] / col;
    }

    /// <summary>Recall of class c: TP / (TP + FN); 0 when the class never occurs.</summary>
    public double Recall(int c)
    {
        long row = 0;
        for (int p = 0; p < Classes; p++) row += _counts[c, p];
        return row == 0 ? 0 : (double)_counts[c, c] / row;
    }

    /// <summary>F1 of class c: the harmonic mean 2PR / (P + R); 0 when both are 0.</summary>
    public double F1(int c)
    {
        double p = Precision(c), r = Recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /// <summary>Unweighted mean of the per-class precisions.</summary>
    public double MacroPrecision => Enumerable.Range(0, Classes).Average(Precision);

    /// <summary>Unweighted mean of the per-class recalls.</summary>
    public double MacroRecall => Enumerable.Range(0, Classes).Average(Recall);

    /// <summary>Unweighted mean of the per-class F1 scores.</summary>
    public double MacroF1 => Enumerable.Range(0, Classes).Average(F1);

    /// <summary>The counts as a [classes, classes] array (row = true class).</summary>
    public long[,] ToArray() => (long[,])_counts.Clone();

    /// <summary>An aligned text table of counts with per-class precision, recall and F1.</summary>
    public string ToString(IReadOnlyList<string>? classNames)
    {
        string Name(int c) => classNames is not null && c < classNames.Count ? classNames[c] : c.ToString(CultureInfo.InvariantCulture);
        int w = Math.Max(6, Enumerable.Range(0, Classes).Max(c => Math.Max(Name(c).Length, _counts.Cast<long>().Max().ToString(CultureInfo.InvariantCulture).Length)) + 1);
        var sb = new StringBuilder();
        sb.Append("true\\pred".PadRight(w));
        for (int p = 0; p < Classes; p++) sb.Append(Name(p).PadLeft(w));
        sb.Append("  precision  recall      f1\n");
        for (int a = 0; a < Classes; a++)
        {
            sb.Append(Name(a).PadRight(w));
            for (int p = 0; p < Classes; p++) sb.Append(_counts[a, p].ToString(CultureInfo.InvariantCulture).PadLeft(w));
            sb.Append(CultureInfo.InvariantCulture, $"  {Precision(a),9:F4} {Recall(a),7:F4} {F1(a),7:F4}\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"accuracy {Accuracy:F4}  macro precision {MacroPrecision:F4}  macro recall {MacroRecall:F4}  macro F1 {MacroF1:F4}");
        return sb.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => ToString(null);
}
