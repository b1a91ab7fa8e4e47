using System.Numerics;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

// The operation structs of Activations, each written once for float and double. Scalar code evaluates the smooth
// functions in double precision and rounds once (the float scalar level and the double kernels); the float vector
// code uses VectorMath's polynomials (sigmoid and tanh within 2.5 ulp).

internal readonly struct ReLUOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => T.Max(x, T.Zero);
    public Vector128<T> Invoke(Vector128<T> x) => Vector128.Max(x, Vector128<T>.Zero);
    public Vector256<T> Invoke(Vector256<T> x) => Vector256.Max(x, Vector256<T>.Zero);
}

/// <summary>acc + (x &gt; 0 ? dy : 0).</summary>
internal readonly struct ReLUGradOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T dy, T acc) => x > T.Zero ? acc + dy : acc;
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy, Vector128<T> acc) => acc + (dy & Vector128.GreaterThan(x, Vector128<T>.Zero));
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy, Vector256<T> acc) => acc + (dy & Vector256.GreaterThan(x, Vector256<T>.Zero));
}

/// <summary>(x, dy) → x &gt; 0 ? dy : 0.</summary>
internal readonly struct ReLUMaskOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T dy) => x > T.Zero ? dy : T.Zero;
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy) => dy & Vector128.GreaterThan(x, Vector128<T>.Zero);
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy) => dy & Vector256.GreaterThan(x, Vector256<T>.Zero);
}

internal readonly struct LeakyReLUOp<T>(T alpha) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => x > T.Zero ? x : alpha * x;
    public Vector128<T> Invoke(Vector128<T> x) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), x, x * Vector128.Create(alpha));
    public Vector256<T> Invoke(Vector256<T> x) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), x, x * Vector256.Create(alpha));
}

internal readonly struct LeakyReLUGradOp<T>(T alpha) : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T dy, T acc) => acc + (x > T.Zero ? dy : alpha * dy);
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy, Vector128<T> acc)
        => acc + Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), dy, dy * Vector128.Create(alpha));
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy, Vector256<T> acc)
        => acc + Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), dy, dy * Vector256.Create(alpha));
}

/// <summary>x for x &gt; 0, alpha·(eˣ − 1) otherwise.</summary>
internal readonly struct ELUOp<T>(T alpha) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => x > T.Zero ? x : alpha * VectorMath.ExpM1(x);
    public Vector128<T> Invoke(Vector128<T> x)
        => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), x, Vector128.Create(alpha) * VectorMath.ExpM1(x));
    public Vector256<T> Invoke(Vector256<T> x)
        => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), x, Vector256.Create(alpha) * VectorMath.ExpM1(x));
}

/// <summary>(y, dy, acc) → acc + (y &gt; 0 ? 1 : y + alpha)·dy.</summary>
internal readonly struct ELUGradOp<T>(T alpha) : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T y, T dy, T acc) => y > T.Zero ? acc + dy : T.FusedMultiplyAdd(y + alpha, dy, acc);
    public Vector128<T> Invoke(Vector128<T> y, Vector128<T> dy, Vector128<T> acc)
        => Vector128.ConditionalSelect(Vector128.GreaterThan(y, Vector128<T>.Zero), acc + dy, VectorMath.MulAdd(y + Vector128.Create(alpha), dy, acc));
    public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy, Vector256<T> acc)
        => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<T>.Zero), acc + dy, VectorMath.MulAdd(y + Vector256.Create(alpha), dy, acc));
}

internal readonly struct SigmoidOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => VectorMath.Sigmoid(x);
    public Vector128<T> Invoke(Vector128<T> x) => VectorMath.Sigmoid(x);
    public Vector256<T> Invoke(Vector256<T> x) => VectorMath.Sigmoid(x);
}

/// <summary>(y, dy, acc) → acc + y·(1 − y)·dy.</summary>
internal readonly struct SigmoidGradOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T y, T dy, T acc) => T.FusedMultiplyAdd(y * (T.One - y), dy, acc);
    public Vector128<T> Invoke(Vector128<T> y, Vector128<T> dy, Vector128<T> acc) => VectorMath.MulAdd(y * (Vector128<T>.One - y), dy, acc);
    public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy, Vector256<T> acc) => VectorMath.MulAdd(y * (Vector256<T>.One - y), dy, acc);
}

internal readonly struct TanhOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => T.Tanh(x);
    public Vector128<T> Invoke(Vector128<T> x) => VectorMath.Tanh(x);
    public Vector256<T> Invoke(Vector256<T> x) => VectorMath.Tanh(x);
}

/// <summary>(y, dy, acc) → acc + (1 − y²)·dy.</summary>
internal readonly struct TanhGradOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T y, T dy, T acc) => T.FusedMultiplyAdd(T.One - y * y, dy, acc);
    public Vector128<T> Invoke(Vector128<T> y, Vector128<T> dy, Vector128<T> acc) => VectorMath.MulAdd(Vector128<T>.One - y * y, dy, acc);
    public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy, Vector256<T> acc) => VectorMath.MulAdd(Vector256<T>.One - y * y, dy, acc);
}

/// <summary>GELU, tanh form, as x·σ(2u) with 2u = x·(c₁ + c₃x²), c₁ = 2√(2/π), c₃ = c₁·0.044715.</summary>
internal readonly struct GELUOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal const double SqrtTwoOverPi = 0.79788456080286535588;
    internal const double Cubic = 0.044715;
    // Properties of constants, which the JIT folds (static readonly fields would be loaded in the loops).
    internal static T C1 => T.CreateTruncating(2 * SqrtTwoOverPi);
    internal static T C3 => T.CreateTruncating(2 * SqrtTwoOverPi * Cubic);

    public T Invoke(T x)
    {
        double xd = double.CreateTruncating(x);
        return T.CreateTruncating(xd * VectorMath.Sigmoid(2 * SqrtTwoOverPi * (xd + Cubic * xd * xd * xd)));
    }

    public Vector128<T> Invoke(Vector128<T> x) => x * VectorMath.Sigmoid(x * VectorMath.MulAdd(x * x, Vector128.Create(C3), Vector128.Create(C1)));
    public Vector256<T> Invoke(Vector256<T> x) => x * VectorMath.Sigmoid(x * VectorMath.MulAdd(x * x, Vector256.Create(C3), Vector256.Create(C1)));
}

/// <summary>GELU (tanh form) backward from x: with s = σ(2u), acc + (s + x·s·(1 − s)·2u′)·dy, 2u′ = c₁ + 3c₃x².</summary>
internal readonly struct GELUGradOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double SqrtTwoOverPi = GELUOp<double>.SqrtTwoOverPi, Cubic = GELUOp<double>.Cubic;
    private static T C1 => GELUOp<T>.C1;
    private static T C3 => GELUOp<T>.C3;
    private static T C33 => T.CreateTruncating(2 * SqrtTwoOverPi * 3 * Cubic);
    private static T Limit => T.CreateTruncating(20);

    public T Invoke(T x, T dy, T acc) => T.CreateTruncating(double.CreateTruncating(acc) + Derivative(double.CreateTruncating(x)) * double.CreateTruncating(dy));

    private static double Derivative(double x)
    {
        double s = VectorMath.Sigmoid(2 * SqrtTwoOverPi * (x + Cubic * x * x * x));
        double xt = Math.Clamp(x, -20, 20); // beyond ±20 the second term is below 1e-300; clamping avoids 0·inf
        return s + xt * s * (1 - s) * 2 * SqrtTwoOverPi * (1 + 3 * Cubic * xt * xt);
    }

    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy, Vector128<T> acc)
    {
        Vector128<T> s = VectorMath.Sigmoid(x * VectorMath.MulAdd(x * x, Vector128.Create(C3), Vector128.Create(C1)));
        Vector128<T> xt = Vector128.Clamp(x, Vector128.Create(-Limit), Vector128.Create(Limit));
        Vector128<T> du2 = VectorMath.MulAdd(xt * xt, Vector128.Create(C33), Vector128.Create(C1));
        return VectorMath.MulAdd(VectorMath.MulAdd(xt * s * (Vector128<T>.One - s), du2, s), dy, acc);
    }

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy, Vector256<T> acc)
    {
        Vector256<T> s = VectorMath.Sigmoid(x * VectorMath.MulAdd(x * x, Vector256.Create(C3), Vector256.Create(C1)));
        Vector256<T> xt = Vector256.Clamp(x, Vector256.Create(-Limit), Vector256.Create(Limit));
        Vector256<T> du2 = VectorMath.MulAdd(xt * xt, Vector256.Create(C33), Vector256.Create(C1));
        return VectorMath.MulAdd(VectorMath.MulAdd(xt * s * (Vector256<T>.One - s), du2, s), dy, acc);
    }
}

/// <summary>SiLU: x·σ(x).</summary>
internal readonly struct SiLUOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x)
    {
        double xd = double.CreateTruncating(x);
        return T.CreateTruncating(xd * VectorMath.Sigmoid(xd));
    }

    public Vector128<T> Invoke(Vector128<T> x) => x * VectorMath.Sigmoid(x);
    public Vector256<T> Invoke(Vector256<T> x) => x * VectorMath.Sigmoid(x);
}

/// <summary>SiLU backward from x: with s = σ(x), acc + s·(1 + x·(1 − s))·dy.</summary>
internal readonly struct SiLUGradOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T dy, T acc)
    {
        double xd = double.CreateTruncating(x), s = VectorMath.Sigmoid(xd);
        return T.CreateTruncating(double.CreateTruncating(acc) + s * (1 + xd * (1 - s)) * double.CreateTruncating(dy));
    }

    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy, Vector128<T> acc)
    {
        Vector128<T> s = VectorMath.Sigmoid(x);
        return VectorMath.MulAdd(s * VectorMath.MulAdd(x, Vector128<T>.One - s, Vector128<T>.One), dy, acc);
    }

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy, Vector256<T> acc)
    {
        Vector256<T> s = VectorMath.Sigmoid(x);
        return VectorMath.MulAdd(s * VectorMath.MulAdd(x, Vector256<T>.One - s, Vector256<T>.One), dy, acc);
    }
}

/// <summary>Softplus: max(x, 0) + ln(1 + e^−|x|).</summary>
internal readonly struct SoftplusOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x)
    {
        double xd = double.CreateTruncating(x);
        return T.CreateTruncating(Math.Max(xd, 0) + VectorMath.Log1P(Math.Exp(-Math.Abs(xd))));
    }

    public Vector128<T> Invoke(Vector128<T> x) => Vector128.Max(x, Vector128<T>.Zero) + VectorMath.Log1P(VectorMath.Exp(-Vector128.Abs(x)));
    public Vector256<T> Invoke(Vector256<T> x) => Vector256.Max(x, Vector256<T>.Zero) + VectorMath.Log1P(VectorMath.Exp(-Vector256.Abs(x)));
}

/// <summary>Softplus backward from x: acc + σ(x)·dy.</summary>
internal readonly struct SoftplusGradOp<T> : ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T dy, T acc) => T.FusedMultiplyAdd(VectorMath.Sigmoid(x), dy, acc);
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy, Vector128<T> acc) => VectorMath.MulAdd(VectorMath.Sigmoid(x), dy, acc);
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy, Vector256<T> acc) => VectorMath.MulAdd(VectorMath.Sigmoid(x), dy, acc);
}
