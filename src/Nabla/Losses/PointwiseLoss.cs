using System.Numerics;
using Nabla.Tensors;

namespace Nabla.Losses;

/// <summary>
/// The engine of the elementwise losses: for predictions and targets of shape [N, ...] (M elements per sample)
/// lₙ = (1/M)·Σⱼ f(pₙⱼ, tₙⱼ) (or the plain sum), then the reduction; forward and backward are one recorded
/// node, evaluated in double whatever the element type. PyTorch's reductions (<see cref="Reduction.SumAll"/>,
/// <see cref="Reduction.MeanAll"/>, <see cref="Reduction.PerElement"/>) work on the f(pₙⱼ, tₙⱼ) themselves.
/// </summary>
internal static class PointwiseLoss
{
    /// <param name="op">The element loss.</param>
    /// <param name="name">The loss's name (node name and error messages).</param>
    /// <param name="prediction">Predictions [N, ...].</param>
    /// <param name="target">Targets, same shape (already checked and converted by <see cref="LossChecks.SameShape"/>).</param>
    /// <param name="reduction">The reduction.</param>
    /// <param name="sumOverSample">True to sum over a sample's elements, false to average (per-sample reductions only).</param>
    /// <param name="targetDifferentiable">Whether gradients flow to the target.</param>
    public static Tensor Apply<TOp>(TOp op, string name, Tensor prediction, Tensor target, Reduction reduction, bool sumOverSample, bool targetDifferentiable)
        where TOp : struct, IPointwiseLoss
    {
        int n = prediction.Shape.Dims[0];
        int m = prediction.Numel / n;
        // PyTorch's reductions see every element as a sample of its own: rows of one element, no averaging within
        bool elementwise = reduction is Reduction.SumAll or Reduction.MeanAll or Reduction.PerElement;
        int rows = elementwise ? prediction.Numel : n, width = elementwise ? 1 : m;
        var perRow = new double[rows];
        DTypeDispatch.Run(prediction.DType, new ValuesAction<TOp>(op, prediction, target, perRow, width));

        // the result is Σ (or each) of perRow[i]·scale; mean reductions divide by the row count too
        double scale = sumOverSample || elementwise ? 1.0 : 1.0 / m;
        Tensor y;
        if (reduction is Reduction.None or Reduction.PerElement)
        {
            y = reduction == Reduction.None ? Tensor.Zeros([n], prediction.DType) : Tensor.Zeros(prediction.Shape.ToArray(), prediction.DType);
            for (int i = 0; i < rows; i++) y.SetFlat(i, perRow[i] * scale);
        }
        else
        {
            double s = 0;
            foreach (double v in perRow) s += v;
            if (reduction is Reduction.Mean or Reduction.MeanAll) scale /= rows;
            y = Tensor.Scalar(s * scale, prediction.DType);
        }

        var p = prediction;
        var t = target;
        Tensor[] inputs = targetDifferentiable ? [p, t] : [p];
        bool each = reduction is Reduction.None or Reduction.PerElement;
        return y.Record(name, inputs, g =>
        {
            // coefficient of row i: ∂(result)/∂(the row's f-sum), times the incoming gradient
            var coef = new double[rows];
            for (int i = 0; i < rows; i++) coef[i] = scale * (each ? g.GetFlat(i) : g.GetFlat(0));
            if (p.RequiresGrad) p.AccumulateGrad(Grad(op, p, t, coef, width, wrtPrediction: true));
            if (targetDifferentiable && t.RequiresGrad) t.AccumulateGrad(Grad(op, p, t, coef, width, wrtPrediction: false));
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
            for (int j = 0; j < m; j++, k++) s += op.Value(double.CreateTruncating(p[k]), double.CreateTruncating(t[k]), k);
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
                d[k] = T.CreateTruncating(c * (wrtPrediction ? op.DPrediction(pk, tk, k) : op.DTarget(pk, tk, k)));
            }
        }
    }
}
