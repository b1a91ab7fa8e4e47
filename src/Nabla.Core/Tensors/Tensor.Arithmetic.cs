namespace Nabla.Tensors;

// Broadcasting binary operations. Each forward is followed by its backward; broadcasting is undone in
// backward by summing the gradient back to each input's shape (SumToShape).
public sealed partial class Tensor
{
    internal static Tensor BinaryForward<TOp>(Tensor a, Tensor b, string op) where TOp : struct, IBinaryOp
    {
        a.CheckSameDType(b, op);
        var shape = a.Shape == b.Shape ? a.Shape : Shape.Broadcast(a.Shape, b.Shape, op);
        var r = Empty(shape, a.DType);
        if (a.DType == DType.Float32) Broadcasting.Apply<TOp, float>(a.F, a.Shape, b.F, b.Shape, r.F, shape);
        else Broadcasting.Apply<TOp, double>(a.D, a.Shape, b.D, b.Shape, r.D, shape);
        return r;
    }

    /// <summary>Elementwise a + b with broadcasting. Add gate: the gradient is distributed unchanged to both inputs.</summary>
    public static Tensor operator +(Tensor a, Tensor b)
    {
        var y = BinaryForward<AddOp>(a, b, "add");
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
        var y = BinaryForward<SubOp>(a, b, "sub");
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
        var y = BinaryForward<MulOp>(a, b, "mul");
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
        var y = BinaryForward<DivOp>(a, b, "div");
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
        var y = BinaryForward<MaxOp>(a, b, "maximum");
        if (Recording(a, b))
            y.Record("maximum", [a, b], g =>
            {
                var aWins = BinaryForward<GreaterEqualOp>(a, b, "maximum");
                if (a.RequiresGrad) a.AccumulateGrad((g * aWins).SumToShape(a.Shape));
                if (b.RequiresGrad) b.AccumulateGrad((g * (1.0 - aWins)).SumToShape(b.Shape));
            });
        return y;
    }

    /// <summary>Elementwise minimum with broadcasting; the gradient goes to the smaller input (to <c>this</c> on a tie).</summary>
    public Tensor Minimum(Tensor b)
    {
        var a = this;
        var y = BinaryForward<MinOp>(a, b, "minimum");
        if (Recording(a, b))
            y.Record("minimum", [a, b], g =>
            {
                var aWins = BinaryForward<LessEqualOp>(a, b, "minimum");
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
        var y = BinaryForward<PowOp>(a, b, "pow");
        if (Recording(a, b))
            y.Record("pow", [a, b], g =>
            {
                if (a.RequiresGrad) a.AccumulateGrad((g * b * BinaryForward<PowOp>(a, b - 1.0, "pow")).SumToShape(a.Shape));
                if (b.RequiresGrad) b.AccumulateGrad((g * y * a.Log()).SumToShape(b.Shape));
            });
        return y;
    }

    /// <summary>Elementwise a^p for a scalar exponent: d/da = p · a^(p−1).</summary>
    public Tensor Pow(double p)
    {
        var a = this;
        var y = BinaryForward<PowOp>(a, ScalarLike(p, a), "pow");
        if (Recording(a))
            y.Record("pow", [a], g => a.AccumulateGrad(g * p * BinaryForward<PowOp>(a, ScalarLike(p - 1, a), "pow")));
        return y;
    }

    /// <summary>1 where a &gt; b, else 0 (broadcasting; not differentiable).</summary>
    public Tensor Greater(Tensor b) => BinaryForward<GreaterOp>(this, b, "greater");
    /// <summary>1 where a ≥ b, else 0.</summary>
    public Tensor GreaterEqual(Tensor b) => BinaryForward<GreaterEqualOp>(this, b, "greater_equal");
    /// <summary>1 where a &lt; b, else 0.</summary>
    public Tensor Less(Tensor b) => BinaryForward<LessOp>(this, b, "less");
    /// <summary>1 where a ≤ b, else 0.</summary>
    public Tensor LessEqual(Tensor b) => BinaryForward<LessEqualOp>(this, b, "less_equal");
    /// <summary>1 where a = b, else 0.</summary>
    public Tensor Equal(Tensor b) => BinaryForward<EqualOp>(this, b, "equal");
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
        var c = BinaryForward<AddOp>(zeros, condition.DType == a.DType ? condition : condition.ToDType(a.DType), "where");
        var mask = BinaryForward<EqualOp>(c, ScalarLike(0, c), "where");      // 1 where the condition is zero
        var ea = BinaryForward<AddOp>(zeros, a, "where");
        var eb = BinaryForward<AddOp>(zeros, b, "where");
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
        if (DType == DType.Float32 && other.DType == DType.Float32)
            Broadcasting.Apply<AddOp, float>(F, Shape, other.F, Shape, F, Shape);
        else if (DType == DType.Float64 && other.DType == DType.Float64)
            Broadcasting.Apply<AddOp, double>(D, Shape, other.D, Shape, D, Shape);
        else for (int i = 0; i < Numel; i++) SetFlat(i, GetFlat(i) + other.GetFlat(i));
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
