using System.Numerics;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

// Operation structs run by the Simd drivers. Each one gives the same function at three widths (scalar, 128-bit,
// 256-bit) and is written once for float and double; the driver picks the width. Structs (not delegates) so the JIT
// specialises and inlines every loop for each element type. Where a double-precision function has no vector
// algorithm (the transcendentals), its vector body computes lane by lane with System.Math (VectorMath), so every
// width gives the same bits as the scalar code and no body ever throws.

/// <summary>y = f(x).</summary>
internal interface IUnaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    T Invoke(T x);
    Vector128<T> Invoke(Vector128<T> x);
    Vector256<T> Invoke(Vector256<T> x);
}

/// <summary>y = f(a, b).</summary>
internal interface IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    T Invoke(T a, T b);
    Vector128<T> Invoke(Vector128<T> a, Vector128<T> b);
    Vector256<T> Invoke(Vector256<T> a, Vector256<T> b);
}

/// <summary>y = f(a, b, c).</summary>
internal interface ITernaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    T Invoke(T a, T b, T c);
    Vector128<T> Invoke(Vector128<T> a, Vector128<T> b, Vector128<T> c);
    Vector256<T> Invoke(Vector256<T> a, Vector256<T> b, Vector256<T> c);
}

/// <summary>y = f(a, b, c, d).</summary>
internal interface IQuaternaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    T Invoke(T a, T b, T c, T d);
    Vector128<T> Invoke(Vector128<T> a, Vector128<T> b, Vector128<T> c, Vector128<T> d);
    Vector256<T> Invoke(Vector256<T> a, Vector256<T> b, Vector256<T> c, Vector256<T> d);
}

/// <summary>acc' = acc + map(a, b), for <see cref="Simd.PairwiseSum"/>. map(0, 0) must be 0 (tails are zero-padded).</summary>
internal interface IReduceOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    T Accumulate(T acc, T a, T b);
    Vector128<T> Accumulate(Vector128<T> acc, Vector128<T> a, Vector128<T> b);
    Vector256<T> Accumulate(Vector256<T> acc, Vector256<T> a, Vector256<T> b);
}

/// <summary>A binary op with its right operand fixed to a scalar: x → op(x, s) (a tensor op broadcasting a scalar).</summary>
internal readonly struct RightScalar<TOp, T>(TOp op, T s) : IUnaryOp<T> where TOp : struct, IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => op.Invoke(x, s);
    public Vector128<T> Invoke(Vector128<T> x) => op.Invoke(x, Vector128.Create(s));
    public Vector256<T> Invoke(Vector256<T> x) => op.Invoke(x, Vector256.Create(s));
}

/// <summary>A binary op with its left operand fixed to a scalar: x → op(s, x).</summary>
internal readonly struct LeftScalar<TOp, T>(TOp op, T s) : IUnaryOp<T> where TOp : struct, IBinaryOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => op.Invoke(s, x);
    public Vector128<T> Invoke(Vector128<T> x) => op.Invoke(Vector128.Create(s), x);
    public Vector256<T> Invoke(Vector256<T> x) => op.Invoke(Vector256.Create(s), x);
}

/// <summary>acc + a.</summary>
internal readonly struct SumMap<T> : IReduceOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Accumulate(T acc, T a, T b) => acc + a;
    public Vector128<T> Accumulate(Vector128<T> acc, Vector128<T> a, Vector128<T> b) => acc + a;
    public Vector256<T> Accumulate(Vector256<T> acc, Vector256<T> a, Vector256<T> b) => acc + a;
}

/// <summary>acc + a·b (a fused multiply-add where the level has one).</summary>
internal readonly struct DotMap<T> : IReduceOp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Accumulate(T acc, T a, T b) => T.FusedMultiplyAdd(a, b, acc);
    public Vector128<T> Accumulate(Vector128<T> acc, Vector128<T> a, Vector128<T> b) => VectorMath.MulAdd(a, b, acc);
    public Vector256<T> Accumulate(Vector256<T> acc, Vector256<T> a, Vector256<T> b) => VectorMath.MulAdd(a, b, acc);
}
