using System.Numerics;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

// The backward operation structs of Elementwise: (u, dy, acc) → acc + g(u)·dy, written once for float and double.

/// <summary>acc + u·dy.</summary>
internal readonly struct MulAccOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T u, T dy, T acc) => T.FusedMultiplyAdd(u, dy, acc);
    public Vector128<T> Invoke(Vector128<T> u, Vector128<T> dy, Vector128<T> acc) => VectorMath.MulAdd(u, dy, acc);
    public Vector256<T> Invoke(Vector256<T> u, Vector256<T> dy, Vector256<T> acc) => VectorMath.MulAdd(u, dy, acc);
}

/// <summary>acc + dy/u.</summary>
internal readonly struct DivAccOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T u, T dy, T acc) => acc + dy / u;
    public Vector128<T> Invoke(Vector128<T> u, Vector128<T> dy, Vector128<T> acc) => acc + dy / u;
    public Vector256<T> Invoke(Vector256<T> u, Vector256<T> dy, Vector256<T> acc) => acc + dy / u;
}

/// <summary>(a, b, dy, acc) → acc − dy·a/b².</summary>
internal readonly struct DivDenominatorGradOp<T> : IQuaternaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T a, T b, T dy, T acc) => acc - dy * a / (b * b);
    public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b, Vector128<T> dy, Vector128<T> acc) => acc - dy * a / (b * b);
    public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b, Vector256<T> dy, Vector256<T> acc) => acc - dy * a / (b * b);
}

/// <summary>acc + (a + b), for summing a matrix's rows two at a time.</summary>
internal readonly struct PairAccOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T a, T b, T acc) => acc + (a + b);
    public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b, Vector128<T> acc) => acc + (a + b);
    public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b, Vector256<T> acc) => acc + (a + b);
}

/// <summary>acc + sign(x)·dy with sign(0) = 0.</summary>
internal readonly struct AbsGradOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T dy, T acc) => x > T.Zero ? acc + dy : x < T.Zero ? acc - dy : acc;
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy, Vector128<T> acc)
        => acc + (dy & Vector128.GreaterThan(x, Vector128<T>.Zero)) - (dy & Vector128.LessThan(x, Vector128<T>.Zero));
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy, Vector256<T> acc)
        => acc + (dy & Vector256.GreaterThan(x, Vector256<T>.Zero)) - (dy & Vector256.LessThan(x, Vector256<T>.Zero));
}

/// <summary>acc + 2x·dy.</summary>
internal readonly struct SquareGradOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T dy, T acc) => T.FusedMultiplyAdd(x + x, dy, acc);
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy, Vector128<T> acc) => VectorMath.MulAdd(x + x, dy, acc);
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy, Vector256<T> acc) => VectorMath.MulAdd(x + x, dy, acc);
}

/// <summary>acc + dy/(2y).</summary>
internal readonly struct SqrtGradOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T y, T dy, T acc) => acc + dy / (y + y);
    public Vector128<T> Invoke(Vector128<T> y, Vector128<T> dy, Vector128<T> acc) => acc + dy / (y + y);
    public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy, Vector256<T> acc) => acc + dy / (y + y);
}

/// <summary>acc + p·x^k·dy with k = p − 1 an integer.</summary>
internal readonly struct PowIntGradOp<T>(int k, T p) : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T dy, T acc) => T.FusedMultiplyAdd(p * VectorMath.PowInt(x, k), dy, acc);
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy, Vector128<T> acc)
        => VectorMath.MulAdd(Vector128.Create(p) * VectorMath.PowInt(x, k), dy, acc);
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy, Vector256<T> acc)
        => VectorMath.MulAdd(Vector256.Create(p) * VectorMath.PowInt(x, k), dy, acc);
}

/// <summary>acc + p·x^(p−1)·dy for any p, the factor lane by lane through double Math.Pow.</summary>
internal readonly struct PowGradOp<T>(T p) : ITernaryOp<T>, IScalarFunction<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The factor p·x^(p−1).</summary>
    public T Invoke(T x)
    {
        double pd = double.CreateTruncating(p);
        return T.CreateTruncating(pd * Math.Pow(double.CreateTruncating(x), pd - 1));
    }

    public T Invoke(T x, T dy, T acc) => acc + Invoke(x) * dy;
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy, Vector128<T> acc) => acc + Lanes.Map(this, x) * dy;
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy, Vector256<T> acc) => acc + Lanes.Map(this, x) * dy;
}

/// <summary>(self, other, dy, acc) → acc + dy where self wins (greater for max, smaller for min), + dy/2 on a tie.</summary>
internal readonly struct SelectGradOp<T>(bool max) : IQuaternaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T self, T other, T dy, T acc)
    {
        if (self == other) return acc + dy * T.CreateTruncating(0.5);
        return (max ? self > other : self < other) ? acc + dy : acc;
    }

    public Vector128<T> Invoke(Vector128<T> self, Vector128<T> other, Vector128<T> dy, Vector128<T> acc)
    {
        Vector128<T> wins = max ? Vector128.GreaterThan(self, other) : Vector128.LessThan(self, other);
        Vector128<T> half = dy * Vector128.Create(T.CreateTruncating(0.5));
        return acc + (dy & wins) + (half & Vector128.Equals(self, other));
    }

    public Vector256<T> Invoke(Vector256<T> self, Vector256<T> other, Vector256<T> dy, Vector256<T> acc)
    {
        Vector256<T> wins = max ? Vector256.GreaterThan(self, other) : Vector256.LessThan(self, other);
        Vector256<T> half = dy * Vector256.Create(T.CreateTruncating(0.5));
        return acc + (dy & wins) + (half & Vector256.Equals(self, other));
    }
}

/// <summary>acc + dy where lo ≤ x ≤ hi.</summary>
internal readonly struct ClampGradOp<T>(T lo, T hi) : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T dy, T acc) => x >= lo && x <= hi ? acc + dy : acc;
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy, Vector128<T> acc)
        => acc + (dy & Vector128.GreaterThanOrEqual(x, Vector128.Create(lo)) & Vector128.LessThanOrEqual(x, Vector128.Create(hi)));
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy, Vector256<T> acc)
        => acc + (dy & Vector256.GreaterThanOrEqual(x, Vector256.Create(lo)) & Vector256.LessThanOrEqual(x, Vector256.Create(hi)));
}
