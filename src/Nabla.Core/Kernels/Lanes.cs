using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>y = f(x) on one element: a function that has no vector algorithm, applied lane by lane by <see cref="Lanes"/>.</summary>
internal interface IScalarFunction<T>
{
    T Invoke(T x);
}

/// <summary>
/// Applies a scalar function to each lane of a vector, for the few operations without a vector algorithm (double
/// precision transcendentals, non-integer powers). The result is bit for bit the scalar function's, so an operation
/// struct gives the same values at every width.
/// </summary>
internal static class Lanes
{
    // double (the common case: the double-precision transcendentals) builds the vector from its lanes directly.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<double> Map<TF>(TF f, Vector256<double> x) where TF : struct, IScalarFunction<double>
        => Vector256.Create(f.Invoke(x.GetElement(0)), f.Invoke(x.GetElement(1)), f.Invoke(x.GetElement(2)), f.Invoke(x.GetElement(3)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<double> Map<TF>(TF f, Vector128<double> x) where TF : struct, IScalarFunction<double>
        => Vector128.Create(f.Invoke(x.GetElement(0)), f.Invoke(x.GetElement(1)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> Map<TF, T>(TF f, Vector256<T> x) where TF : struct, IScalarFunction<T> where T : unmanaged
    {
        Unsafe.SkipInit(out Vector256<T> y);
        ref T yr = ref Unsafe.As<Vector256<T>, T>(ref y);
        for (int i = 0; i < Vector256<T>.Count; i++) Unsafe.Add(ref yr, i) = f.Invoke(x.GetElement(i));
        return y;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<T> Map<TF, T>(TF f, Vector128<T> x) where TF : struct, IScalarFunction<T> where T : unmanaged
    {
        Unsafe.SkipInit(out Vector128<T> y);
        ref T yr = ref Unsafe.As<Vector128<T>, T>(ref y);
        for (int i = 0; i < Vector128<T>.Count; i++) Unsafe.Add(ref yr, i) = f.Invoke(x.GetElement(i));
        return y;
    }

    /// <summary>op's scalar form on each pair of lanes.</summary>
    internal static Vector256<T> Map<TOp, T>(TOp op, Vector256<T> a, Vector256<T> b) where TOp : struct, IBinaryOp<T> where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Unsafe.SkipInit(out Vector256<T> y);
        ref T yr = ref Unsafe.As<Vector256<T>, T>(ref y);
        for (int i = 0; i < Vector256<T>.Count; i++) Unsafe.Add(ref yr, i) = op.Invoke(a.GetElement(i), b.GetElement(i));
        return y;
    }

    /// <summary>op's scalar form on each pair of lanes.</summary>
    internal static Vector128<T> Map<TOp, T>(TOp op, Vector128<T> a, Vector128<T> b) where TOp : struct, IBinaryOp<T> where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Unsafe.SkipInit(out Vector128<T> y);
        ref T yr = ref Unsafe.As<Vector128<T>, T>(ref y);
        for (int i = 0; i < Vector128<T>.Count; i++) Unsafe.Add(ref yr, i) = op.Invoke(a.GetElement(i), b.GetElement(i));
        return y;
    }
}
