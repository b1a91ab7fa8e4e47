using System.Numerics;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

// Comparisons giving 1 where they hold and 0 elsewhere (NaN compares false), and the elementwise power with a tensor
// exponent: the operation structs of the tensor operators that have no span kernel of their own.

internal readonly struct GreaterOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T a, T b) => a > b ? T.One : T.Zero;
    public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b) => Vector128.GreaterThan(a, b) & Vector128<T>.One;
    public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => Vector256.GreaterThan(a, b) & Vector256<T>.One;
}

internal readonly struct GreaterEqualOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T a, T b) => a >= b ? T.One : T.Zero;
    public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b) => Vector128.GreaterThanOrEqual(a, b) & Vector128<T>.One;
    public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => Vector256.GreaterThanOrEqual(a, b) & Vector256<T>.One;
}

internal readonly struct LessOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T a, T b) => a < b ? T.One : T.Zero;
    public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b) => Vector128.LessThan(a, b) & Vector128<T>.One;
    public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => Vector256.LessThan(a, b) & Vector256<T>.One;
}

internal readonly struct LessEqualOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T a, T b) => a <= b ? T.One : T.Zero;
    public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b) => Vector128.LessThanOrEqual(a, b) & Vector128<T>.One;
    public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => Vector256.LessThanOrEqual(a, b) & Vector256<T>.One;
}

internal readonly struct EqualOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T a, T b) => a == b ? T.One : T.Zero;
    public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b) => Vector128.Equals(a, b) & Vector128<T>.One;
    public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => Vector256.Equals(a, b) & Vector256<T>.One;
}

/// <summary>a^b (T.Pow: MathF.Pow or Math.Pow), lane by lane.</summary>
internal readonly struct PowBinaryOp<T> : IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T a, T b) => T.Pow(a, b);
    public Vector128<T> Invoke(Vector128<T> a, Vector128<T> b) => Lanes.Map(this, a, b);
    public Vector256<T> Invoke(Vector256<T> a, Vector256<T> b) => Lanes.Map(this, a, b);
}
