using Nabla.Tensors;

namespace Nabla.Regularization;

/// <summary>
/// L2 regularization (ridge): λ·Σw² over the given tensors, as in the lectures' Cost + λ·Σⱼ Wⱼ² — no ½ factor,
/// so the gradient is 2λ·w. For the λ/2·Σw² convention (gradient λ·w, as in the backpropagation notes'
/// λ/(2n)·Σθ²) pass λ/2 (and fold in the 1/n yourself).
/// </summary>
public sealed class L2Penalty : Penalty
{
    /// <summary>Creates the penalty λ·Σw².</summary>
    /// <param name="lambda">λ, finite and non-negative.</param>
    public L2Penalty(double lambda) : base(lambda) { }

    private protected override double Value(Tensor t)
    {
        double s = 0;
        if (t.DType == DType.Float32) foreach (float v in t.F) s += (double)v * v;
        else foreach (double v in t.D) s += v * v;
        return s;
    }

    private protected override Tensor Gradient(Tensor t, double scale)
    {
        var d = Tensor.Zeros(t.Shape.ToArray(), t.DType);
        double a = 2 * scale;
        if (t.DType == DType.Float32)
        {
            var x = t.F; var o = d.F; float af = (float)a;
            for (int i = 0; i < x.Length; i++) o[i] = af * x[i];
        }
        else
        {
            var x = t.D; var o = d.D;
            for (int i = 0; i < x.Length; i++) o[i] = a * x[i];
        }
        return d;
    }
}
