using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// Squared hinge loss: lₙ = (1/M)·Σⱼ max(0, 1 − yₙⱼ·ŷₙⱼ)², then the reduction, with targets y ∈ {−1, 1}.
/// The square smooths the kink of <see cref="Hinge"/>: ∂/∂ŷ = −2y·max(0, 1 − y·ŷ)/M is continuous.
/// </summary>
/// <remarks>Targets must be exactly −1 or 1, as for <see cref="Hinge"/> (0/1 labels are rejected, not converted). No gradient flows to the targets.</remarks>
public sealed class SquaredHinge : Loss
{
    /// <summary>Creates the loss.</summary>
    public SquaredHinge(Reduction reduction = Reduction.Mean) : base(reduction) { }

    /// <summary>The loss of scores ŷ [N, ...] against targets y ∈ {−1, 1} of the same shape.</summary>
    public override Tensor Forward(Tensor prediction, Tensor target)
    {
        LossChecks.BatchSize(Name, prediction);
        var t = LossChecks.SameShape(Name, prediction, target);
        Hinge.CheckSigns(Name, t);
        return PointwiseLoss.Apply(new Op(), Name, prediction, t, Reduction, sumOverSample: false, targetDifferentiable: false);
    }

    private readonly struct Op : IPointwiseLoss
    {
        public double Value(double p, double t) { double h = Math.Max(0, 1 - t * p); return h * h; }
        public double DPrediction(double p, double t) => -2 * t * Math.Max(0, 1 - t * p);
        public double DTarget(double p, double t) => -2 * p * Math.Max(0, 1 - t * p);
    }
}
