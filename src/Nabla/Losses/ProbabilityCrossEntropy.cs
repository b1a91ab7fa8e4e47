using Nabla.Autograd;
using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// Cross-entropy on probabilities with label smoothing and class weights: the kernel behind
/// <see cref="CrossEntropy"/> with <c>fromLogits: false</c>, the counterpart of <see cref="SoftmaxCrossEntropy"/>.
/// </summary>
/// <remarks>
/// For probabilities p [N, K], target distribution t (class labels are one-hot rows, smoothed to (1 − ε)·t + ε/K) and
/// class weights w (all 1 by default): l = −Σ_c w_c·t_c·log p̂_c with p̂ = clamp(p, δ, 1) (δ = epsilon), so a zero
/// probability gives a large finite loss. ∂l/∂p_c = −w_c·t_c / p̂_c and, for soft targets, ∂l/∂t_c = −(1 − ε)·w_c·log p̂_c.
/// The reductions are those of <see cref="SoftmaxCrossEntropy"/>: with labels and class weights, Mean divides by Σₙ w_(yₙ).
/// </remarks>
internal static class ProbabilityCrossEntropy
{
    /// <param name="name">The loss's name.</param>
    /// <param name="prob">[N, K] (checked by the caller, and checked to hold probabilities).</param>
    /// <param name="labels">Class indices [N] (checked), or null when <paramref name="soft"/> is given.</param>
    /// <param name="soft">Target distributions [N, K] in the prediction's element type, or null.</param>
    /// <param name="smoothing">ε in [0, 1).</param>
    /// <param name="weights">Class weights [K], or null for all 1.</param>
    /// <param name="reduction">Mean divides by Σₙ w_(yₙ) for weighted labels (by N otherwise).</param>
    /// <param name="epsilon">δ, the smallest probability inside the logarithm.</param>
    public static Tensor Apply(string name, Tensor prob, int[]? labels, Tensor? soft, double smoothing, double[]? weights,
        Reduction reduction, double epsilon)
    {
        int n = prob.Shape.Dims[0], k = prob.Shape.Dims[1];
        double uniform = smoothing / k;
        var p = prob.ToDoubleArray();
        var t = soft?.ToDoubleArray();
        var target = new double[n * k]; // w_c·((1 − ε)·t_c + ε/K), the weight of −log p̂_c
        var loss = new double[n];
        for (int i = 0; i < n; i++)
        {
            double value = 0;
            for (int c = 0; c < k; c++)
            {
                double tc = labels is null ? t![i * k + c] : labels[i] == c ? 1 : 0;
                double wt = (weights is null ? 1 : weights[c]) * ((1 - smoothing) * tc + uniform);
                target[i * k + c] = wt;
                if (wt != 0) value -= wt * Math.Log(Math.Clamp(p[i * k + c], epsilon, 1));
            }
            loss[i] = value;
        }

        double denominator = 1;
        Tensor y;
        if (reduction == Reduction.None)
        {
            y = Tensor.Zeros([n], prob.DType);
            for (int i = 0; i < n; i++) y.SetFlat(i, loss[i]);
        }
        else
        {
            double total = 0;
            foreach (double v in loss) total += v;
            if (reduction == Reduction.Mean)
            {
                denominator = LossChecks.MeanDenominator(name, n, labels, weights);
                total /= denominator;
            }
            y = Tensor.Scalar(total, prob.DType);
        }
        bool recording = GradMode.IsEnabled && (prob.RequiresGrad || (soft?.RequiresGrad ?? false));
        if (!recording) return y;

        var x = prob;
        Tensor[] inputs = soft is null ? [x] : [x, soft];
        return y.Record("cross_entropy", inputs, g =>
        {
            var coef = new double[n];
            if (reduction == Reduction.None) for (int i = 0; i < n; i++) coef[i] = g.GetFlat(i);
            else Array.Fill(coef, g.GetFlat(0) / denominator);
            if (x.RequiresGrad)
            {
                var dp = new double[n * k];
                for (int i = 0; i < n; i++)
                    for (int c = 0; c < k; c++)
                        dp[i * k + c] = -coef[i] * target[i * k + c] / Math.Clamp(p[i * k + c], epsilon, 1);
                x.AccumulateGrad(Tensor.FromArray(dp, n, k).ToDType(x.DType));
            }
            if (soft != null && soft.RequiresGrad)
            {
                var dt = new double[n * k];
                for (int i = 0; i < n; i++)
                    for (int c = 0; c < k; c++)
                        dt[i * k + c] = -coef[i] * (1 - smoothing) * (weights is null ? 1 : weights[c]) * Math.Log(Math.Clamp(p[i * k + c], epsilon, 1));
                soft.AccumulateGrad(Tensor.FromArray(dt, n, k).ToDType(x.DType));
            }
        });
    }
}
