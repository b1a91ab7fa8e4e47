namespace Nabla.Losses;

/// <summary>
/// The loss of one element, f(p, t) for prediction p and target t, with its partial derivatives.
/// Implemented by small structs so that <see cref="PointwiseLoss"/>'s loops inline them. k is the element's flat
/// index in the batch (k mod the last dimension is its class, for per-class weights).
/// </summary>
internal interface IPointwiseLoss
{
    /// <summary>f(p, t).</summary>
    double Value(double p, double t, int k);

    /// <summary>∂f/∂p.</summary>
    double DPrediction(double p, double t, int k);

    /// <summary>∂f/∂t (only called for losses that declare the target differentiable).</summary>
    double DTarget(double p, double t, int k);
}
