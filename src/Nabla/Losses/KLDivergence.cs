using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// Kullback–Leibler divergence of the predicted distribution q from the target distribution p:
/// lₙ = Σⱼ pₙⱼ·(log pₙⱼ − log qₙⱼ) = KL(p ‖ q), summed over all non-batch elements of sample n, then the
/// reduction (so <see cref="Reduction.Mean"/> is PyTorch's "batchmean"). Zero when the distributions are equal.
/// <para>Reductions against PyTorch's <c>KLDivLoss</c>: <see cref="Reduction.Mean"/> is <c>'batchmean'</c>;
/// <see cref="Reduction.Sum"/> and <see cref="Reduction.SumAll"/> are both <c>'sum'</c>; <see cref="Reduction.MeanAll"/>
/// is <c>'mean'</c> (PyTorch's default, the mean over all N·M elements, which PyTorch itself warns is not the
/// divergence); <see cref="Reduction.PerElement"/> is <c>'none'</c> (every term pₙⱼ·(log pₙⱼ − log qₙⱼ)); and
/// <see cref="Reduction.None"/> gives the per-sample divergences lₙ.</para>
/// </summary>
/// <remarks>
/// <para>Argument order: <c>Forward(prediction: q, target: p)</c>, the same order as every other loss; the divergence
/// is measured from the target p, which weights the terms.</para>
/// <para>By default both are probabilities. Terms with p = 0 are 0 (0·log 0 = 0); q is clamped to at least ε inside
/// the logarithm so the loss is finite. With <c>logPrediction</c> the prediction holds log q (as PyTorch's
/// <c>kl_div</c> input, e.g. a <c>LogSoftmax</c> output); with <c>logTarget</c> the target holds log p.</para>
/// <para>Gradients: ∂/∂q = −p/q (∂/∂log q = −p); ∂/∂p = log p − log q + 1 (taken at p = ε where p = 0;
/// ∂/∂log p = p·(log p − log q + 1)).</para>
/// </remarks>
public sealed class KLDivergence : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How per-sample losses combine.</param>
    /// <param name="logPrediction">True when predictions are log-probabilities log q.</param>
    /// <param name="logTarget">True when targets are log-probabilities log p.</param>
    /// <param name="epsilon">ε, the smallest probability q inside the logarithm, in (0, 1).</param>
    public KLDivergence(Reduction reduction = Reduction.Mean, bool logPrediction = false, bool logTarget = false, double epsilon = 1e-7) : base(reduction)
    {
        if (!(epsilon > 0 && epsilon < 1)) throw new ValueException($"{Name}: epsilon must lie in (0, 1), got {epsilon}");
        LogPrediction = logPrediction;
        LogTarget = logTarget;
        Epsilon = epsilon;
    }

    /// <summary>True when predictions are log-probabilities.</summary>
    public bool LogPrediction { get; }

    /// <summary>True when targets are log-probabilities.</summary>
    public bool LogTarget { get; }

    /// <summary>ε, the smallest probability q inside the logarithm (probability predictions only).</summary>
    public double Epsilon { get; }

    /// <summary>KL(p ‖ q) for predictions q [N, ...] and targets p of the same shape.</summary>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        LossChecks.BatchSize(Name, prediction);
        var t = LossChecks.SameShape(Name, prediction, target);
        if (!LogTarget) LossChecks.Elements(Name, "target", t, v => v >= 0, "expected a probability (non-negative); pass logTarget: true for log-probabilities");
        return PointwiseLoss.Apply(new Op(LogPrediction, LogTarget, Epsilon), Name, prediction, t, Reduction, sumOverSample: true, targetDifferentiable: true);
    }

    private readonly struct Op(bool logQ, bool logP, double eps) : IPointwiseLoss
    {
        private double LogQ(double q) => logQ ? q : Math.Log(Math.Max(q, eps));

        public double Value(double q, double t, int k)
        {
            double p = logP ? Math.Exp(t) : t;
            if (p == 0) return 0; // 0·log 0 = 0
            return p * ((logP ? t : Math.Log(p)) - LogQ(q));
        }

        public double DPrediction(double q, double t, int k)
        {
            double p = logP ? Math.Exp(t) : t;
            return logQ ? -p : -p / Math.Max(q, eps);
        }

        public double DTarget(double q, double t, int k)
        {
            if (logP)
            {
                double p = Math.Exp(t);
                return p == 0 ? 0 : p * (t - LogQ(q) + 1);
            }
            return Math.Log(t > 0 ? t : eps) - LogQ(q) + 1;
        }
    }
}
