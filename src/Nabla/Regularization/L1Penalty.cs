using Nabla.Tensors;

namespace Nabla.Regularization;

/// <summary>
/// L1 regularization (lasso): λ·Σ|w| over the given tensors, as in the lectures' Cost + λ·Σⱼ|Wⱼ|. It drives small
/// weights to exactly zero. Gradient: λ·sign(w), taken as 0 at w = 0.
/// </summary>
public sealed class L1Penalty : Penalty
{
    /// <summary>Creates the penalty λ·Σ|w|.</summary>
    /// <param name="lambda">λ, finite and non-negative.</param>
    public L1Penalty(double lambda) : base(lambda) { }

    private protected override double Value(Tensor t)
    {
        double s = 0;
        if (t.DType == DType.Float32) foreach (float v in t.F) s += Math.Abs(v);
        else foreach (double v in t.D) s += Math.Abs(v);
        return s;
    }

    private protected override Tensor Gradient(Tensor t, double scale)
    {
        var d = Tensor.Zeros(t.Shape.ToArray(), t.DType);
        if (t.DType == DType.Float32)
        {
            var x = t.F; var o = d.F; float a = (float)scale;
            for (int i = 0; i < x.Length; i++) o[i] = x[i] > 0 ? a : x[i] < 0 ? -a : 0;
        }
        else
        {
            var x = t.D; var o = d.D;
            for (int i = 0; i < x.Length; i++) o[i] = x[i] > 0 ? scale : x[i] < 0 ? -scale : 0;
        }
        return d;
    }
}
