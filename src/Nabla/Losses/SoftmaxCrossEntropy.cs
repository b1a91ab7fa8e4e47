using System.Numerics;
using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// The fused log-softmax + cross-entropy kernel behind <see cref="CrossEntropy"/> and
/// <see cref="SparseCategoricalCrossEntropy"/>: one recorded node, forward and backward each one pass over the logits.
/// </summary>
/// <remarks>
/// For logits x [N, K], target distribution t (class labels are one-hot rows, smoothed to (1 − ε)·t + ε/K) and class
/// weights w (all 1 by default):
/// lse = m + log Σ_c e^(x_c − m) with m = max_c x_c (finite for any finite logits),
/// l = Σ_c w_c·t_c·(lse − x_c), ∂l/∂x_c = softmax(x)_c·S − w_c·t_c with S = Σ_c w_c·t_c, and ∂l/∂t_c = w_c·(lse − x_c)
/// times (1 − ε) for soft targets. Only lse per row is kept for backward, which recomputes the softmax.
/// </remarks>
internal static class SoftmaxCrossEntropy
{
    /// <param name="name">The loss's name.</param>
    /// <param name="logits">[N, K] (checked by the caller).</param>
    /// <param name="labels">Class indices [N] (checked), or null when <paramref name="soft"/> is given.</param>
    /// <param name="soft">Target distributions [N, K] in the logits' element type, or null.</param>
    /// <param name="smoothing">ε in [0, 1).</param>
    /// <param name="weights">Class weights [K], or null for all 1.</param>
    /// <param name="reduction">Mean divides by Σₙ w_(yₙ) for labels (by N when unweighted or for soft targets).</param>
    public static Tensor Apply(string name, Tensor logits, int[]? labels, Tensor? soft, double smoothing, double[]? weights, Reduction reduction)
    {
        int n = logits.Shape.Dims[0], k = logits.Shape.Dims[1];
        var lse = new double[n];
        var s = new double[n];          // S per row: Σ_c w_c t_c
        var perSample = new double[n];
        if (logits.DType == DType.Float32)
            Forward<float>(logits.F, labels, soft is null ? default : soft.F, smoothing, weights, lse, s, perSample, k);
        else
            Forward<double>(logits.D, labels, soft is null ? default : soft.D, smoothing, weights, lse, s, perSample, k);

        double denominator = 1;
        Tensor y;
        if (reduction == Reduction.None)
        {
            y = Tensor.Zeros([n], logits.DType);
            if (logits.DType == DType.Float32) { var f = y.F; for (int i = 0; i < n; i++) f[i] = (float)perSample[i]; }
            else perSample.CopyTo(y.D);
        }
        else
        {
            double total = 0;
            foreach (double v in perSample) total += v;
            if (reduction == Reduction.Mean)
            {
                denominator = n;
                if (labels != null && weights != null)
                {
                    denominator = 0;
                    foreach (int c in labels) denominator += weights[c];
                    if (denominator <= 0)
                        throw new ValueException($"{name}: every label in the batch has class weight 0, so the weighted mean is undefined; use Reduction.Sum or give those classes a positive weight");
                }
                total /= denominator;
            }
            y = Tensor.Scalar(total, logits.DType);
        }

        var x = logits;
        Tensor[] inputs = soft is null ? [x] : [x, soft];
        return y.Record("cross_entropy", inputs, g =>
        {
            var coef = new double[n];
            if (reduction == Reduction.None) for (int i = 0; i < n; i++) coef[i] = g.GetFlat(i);
            else { double c = g.GetFlat(0) / denominator; Array.Fill(coef, c); }
            if (x.RequiresGrad)
            {
                var dx = Tensor.Zeros([n, k], x.DType);
                if (x.DType == DType.Float32) BackwardLogits<float>(x.F, labels, soft is null ? default : soft.F, smoothing, weights, lse, s, coef, dx.F, k);
                else BackwardLogits<double>(x.D, labels, soft is null ? default : soft.D, smoothing, weights, lse, s, coef, dx.D, k);
                x.AccumulateGrad(dx);
            }
            if (soft != null && soft.RequiresGrad)
            {
                var dt = Tensor.Zeros([n, k], x.DType);
                if (x.DType == DType.Float32) BackwardTarget<float>(x.F, smoothing, weights, lse, coef, dt.F, k);
                else BackwardTarget<double>(x.D, smoothing, weights, lse, coef, dt.D, k);
                soft.AccumulateGrad(dt);
            }
        });
    }

    // x: (N,K), t: (N,K) or empty -> lse, s, loss: (N)
    private static void Forward<T>(ReadOnlySpan<T> x, int[]? labels, ReadOnlySpan<T> t, double eps, double[]? w,
        Span<double> lse, Span<double> s, Span<double> loss, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double uniform = eps / k;
        double sumW = 0;
        if (labels != null) { if (w is null) sumW = k; else foreach (double v in w) sumW += v; }
        for (int i = 0; i < lse.Length; i++)
        {
            var row = x.Slice(i * k, k);
            T max = row[0];
            for (int c = 1; c < k; c++) if (row[c] > max) max = row[c];
            T sum = T.Zero;
            for (int c = 0; c < k; c++) sum += T.Exp(row[c] - max);
            double l = double.CreateTruncating(max) + Math.Log(double.CreateTruncating(sum));
            lse[i] = l;

            if (labels != null)
            {
                int y = labels[i];
                double wy = w is null ? 1 : w[y];
                double value = (1 - eps) * wy * (l - double.CreateTruncating(row[y]));
                if (eps != 0)
                {
                    double acc = 0; // Σ_c w_c (lse − x_c)
                    for (int c = 0; c < k; c++) acc += (w is null ? 1 : w[c]) * (l - double.CreateTruncating(row[c]));
                    value += uniform * acc;
                }
                loss[i] = value;
                s[i] = (1 - eps) * wy + uniform * sumW;
            }
            else
            {
                var trow = t.Slice(i * k, k);
                double value = 0, sw = 0;
                for (int c = 0; c < k; c++)
                {
                    double wt = (w is null ? 1 : w[c]) * ((1 - eps) * double.CreateTruncating(trow[c]) + uniform);
                    if (wt != 0) value += wt * (l - double.CreateTruncating(row[c])); // skip 0·∞ for −∞ logits
                    sw += wt;
                }
                loss[i] = value;
                s[i] = sw;
            }
        }
    }

    // dx_c = coef·(softmax_c·S − w_c·t_c)
    private static void BackwardLogits<T>(ReadOnlySpan<T> x, int[]? labels, ReadOnlySpan<T> t, double eps, double[]? w,
        double[] lse, double[] s, double[] coef, Span<T> dx, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double uniform = eps / k;
        for (int i = 0; i < lse.Length; i++)
        {
            var row = x.Slice(i * k, k);
            var drow = dx.Slice(i * k, k);
            T l = T.CreateTruncating(lse[i]);
            T a = T.CreateTruncating(coef[i] * s[i]);
            for (int c = 0; c < k; c++) drow[c] = a * T.Exp(row[c] - l);
            if (labels != null)
            {
                if (eps != 0)
                {
                    T u = T.CreateTruncating(coef[i] * uniform);
                    if (w is null) for (int c = 0; c < k; c++) drow[c] -= u;
                    else for (int c = 0; c < k; c++) drow[c] -= u * T.CreateTruncating(w[c]);
                }
                int y = labels[i];
                drow[y] -= T.CreateTruncating(coef[i] * (1 - eps) * (w is null ? 1 : w[y]));
            }
            else
            {
                var trow = t.Slice(i * k, k);
                for (int c = 0; c < k; c++)
                    drow[c] -= T.CreateTruncating(coef[i] * (w is null ? 1 : w[c]) * ((1 - eps) * double.CreateTruncating(trow[c]) + uniform));
            }
        }
    }

    // dt_c = coef·(1 − ε)·w_c·(lse − x_c)
    private static void BackwardTarget<T>(ReadOnlySpan<T> x, double eps, double[]? w, double[] lse, double[] coef, Span<T> dt, int k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < lse.Length; i++)
        {
            double a = coef[i] * (1 - eps);
            for (int c = 0; c < k; c++)
                dt[i * k + c] = T.CreateTruncating(a * (w is null ? 1 : w[c]) * (lse[i] - double.CreateTruncating(x[i * k + c])));
        }
    }
}
