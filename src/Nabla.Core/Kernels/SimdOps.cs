using System.Diagnostics;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

// Operation structs run by the Simd drivers. Each one gives the same function at three widths; the driver picks one.
// Structs (not delegates) so the JIT specialises and inlines every loop. An op whose Vectorizable is false only
// needs a scalar body (the double-precision transcendentals): its vector bodies are never called.

/// <summary>y = f(x).</summary>
internal interface IUnaryOp<T> where T : unmanaged
{
    static abstract bool Vectorizable { get; }
    T Invoke(T x);
    Vector128<T> Invoke(Vector128<T> x);
    Vector256<T> Invoke(Vector256<T> x);
}

/// <summary>y = f(a, b).</summary>
internal interface IBinaryOp<T> where T : unmanaged
{
    static abstract bool Vectorizable { get; }
    T Invoke(T a, T b);
    Vector128<T> Invoke(Vector128<T> a, Vector128<T> b);
    Vector256<T> Invoke(Vector256<T> a, Vector256<T> b);
}

/// <summary>y = f(a, b, c).</summary>
internal interface ITernaryOp<T> where T : unmanaged
{
    static abstract bool Vectorizable { get; }
    T Invoke(T a, T b, T c);
    Vector128<T> Invoke(Vector128<T> a, Vector128<T> b, Vector128<T> c);
    Vector256<T> Invoke(Vector256<T> a, Vector256<T> b, Vector256<T> c);
}

/// <summary>y = f(a, b, c, d).</summary>
internal interface IQuaternaryOp<T> where T : unmanaged
{
    static abstract bool Vectorizable { get; }
    T Invoke(T a, T b, T c, T d);
    Vector128<T> Invoke(Vector128<T> a, Vector128<T> b, Vector128<T> c, Vector128<T> d);
    Vector256<T> Invoke(Vector256<T> a, Vector256<T> b, Vector256<T> c, Vector256<T> d);
}

/// <summary>acc' = acc + map(a, b), for <see cref="Simd.PairwiseSum"/>. map(0, 0) must be 0 (tails are zero-padded).</summary>
internal interface IReduceOp<T> where T : unmanaged
{
    static abstract bool Vectorizable { get; }
    T Accumulate(T acc, T a, T b);
    Vector128<T> Accumulate(Vector128<T> acc, Vector128<T> a, Vector128<T> b);
    Vector256<T> Accumulate(Vector256<T> acc, Vector256<T> a, Vector256<T> b);
}

/// <summary>Thrown from the vector bodies of scalar-only ops; the drivers never call them.</summary>
internal static class NotVectorized
{
    internal static Vector128<T> V128<T>() => throw new UnreachableException("Scalar-only operation called at vector width.");
    internal static Vector256<T> V256<T>() => throw new UnreachableException("Scalar-only operation called at vector width.");
}

/// <summary>acc + a.</summary>
internal readonly struct SumMap<T> : IReduceOp<T> where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Accumulate(T acc, T a, T b) => acc + a;
    public Vector128<T> Accumulate(Vector128<T> acc, Vector128<T> a, Vector128<T> b) => acc + a;
    public Vector256<T> Accumulate(Vector256<T> acc, Vector256<T> a, Vector256<T> b) => acc + a;
}

/// <summary>acc + a·b (a fused multiply-add where the level has one).</summary>
internal readonly struct DotMap<T> : IReduceOp<T> where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    public static bool Vectorizable => true;
    public T Accumulate(T acc, T a, T b) => T.FusedMultiplyAdd(a, b, acc);
    public Vector128<T> Accumulate(Vector128<T> acc, Vector128<T> a, Vector128<T> b) => VectorMath.MulAdd(a, b, acc);
    public Vector256<T> Accumulate(Vector256<T> acc, Vector256<T> a, Vector256<T> b) => VectorMath.MulAdd(a, b, acc);
}
