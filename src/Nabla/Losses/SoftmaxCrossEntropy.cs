using System.Buffers;
using System.Numerics;
using Nabla.Autograd;
using Nabla.Errors;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// The fused log-softmax + cross-entropy kernel behind <see cref="CrossEntropy"/>, <see cref="CategoricalCrossEntropy"/>
/// and <see cref="SparseCategoricalCrossEntropy"/> on logits (<c>fromLogits: true</c>): one recorded node, forward and
/// backward each one pass over the logits.
/// </summary>
/// <remarks>
/// For logits x [N, K], target distribution t (class labels are one-hot rows, smoothed to (1 − ε)·t + ε/K) and class
/// weights w (all 1 by default):
/// lse = m + log Σ_c e^(x_c − m) with m = max_c x_c (finite for any finite logits),
/// l = Σ_c w_c·t_c·(lse − x_c), ∂l/∂x_c = softmax(x)_c·S − w_c·t_c with S = Σ_c w_c·t_c, and ∂l/∂t_c = w_c·(lse − x_c)
/// times (1 − ε) for soft targets. The softmax computed in forward (one vectorized exp over the whole batch) is kept
/// for backward, so backward is multiply-adds only.
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
        bool recording = GradMode.IsEnabled && (logits.RequiresGrad || (soft?.RequiresGrad ?? false));
        var rows = new double[3 * n];   // per row: lse, S = Σ_c w_c t_c, loss
        // softmax(x) [N, K], kept for backward when recording (else computed in a pooled buffer and returned)
        Array? prob = DTypeDispatch.Run<ForwardFunc, Array?>(logits.DType, new(logits, labels, soft, smoothing, weights, rows, k, recording));

        double denominator = 1;
        Tensor y;
        if (reduction == Reduction.None)
        {
            y = Tensor.Zeros([n], logits.DType);
            for (int i = 0; i < n; i++) y.SetFlat(i, rows[3 * i + 2]);
        }
        else
        {
            double total = 0;
            for (int i = 0; i < n; i++) total += rows[3 * i + 2];
            if (reduction == Reduction.Mean)
            {
                denominator = LossChecks.MeanDenominator(name, n, labels, weights);
                total /= denominator;
            }
            y = Tensor.Scalar(total, logits.DType);
        }
        if (!recording) return y;

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
                DTypeDispatch.Run(x.DType, new BackwardAction(prob!, labels, soft, x, smoothing, weights, rows, coef, dx, k));
                x.AccumulateGrad(dx);
            }
            if (soft != null && soft.RequiresGrad)
            {
                var dt = Tensor.Zeros([n, k], x.DType);
                DTypeDispatch.Run(x.DType, new BackwardAction(null, labels, soft, x, smoothing, weights, rows, coef, dt, k));
                soft.AccumulateGrad(dt);
            }
        });
    }

    // x: (N,K), t: (N,K) or empty -> prob: (N,K) softmax; rows: (N,3) lse, S, loss
    private static void Forward<T>(ReadOnlySpan<T> x, int[]? labels, ReadOnlySpan<T> t, double eps, double[]? w,
        Span<T> prob, double[] rows, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = rows.Length / 3;
        double uniform = eps / k;
        double sumW = 0;
        if (labels != null) { if (w is null) sumW = k; else foreach (double v in w) sumW += v; }

        // prob = x − rowmax, then one vectorized exp over the whole batch (rows are short, the batch is not)
        for (int i = 0; i < n; i++)
        {
            var row = x.Slice(i * k, k);
            T max = row[0];
            for (int c = 1; c < k; c++) if (row[c] > max) max = row[c];
            rows[3 * i] = double.CreateTruncating(max);
            var prow = prob.Slice(i * k, k);
            for (int c = 0; c < k; c++) prow[c] = row[c] - max;
        }
        Elementwise.Exp<T>(prob, prob);

        for (int i = 0; i < n; i++)
        {
            var row = x.Slice(i * k, k);
            var prow = prob.Slice(i * k, k);
            T sum = T.Zero;
            for (int c = 0; c < k; c++) sum += prow[c];
            T inv = T.One / sum;
            for (int c = 0; c < k; c++) prow[c] *= inv;
            double l = rows[3 * i] + Math.Log(double.CreateTruncating(sum));
            rows[3 * i] = l;

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
                rows[3 * i + 1] = (1 - eps) * wy + uniform * sumW;
                rows[3 * i + 2] = value;
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
                rows[3 * i + 1] = sw;
                rows[3 * i + 2] = value;
            }
        }
    }

    // dx_c = coef·(softmax_c·S − w_c·t_c)
    private static void BackwardLogits<T>(T[] prob, int[]? labels, ReadOnlySpan<T> t, double eps, double[]? w,
        double[] rows, double[] coef, Span<T> dx, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double uniform = eps / k;
        for (int i = 0; i < coef.Length; i++)
        {
            var prow = prob.AsSpan(i * k, k);
            var drow = dx.Slice(i * k, k);
            T a = T.CreateTruncating(coef[i] * rows[3 * i + 1]);
            for (int c = 0; c < k; c++) drow[c] = a * prow[c];
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
    private static void BackwardTarget<T>(ReadOnlySpan<T> x, double eps, double[]? w, double[] rows, double[] coef, Span<T> dt, int k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < coef.Length; i++)
        {
            double a = coef[i] * (1 - eps), lse = rows[3 * i];
            for (int c = 0; c < k; c++)
                dt[i * k + c] = T.CreateTruncating(a * (w is null ? 1 : w[c]) * (lse - double.CreateTruncating(x[i * k + c])));
        }
    }

    /// <summary>The forward pass at the logits' element type; returns the softmax when recording, else null.</summary>
    private readonly struct ForwardFunc(Tensor logits, int[]? labels, Tensor? soft, double smoothing, double[]? weights, double[] rows, int k, bool recording) : IDTypeFunc<Array?>
    {
        public Array? Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            int size = rows.Length / 3 * k;
            var p = recording ? new T[size] : ArrayPool<T>.Shared.Rent(size);
            Forward<T>(logits.AsSpan<T>(), labels, soft is null ? default : soft.AsSpan<T>(), smoothing, weights, p.AsSpan(0, size), rows, k);
            if (recording) return p;
            ArrayPool<T>.Shared.Return(p);
            return null;
        }
    }

    /// <summary>The gradient for the logits (given the kept softmax) or, without it, for soft targets.</summary>
    private readonly struct BackwardAction(Array? prob, int[]? labels, Tensor? soft, Tensor x, double smoothing, double[]? weights, double[] rows, double[] coef, Tensor output, int k) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (prob is not null) BackwardLogits<T>((T[])prob, labels, soft is null ? default : soft.AsSpan<T>(), smoothing, weights, rows, coef, output.AsSpan<T>(), k);
            else BackwardTarget<T>(x.AsSpan<T>(), smoothing, weights, rows, coef, output.AsSpan<T>(), k);
        }
    }
}
