using System.Numerics;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// The engine of the elementwise losses: for predictions and targets of shape [N, ...] (M elements per sample)
/// lₙ = (1/M)·Σⱼ f(pₙⱼ, tₙⱼ) (or the plain sum), then the reduction; forward and backward are one recorded
/// node, evaluated in double whatever the element type.
/// </summary>
internal static class PointwiseLoss
{
    /// <param name="op">The element loss.</param>
    /// <param name="name">The loss's name (node name and error messages).</param>
    /// <param name="prediction">Predictions [N, ...].</param>
    /// <param name="target">Targets, same shape (already checked and converted by <see cref="LossChecks.SameShape"/>).</param>
    /// <param name="reduction">The reduction over samples.</param>
    /// <param name="sumOverSample">True to sum over a sample's elements, false to average.</param>
    /// <param name="targetDifferentiable">Whether gradients flow to the target.</param>
    public static Tensor Apply<TOp>(TOp op, string name, Tensor prediction, Tensor target, Reduction reduction, bool sumOverSample, bool targetDifferentiable)
        where TOp : struct, IPointwiseLoss
    {
        int n = prediction.Shape.Dims[0];
        int m = prediction.Numel / n;
        var perSample = new double[n];
        DTypeDispatch.Run(prediction.DType, new ValuesAction<TOp>(op, prediction, target, perSample, m));

        double scale = sumOverSample ? 1.0 : 1.0 / m;
        Tensor y;
        if (reduction == Reduction.None)
        {
            y = Tensor.Zeros([n], prediction.DType);
            for (int i = 0; i < n; i++) y.SetFlat(i, perSample[i] * scale);
        }
        else
        {
            double s = 0;
            foreach (double v in perSample) s += v;
            s *= scale;
            if (reduction == Reduction.Mean) { s /= n; scale /= n; }
            y = Tensor.Scalar(s, prediction.DType);
        }

        var p = prediction;
        var t = target;
        Tensor[] inputs = targetDifferentiable ? [p, t] : [p];
        return y.Record(name, inputs, g =>
        {
            // coefficient of sample n: ∂(result)/∂lₙ-element, times the incoming gradient
            var coef = new double[n];
            for (int i = 0; i < n; i++) coef[i] = scale * (reduction == Reduction.None ? g.GetFlat(i) : g.GetFlat(0));
            if (p.RequiresGrad) p.AccumulateGrad(Grad(op, p, t, coef, m, wrtPrediction: true));
            if (targetDifferentiable && t.RequiresGrad) t.AccumulateGrad(Grad(op, p, t, coef, m, wrtPrediction: false));
        });
    }

    private static Tensor Grad<TOp>(TOp op, Tensor p, Tensor t, double[] coef, int m, bool wrtPrediction) where TOp : struct, IPointwiseLoss
    {
        var d = Tensor.Zeros(p.Shape.ToArray(), p.DType);
        DTypeDispatch.Run(p.DType, new GradsAction<TOp>(op, p, t, d, coef, m, wrtPrediction));
        return d;
    }

    private readonly struct ValuesAction<TOp>(TOp op, Tensor p, Tensor t, double[] perSample, int m) : IDTypeAction where TOp : struct, IPointwiseLoss
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var o = op;
            Values<T, TOp>(ref o, p.AsSpan<T>(), t.AsSpan<T>(), perSample, m);
        }
    }

    private readonly struct GradsAction<TOp>(TOp op, Tensor p, Tensor t, Tensor d, double[] coef, int m, bool wrtPrediction) : IDTypeAction where TOp : struct, IPointwiseLoss
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            var o = op;
            Grads<T, TOp>(ref o, p.AsSpan<T>(), t.AsSpan<T>(), d.AsSpan<T>(), coef, m, wrtPrediction);
        }
    }

    // p, t: (N,M) -> perSample: (N), the sum over each row of f(p, t)
    private static void Values<T, TOp>(ref TOp op, ReadOnlySpan<T> p, ReadOnlySpan<T> t, Span<double> perSample, int m)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IPointwiseLoss
    {
        for (int i = 0, k = 0; i < perSample.Length; i++)
        {
            double s = 0;
            for (int j = 0; j < m; j++, k++) s += op.Value(double.CreateTruncating(p[k]), double.CreateTruncating(t[k]));
            perSample[i] = s;
        }
    }

    // p, t, d: (N,M); d = coef[n] · ∂f/∂p (or ∂f/∂t)
    private static void Grads<T, TOp>(ref TOp op, ReadOnlySpan<T> p, ReadOnlySpan<T> t, Span<T> d, double[] coef, int m, bool wrtPrediction)
        where T : unmanaged, IFloatingPointIeee754<T> where TOp : struct, IPointwiseLoss
    {
        for (int i = 0, k = 0; i < coef.Length; i++)
        {
            double c = coef[i];
            for (int j = 0; j < m; j++, k++)
            {
                double pk = double.CreateTruncating(p[k]), tk = double.CreateTruncating(t[k]);
                d[k] = T.CreateTruncating(c * (wrtPrediction ? op.DPrediction(pk, tk) : op.DTarget(pk, tk)));
            }
        }
    }
}
