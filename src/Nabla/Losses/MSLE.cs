using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// Mean squared logarithmic error: lₙ = (1/M)·Σⱼ (log(1 + yₙⱼ) − log(1 + ŷₙⱼ))², then the reduction.
/// Penalizes relative rather than absolute differences. Both predictions and targets must be greater than −1
/// (a <see cref="Errors.ValueException"/> names the first offending element).
/// Gradient: ∂/∂ŷ = −2(log(1 + y) − log(1 + ŷ)) / ((1 + ŷ)·M).
/// <para>Reductions: <see cref="Reduction.Mean"/> is the mean over all elements; <see cref="Reduction.Sum"/> and
/// <see cref="Reduction.None"/> work on the per-sample means lₙ (Keras's convention); <see cref="Reduction.SumAll"/>,
/// <see cref="Reduction.MeanAll"/> and <see cref="Reduction.PerElement"/> work on every element's loss (PyTorch's
/// convention: its sum, its mean, each one shaped like the prediction).</para>
/// </summary>
public sealed class MSLE : Loss
{
    /// <summary>Creates the loss.</summary>
    public MSLE(Reduction reduction = Reduction.Mean) : base(reduction) { }

    /// <summary>The loss of predictions ŷ [N, ...] against targets y of the same shape, both &gt; −1.</summary>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        LossChecks.BatchSize(Name, prediction);
        var t = LossChecks.SameShape(Name, prediction, target);
        LossChecks.Elements(Name, "prediction", prediction, v => v > -1, "expected values greater than -1 (log(1 + x) is undefined at or below -1)");
        LossChecks.Elements(Name, "target", t, v => v > -1, "expected values greater than -1 (log(1 + x) is undefined at or below -1)");
        return PointwiseLoss.Apply(new Op(), Name, prediction, t, Reduction, sumOverSample: false, targetDifferentiable: true);
    }

    private readonly struct Op : IPointwiseLoss
    {
        public double Value(double p, double t, int k) { double d = Math.Log(1 + t) - Math.Log(1 + p); return d * d; }
        public double DPrediction(double p, double t, int k) => -2 * (Math.Log(1 + t) - Math.Log(1 + p)) / (1 + p);
        public double DTarget(double p, double t, int k) => 2 * (Math.Log(1 + t) - Math.Log(1 + p)) / (1 + t);
    }
}
