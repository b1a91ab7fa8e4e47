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
        AbsTolerance = absTol;
        RelTolerance = relTol;
        RelativeErrors = new double[names.Length][];
        MaxRelativeError = new double[names.Length];
        WorstIndex = new int[names.Length];
        Excess = new double[names.Length][];
        WorstExcess = new double[names.Length];
        WorstExcessIndex = new int[names.Length];
        InputPassed = new bool[names.Length];
        Passed = true;
        for (int t = 0; t < names.Length; t++)
        {
            var rel = RelativeErrors[t] = new double[analytical[t].Length];
            var excess = Excess[t] = new double[analytical[t].Length];
            InputPassed[t] = true;
            for (int i = 0; i < rel.Length; i++)
            {
                double a = analytical[t][i], n = numerical[t][i], diff = Math.Abs(a - n), allowed = absTol + relTol * Math.Abs(n);
                rel[i] = diff == 0 ? 0 : diff / Math.Max(Math.Abs(a), Math.Abs(n));
                if (rel[i] > MaxRelativeError[t] || double.IsNaN(rel[i])) { MaxRelativeError[t] = rel[i]; WorstIndex[t] = i; }
                excess[i] = diff == 0 ? 0 : diff / allowed; // +∞ when both tolerances are 0; NaN when either gradient is NaN
                if (excess[i] > WorstExcess[t] || double.IsNaN(excess[i])) { WorstExcess[t] = excess[i]; WorstExcessIndex[t] = i; }
                if (!(diff <= allowed)) { InputPassed[t] = false; Passed = false; }
            }
        }
    }

    /// <summary>The inputs' names (their <c>Name</c>, or <c>input0</c>, <c>input1</c>, …).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Backpropagated gradients, per input, flat.</summary>
    public double[][] Analytical { get; }

    /// <summary>Central-difference gradients (f(x+h) − f(x−h)) / 2h, per input, flat.</summary>
    public double[][] Numerical { get; }

    /// <summary>
    /// |analytical − numerical| / max(|analytical|, |numerical|) per element (0 where both are equal). Informative only:
    /// the pass criterion is <see cref="Criterion"/>, under which a large relative error on a gradient that is nearly
    /// zero can pass (its absolute error is within <see cref="AbsTolerance"/>); see <see cref="Excess"/>.
    /// </summary>
    public double[][] RelativeErrors { get; }

    /// <summary>The largest relative error per input (see <see cref="RelativeErrors"/>; not what decides <see cref="Passed"/>).</summary>
    public double[] MaxRelativeError { get; }

    /// <summary>The flat index of the largest relative error per input.</summary>
    public int[] WorstIndex { get; }

    /// <summary>The absolute tolerance of the pass criterion (the <c>absTolerance</c> passed to <see cref="GradCheck.Check"/>).</summary>
    public double AbsTolerance { get; }

    /// <summary>The relative tolerance of the pass criterion (the <c>relTolerance</c> passed to <see cref="GradCheck.Check"/>).</summary>
    public double RelTolerance { get; }

    /// <summary>
    /// The pass criterion in words with its tolerances, e.g. "|analytic − numeric| ≤ 1e-06 + 1e-04·|numeric| for every element".
    /// </summary>
    public string Criterion =>
        $"|analytic − numeric| ≤ {FormatNumber(AbsTolerance)} + {FormatNumber(RelTolerance)}·|numeric| for every element";

    /// <summary>
    /// Per input and element, the error as a multiple of what the criterion allows:
    /// |analytical − numerical| / (<see cref="AbsTolerance"/> + <see cref="RelTolerance"/>·|numerical|).
    /// An element passes when this is at most 1 (0 where both gradients are equal; NaN where either is NaN).
    /// </summary>
    public double[][] Excess { get; }

    /// <summary>
    /// The largest <see cref="Excess"/> per input (NaN if any element's is): at most 1 when the input passes,
    /// so 0.012 reads "the worst element used 1.2% of its tolerance". 0 for an input without elements.
    /// </summary>
    public double[] WorstExcess { get; }

    /// <summary>The flat index of the element with the largest <see cref="Excess"/> per input.</summary>
    public int[] WorstExcessIndex { get; }

    /// <summary>Per input, true when every one of its elements satisfies <see cref="Criterion"/>.</summary>
    public bool[] InputPassed { get; }

    /// <summary>True when every element satisfies |analytical − numerical| ≤ absTol + relTol·|numerical| (see <see cref="Criterion"/>).</summary>
    public bool Passed { get; }

    /// <summary>
    /// The worst element of input <paramref name="input"/> by the pass criterion, in words, e.g.
    /// "worst element [7] at 1.2% of its tolerance (analytical 2.02, numerical 2.02)", or "no elements".
    /// </summary>
    /// <param name="input">Index of the input, as in <see cref="Names"/>.</param>
    public string DescribeWorst(int input)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(input);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(input, Names.Count);
        if (Analytical[input].Length == 0) return "no elements";
        int w = WorstExcessIndex[input];
        return string.Create(CultureInfo.InvariantCulture,
            $"worst element [{w}] at {FormatNumber(WorstExcess[input] * 100)}% of its tolerance (analytical {Analytical[input][w]:G6}, numerical {Numerical[input][w]:G6})");
    }

    /// <summary>The verdict with <see cref="Criterion"/>, then one line per input: name, worst relative error and where, and the worst element by the criterion.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Passed ? "gradcheck passed" : "gradcheck FAILED");
        sb.Append(" (criterion: ").Append(Criterion).Append(')');
        for (int t = 0; t < Names.Count; t++)
        {
            int w = WorstIndex[t];
            sb.Append(CultureInfo.InvariantCulture, $"\n  {Names[t]}: max relative error {MaxRelativeError[t]:E2}");
            if (Analytical[t].Length == 0) continue;
            sb.Append(CultureInfo.InvariantCulture, $" at [{w}] (analytical {Analytical[t][w]:G6}, numerical {Numerical[t][w]:G6}); ");
            if (WorstExcessIndex[t] == w) sb.Append(FormatNumber(WorstExcess[t] * 100)).Append("% of its tolerance");
            else sb.Append(DescribeWorst(t));
        }
        return sb.ToString();
    }

    /// <summary>Three significant digits: plain decimals for moderate magnitudes (0.0123, 1.23, 102), otherwise an exponent form (1e-06, 2.5e-05).</summary>
    private static string FormatNumber(double v)
    {
        double m = Math.Abs(v);
        if (m == 0 || !double.IsFinite(v)) return v.ToString(CultureInfo.InvariantCulture);
        if (m < 1e-3 || m >= 1e6) return v.ToString("0.##e+00", CultureInfo.InvariantCulture);
        int decimals = Math.Max(0, 2 - (int)Math.Floor(Math.Log10(m)));
        return Math.Round(v, decimals).ToString("0.#####", CultureInfo.InvariantCulture);
    }
}
