using System.Globalization;
using System.Text;

namespace Nabla.Autograd;

/// <summary>The outcome of <see cref="GradCheck.Check"/>: per input, the analytical and numerical gradients and their errors.</summary>
public sealed class GradCheckResult
{
    internal GradCheckResult(string[] names, double[][] analytical, double[][] numerical, double absTol, double relTol)
    {
        Names = names;
        Analytical = analytical;
        Numerical = numerical;
        RelativeErrors = new double[names.Length][];
        MaxRelativeError = new double[names.Length];
        WorstIndex = new int[names.Length];
        Passed = true;
        for (int t = 0; t < names.Length; t++)
        {
            var rel = RelativeErrors[t] = new double[analytical[t].Length];
            for (int i = 0; i < rel.Length; i++)
            {
                double a = analytical[t][i], n = numerical[t][i], diff = Math.Abs(a - n);
                rel[i] = diff == 0 ? 0 : diff / Math.Max(Math.Abs(a), Math.Abs(n));
                if (rel[i] > MaxRelativeError[t] || double.IsNaN(rel[i])) { MaxRelativeError[t] = rel[i]; WorstIndex[t] = i; }
                if (!(diff <= absTol + relTol * Math.Abs(n))) Passed = false;
            }
        }
    }

    /// <summary>The inputs' names (their <c>Name</c>, or <c>input0</c>, <c>input1</c>, …).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Backpropagated gradients, per input, flat.</summary>
    public double[][] Analytical { get; }

    /// <summary>Central-difference gradients (f(x+h) − f(x−h)) / 2h, per input, flat.</summary>
    public double[][] Numerical { get; }

    /// <summary>|analytical − numerical| / max(|analytical|, |numerical|) per element (0 where both are equal).</summary>
    public double[][] RelativeErrors { get; }

    /// <summary>The largest relative error per input.</summary>
    public double[] MaxRelativeError { get; }

    /// <summary>The flat index of the largest relative error per input.</summary>
    public int[] WorstIndex { get; }

    /// <summary>True when every element satisfies |analytical − numerical| ≤ absTol + relTol·|numerical|.</summary>
    public bool Passed { get; }

    /// <summary>One line per input: name, worst relative error and where.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Passed ? "gradcheck passed" : "gradcheck FAILED");
        for (int t = 0; t < Names.Count; t++)
        {
            int w = WorstIndex[t];
            sb.Append(CultureInfo.InvariantCulture, $"\n  {Names[t]}: max relative error {MaxRelativeError[t]:E2}");
            if (Analytical[t].Length > 0)
                sb.Append(CultureInfo.InvariantCulture, $" at [{w}] (analytical {Analytical[t][w]:G6}, numerical {Numerical[t][w]:G6})");
        }
        return sb.ToString();
    }
}
