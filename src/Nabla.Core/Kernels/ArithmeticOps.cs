using System.Numerics;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

// The forward operation structs of Elementwise (and of the tensor operators, through Broadcasting), each written once
// for float and double at every width.

internal readonly struct AddOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T a, T b) => a + b;
    public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b) => a + b;
    public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => a + b;
}

internal readonly struct SubOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T a, T b) => a - b;
    public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b) => a - b;
    public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => a - b;
}

internal readonly struct MulOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T a, T b) => a * b;
    public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b) => a * b;
    public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => a * b;
}

internal readonly struct DivOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T a, T b) => a / b;
    public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b) => a / b;
    public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => a / b;
}

/// <summary>IEEE maximum: NaN if either is NaN.</summary>
internal readonly struct MaxOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T a, T b) => T.Max(a, b);
    public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b) => Vector128.Max(a, b);
    public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => Vector256.Max(a, b);
}

/// <summary>IEEE minimum: NaN if either is NaN.</summary>
internal readonly struct MinOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T a, T b) => T.Min(a, b);
    public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b) => Vector128.Min(a, b);
    public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => Vector256.Min(a, b);
}

/// <summary>(x, y) → alpha·x + y.</summary>
internal readonly struct AxpyOp<T>(T alpha) : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T y) => T.FusedMultiplyAdd(alpha, x, y);
    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => VectorMath.MulAdd(Vector128.Create(alpha), x, y);
    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => VectorMath.MulAdd(Vector256.Create(alpha), x, y);
}

internal readonly struct AddScalarOp<T>(T c) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => x + c;
    public Vector128<T> Invoke(Vector128<T> x) => x + Vector128.Create(c);
    public Vector256<T> Invoke(Vector256<T> x) => x + Vector256.Create(c);
}

internal readonly struct MulScalarOp<T>(T c) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => x * c;
    public Vector128<T> Invoke(Vector128<T> x) => x * Vector128.Create(c);
    public Vector256<T> Invoke(Vector256<T> x) => x * Vector256.Create(c);
}

internal readonly struct NegOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => -x;
    public Vector128<T> Invoke(Vector128<T> x) => -x;
    public Vector256<T> Invoke(Vector256<T> x) => -x;
}

internal readonly struct AbsOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => T.Abs(x);
    public Vector128<T> Invoke(Vector128<T> x) => Vector128.Abs(x);
    public Vector256<T> Invoke(Vector256<T> x) => Vector256.Abs(x);
}

internal readonly struct SqrtOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => T.Sqrt(x);
    public Vector128<T> Invoke(Vector128<T> x) => Vector128.Sqrt(x);
    public Vector256<T> Invoke(Vector256<T> x) => Vector256.Sqrt(x);
}

/// <summary>min(max(x, lo), hi).</summary>
internal readonly struct ClampOp<T>(T lo, T hi) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => T.Min(T.Max(x, lo), hi);
    public Vector128<T> Invoke(Vector128<T> x) => Vector128.Min(Vector128.Max(x, Vector128.Create(lo)), Vector128.Create(hi));
    public Vector256<T> Invoke(Vector256<T> x) => Vector256.Min(Vector256.Max(x, Vector256.Create(lo)), Vector256.Create(hi));
}

/// <summary>e^x: vectorised within 1 ulp for float (MathF.Exp on the scalar level), System.Math for double.</summary>
internal readonly struct ExpOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => VectorMath.Exp(x);
    public Vector128<T> Invoke(Vector128<T> x) => VectorMath.Exp(x);
    public Vector256<T> Invoke(Vector256<T> x) => VectorMath.Exp(x);
}

/// <summary>ln x: vectorised within 1 ulp for float (MathF.Log on the scalar level), System.Math for double.</summary>
internal readonly struct LogOp<T> : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => T.Log(x);
    public Vector128<T> Invoke(Vector128<T> x) => VectorMath.Log(x);
    public Vector256<T> Invoke(Vector256<T> x) => VectorMath.Log(x);
}

/// <summary>x^p for an integer p, by binary powering in double precision.</summary>
internal readonly struct PowIntOp<T>(int p) : IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => VectorMath.PowInt(x, p);
    public Vector128<T> Invoke(Vector128<T> x) => VectorMath.PowInt(x, p);
    public Vector256<T> Invoke(Vector256<T> x) => VectorMath.PowInt(x, p);
}

/// <summary>x^p for any p, lane by lane through double Math.Pow (so float's only error is the final rounding).</summary>
internal readonly struct PowOp<T>(T p) : IUnaryOp<T>, IScalarFunction<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => T.CreateTruncating(Math.Pow(double.CreateTruncating(x), double.CreateTruncating(p)));
    public Vector128<T> Invoke(Vector128<T> x) => Lanes.Map(this, x);
    public Vector256<T> Invoke(Vector256<T> x) => Lanes.Map(this, x);
}
