namespace Nabla.Tensors;

// Broadcasting binary operations. Each forward is followed by its backward; broadcasting is undone in
// backward by summing the gradient back to each input's shape (SumToShape).
public sealed partial class Tensor
{
    internal static Tensor BinaryForward(Tensor a, Tensor b, BinaryOp kind, string op)
    {
        a.CheckSameDType(b, op);
        var shape = a.Shape == b.Shape ? a.Shape : Shape.Broadcast(a.Shape, b.Shape, op);
        var r = Uninitialized(shape, a.DType); // every element is written
        DTypeDispatch.Run(a.DType, new BroadcastAction(kind, a, b, r));
        return r;
    }

    private readonly struct BroadcastAction(BinaryOp kind, Tensor a, Tensor b, Tensor r) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
            => Broadcasting.Apply(kind, a.AsSpan<T>(), a.Shape, b.AsSpan<T>(), b.Shape, r.AsSpan<T>(), r.Shape);
    }

    /// <summary>Elementwise a + b with broadcasting. Add gate: the gradient is distributed unchanged to both inputs.</summary>
    public static Tensor operator +(Tensor a, Tensor b)
    {
        var y = BinaryForward(a, b, BinaryOp.Add, "add");
        if (Recording(a, b))
            y.Record("add", [a, b], g =>
            {
                a.AccumulateGrad(g.SumToShape(a.Shape));
                b.AccumulateGrad(g.SumToShape(b.Shape));
            });
        return y;
    }

    /// <summary>Elementwise a − b with broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b)
    {
        var y = BinaryForward(a, b, BinaryOp.Sub, "sub");
        if (Recording(a, b))
            y.Record("sub", [a, b], g =>
            {
                a.AccumulateGrad(g.SumToShape(a.Shape));
                if (b.RequiresGrad) b.AccumulateGrad((-g).SumToShape(b.Shape));
            });
        return y;
    }

    /// <summary>Elementwise a · b with broadcasting. Mul gate: each input gets the gradient times the other input ("switcher").</summary>
    public static Tensor operator *(Tensor a, Tensor b)
    {
        var y = BinaryForward(a, b, BinaryOp.Mul, "mul");
        if (Recording(a, b))
            y.Record("mul", [a, b], g =>
            {
                if (a.RequiresGrad) a.AccumulateGrad((g * b).SumToShape(a.Shape));
                if (b.RequiresGrad) b.AccumulateGrad((g * a).SumToShape(b.Shape));
            });
        return y;
    }

    /// <summary>Elementwise a / b with broadcasting.</summary>
    public static Tensor operator /(Tensor a, Tensor b)
    {
        var y = BinaryForward(a, b, BinaryOp.Div, "div");
        if (Recording(a, b))
            y.Record("div", [a, b], g =>
            {
                if (a.RequiresGrad) a.AccumulateGrad((g / b).SumToShape(a.Shape));
                if (b.RequiresGrad) b.AccumulateGrad((-(g * y) / b).SumToShape(b.Shape));
            });
        return y;
    }

    /// <summary>Elementwise negation.</summary>
    public static Tensor operator -(Tensor a) => a * -1.0;

    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(Tensor a, double s) => a + ScalarLike(s, a);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(double s, Tensor a) => ScalarLike(s, a) + a;
    /// <summary>Subtracts a scalar.</summary>
    public static Tensor operator -(Tensor a, double s) => a - ScalarLike(s, a);
    /// <summary>Subtracts from a scalar.</summary>
    public static Tensor operator -(double s, Tensor a) => ScalarLike(s, a) - a;
    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(Tensor a, double s) => a * ScalarLike(s, a);
    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(double s, Tensor a) => ScalarLike(s, a) * a;
    /// <summary>Divides by a scalar.</summary>
    public static Tensor operator /(Tensor a, double s) => a / ScalarLike(s, a);
    /// <summary>Divides a scalar by each element.</summary>
    public static Tensor operator /(double s, Tensor a) => ScalarLike(s, a) / a;

    /// <summary>Elementwise a + b (same as the operator).</summary>
    public Tensor Add(Tensor b) => this + b;
    /// <summary>Elementwise a − b (same as the operator).</summary>
    public Tensor Sub(Tensor b) => this - b;
    /// <summary>Elementwise a · b (same as the operator).</summary>
    public Tensor Mul(Tensor b) => this * b;
    /// <summary>Elementwise a / b (same as the operator).</summary>
    public Tensor Div(Tensor b) => this / b;
    /// <summary>Elementwise negation (same as the operator).</summary>
    public Tensor Neg() => -this;

    /// <summary>
    /// Elementwise maximum with broadcasting. Max gate: the gradient is routed to the larger input only;
    /// on a tie it goes to <c>this</c> (the first argument), so exactly one input receives it.
    /// </summary>
    public Tensor Maximum(Tensor b)
    {
        var a = this;
        var y = BinaryForward(a, b, BinaryOp.Max, "maximum");
        if (Recording(a, b))
            y.Record("maximum", [a, b], g =>
            {
                var aWins = BinaryForward(a, b, BinaryOp.GreaterEqual, "maximum");
                if (a.RequiresGrad) a.AccumulateGrad((g * aWins).SumToShape(a.Shape));
                if (b.RequiresGrad) b.AccumulateGrad((g * (1.0 - aWins)).SumToShape(b.Shape));
            });
        return y;
    }

    /// <summary>Elementwise minimum with broadcasting; the gradient goes to the smaller input (to <c>this</c> on a tie).</summary>
    public Tensor Minimum(Tensor b)
    {
        var a = this;
        var y = BinaryForward(a, b, BinaryOp.Min, "minimum");
        if (Recording(a, b))
            y.Record("minimum", [a, b], g =>
            {
                var aWins = BinaryForward(a, b, BinaryOp.LessEqual, "minimum");
                if (a.RequiresGrad) a.AccumulateGrad((g * aWins).SumToShape(a.Shape));
                if (b.RequiresGrad) b.AccumulateGrad((g * (1.0 - aWins)).SumToShape(b.Shape));
            });
        return y;
    }

    /// <summary>Elementwise maximum with a scalar.</summary>
    public Tensor Maximum(double s) => Maximum(ScalarLike(s, this));

    /// <summary>Elementwise minimum with a scalar.</summary>
    public Tensor Minimum(double s) => Minimum(ScalarLike(s, this));

    /// <summary>Elementwise a^b with broadcasting (a &gt; 0 where b is differentiated: d/db = a^b · ln a).</summary>
    public Tensor Pow(Tensor b)
    {
        var a = this;
        var y = BinaryForward(a, b, BinaryOp.Pow, "pow");
        if (Recording(a, b))
            y.Record("pow", [a, b], g =>
            {
                if (a.RequiresGrad) a.AccumulateGrad((g * b * BinaryForward(a, b - 1.0, BinaryOp.Pow, "pow")).SumToShape(a.Shape));
                if (b.RequiresGrad) b.AccumulateGrad((g * y * a.Log()).SumToShape(b.Shape));
            });
        return y;
    }

    /// <summary>Elementwise a^p for a scalar exponent: d/da = p · a^(p−1).</summary>
    public Tensor Pow(double p)
    {
        var a = this;
        var y = BinaryForward(a, ScalarLike(p, a), BinaryOp.Pow, "pow");
        if (Recording(a))
            y.Record("pow", [a], g => a.AccumulateGrad(g * p * BinaryForward(a, ScalarLike(p - 1, a), BinaryOp.Pow, "pow")));
        return y;
    }

    /// <summary>1 where a &gt; b, else 0 (broadcasting; not differentiable).</summary>
    public Tensor Greater(Tensor b) => BinaryForward(this, b, BinaryOp.Greater, "greater");
    /// <summary>1 where a ≥ b, else 0.</summary>
    public Tensor GreaterEqual(Tensor b) => BinaryForward(this, b, BinaryOp.GreaterEqual, "greater_equal");
    /// <summary>1 where a &lt; b, else 0.</summary>
    public Tensor Less(Tensor b) => BinaryForward(this, b, BinaryOp.Less, "less");
    /// <summary>1 where a ≤ b, else 0.</summary>
    public Tensor LessEqual(Tensor b) => BinaryForward(this, b, BinaryOp.LessEqual, "less_equal");
    /// <summary>1 where a = b, else 0.</summary>
    public Tensor Equal(Tensor b) => BinaryForward(this, b, BinaryOp.Equal, "equal");
    /// <summary>1 where a &gt; s, else 0.</summary>
    public Tensor Greater(double s) => Greater(ScalarLike(s, this));
    /// <summary>1 where a &lt; s, else 0.</summary>
    public Tensor Less(double s) => Less(ScalarLike(s, this));

    /// <summary>
    /// Picks <paramref name="a"/> where <paramref name="condition"/> is non-zero and <paramref name="b"/> elsewhere
    /// (all three broadcast). The gradient goes to the picked side.
    /// </summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        a.CheckSameDType(b, "where");
        var shape = Shape.Broadcast(Shape.Broadcast(condition.Shape, a.Shape, "where"), b.Shape, "where");
        var zeros = Zeros(shape.ToArray(), a.DType);
        var c = BinaryForward(zeros, condition.DType == a.DType ? condition : condition.ToDType(a.DType), BinaryOp.Add, "where");
        var mask = BinaryForward(c, ScalarLike(0, c), BinaryOp.Equal, "where");      // 1 where the condition is zero
        var ea = BinaryForward(zeros, a, BinaryOp.Add, "where");
        var eb = BinaryForward(zeros, b, BinaryOp.Add, "where");
        var y = EmptyLike(zeros);
        for (int i = 0; i < y.Numel; i++) y.SetFlat(i, mask.GetFlat(i) == 0 ? ea.GetFlat(i) : eb.GetFlat(i));
        if (Recording(a, b))
            y.Record("where", [a, b], g =>
            {
                if (a.RequiresGrad) a.AccumulateGrad((g * (1.0 - mask)).SumToShape(a.Shape));
                if (b.RequiresGrad) b.AccumulateGrad((g * mask).SumToShape(b.Shape));
            });
        return y;
    }

    /// <summary>Adds <paramref name="other"/> (same shape) into this tensor in place; not recorded. Returns this.</summary>
    public Tensor AddInPlace(Tensor other)
    {
        if (other.Shape != Shape) throw new Errors.ShapeException($"AddInPlace: shape {other.Shape} differs from {Shape}{NameSuffix}");
        if (other.DType != DType) other = other.Detach().ToDType(DType);
        DTypeDispatch.Run(DType, new BroadcastAction(BinaryOp.Add, this, other, this));
        return this;
    }

    /// <summary>Sums a (broadcast) gradient back to <paramref name="shape"/>: over leading axes it lacks and axes where it has size 1.</summary>
    internal Tensor SumToShape(Shape shape)
    {
        if (Shape == shape) return this;
        int lead = Rank - shape.Rank;
        var axes = new List<int>();
        for (int i = 0; i < Rank; i++)
            if (i < lead || (shape.Dims[i - lead] == 1 && Shape.Dims[i] != 1)) axes.Add(i);
        return Sum(axes.ToArray(), keepDim: true).Reshape(shape.ToArray());
    }

    internal static Tensor ScalarLike(double value, Tensor like) => Full(Shape.Wrap([]), value, like.DType);
}
