namespace Nabla.Tensors;

// Elementwise unary functions, each forward beside its backward.
public sealed partial class Tensor
{
    /// <summary>e^x. Backward: dy · y.</summary>
    public Tensor Exp()
    {
        var x = this;
        var y = UnaryMap.Apply<ExpOp>(x);
        if (Recording(x)) y.Record("exp", [x], g => x.AccumulateGrad(g * y));
        return y;
    }

    /// <summary>Natural logarithm. Backward: dy / x.</summary>
    public Tensor Log()
    {
        var x = this;
        var y = UnaryMap.Apply<LogOp>(x);
        if (Recording(x)) y.Record("log", [x], g => x.AccumulateGrad(g / x));
        return y;
    }

    /// <summary>Square root. Backward: dy / (2y).</summary>
    public Tensor Sqrt()
    {
        var x = this;
        var y = UnaryMap.Apply<SqrtOp>(x);
        if (Recording(x)) y.Record("sqrt", [x], g => x.AccumulateGrad(g / (y * 2.0)));
        return y;
    }

    /// <summary>Absolute value. Backward: dy · sign(x), with sign(0) = 0.</summary>
    public Tensor Abs()
    {
        var x = this;
        var y = UnaryMap.Apply<AbsOp>(x);
        if (Recording(x)) y.Record("abs", [x], g => x.AccumulateGrad(g * UnaryMap.Apply<SignOp>(x)));
        return y;
    }

    /// <summary>x² (same as Pow(2), cheaper).</summary>
    public Tensor Square() => this * this;

    /// <summary>
    /// Clamps every element to [<paramref name="min"/>, <paramref name="max"/>]. The gradient passes where the
    /// input lies inside the interval (bounds included) and is 0 where it was clipped.
    /// </summary>
    public Tensor Clamp(double min, double max)
    {
        if (min > max) throw new Errors.ValueException($"clamp: min {min} exceeds max {max}");
        var x = this;
        var y = EmptyLike(x);
        var inside = EmptyLike(x);
        for (int i = 0; i < x.Numel; i++)
        {
            double v = x.GetFlat(i);
            y.SetFlat(i, v < min ? min : v > max ? max : v);
            inside.SetFlat(i, v >= min && v <= max ? 1 : 0);
        }
        if (Recording(x)) y.Record("clamp", [x], g => x.AccumulateGrad(g * inside));
        return y;
    }
}
