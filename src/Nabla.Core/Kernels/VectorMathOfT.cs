using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

// The transcendentals for either element type, so an operation struct is written once for float and double.
// float: the vectorised polynomials of VectorMath.cs / VectorMath128.cs, and in scalar code the double-precision
// function rounded once to float (or MathF where that is correctly rounded enough).
// double: System.Math, lane by lane at vector widths, so every width gives the bits of the scalar code (double exists
// for gradient checks; exactness matters there, speed does not).
// The typeof tests are constants after specialisation: each instantiation keeps one branch.
internal static partial class VectorMath
{
    // ------------------------------------------------------------------ scalar

    /// <summary>e^x (MathF.Exp or Math.Exp).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T Exp<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Exp(x);

    /// <summary>e^x − 1, computed in double and rounded once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T ExpM1<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(ExpM1(double.CreateTruncating(x)));

    /// <summary>ln(1 + x), computed in double and rounded once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T Log1P<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(Log1P(double.CreateTruncating(x)));

    /// <summary>σ(x), computed in double and rounded once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T Sigmoid<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(Sigmoid(double.CreateTruncating(x)));

    /// <summary>x^p for an integer p, by binary powering in double and rounded once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T PowInt<T>(T x, int p) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(PowInt(double.CreateTruncating(x), p));

    // ------------------------------------------------------------------ 256-bit

    /// <summary>e^x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> Exp<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? Exp(x.AsSingle()).As<float, T>() : Lanes.Map(new ExpD(), x.AsDouble()).As<double, T>();

    /// <summary>ln x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> Log<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? Log(x.AsSingle()).As<float, T>() : Lanes.Map(new LogD(), x.AsDouble()).As<double, T>();

    /// <summary>e^x − 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> ExpM1<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? ExpM1(x.AsSingle()).As<float, T>() : Lanes.Map(new ExpM1D(), x.AsDouble()).As<double, T>();

    /// <summary>ln(1 + x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> Log1P<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? Log1P(x.AsSingle()).As<float, T>() : Lanes.Map(new Log1PD(), x.AsDouble()).As<double, T>();

    /// <summary>tanh x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> Tanh<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? Tanh(x.AsSingle()).As<float, T>() : Lanes.Map(new TanhD(), x.AsDouble()).As<double, T>();

    /// <summary>σ(x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> Sigmoid<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? Sigmoid(x.AsSingle()).As<float, T>() : Lanes.Map(new SigmoidD(), x.AsDouble()).As<double, T>();

    /// <summary>x^p for an integer p (binary powering in double precision).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> PowInt<T>(Vector256<T> x, int p) where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? PowInt(x.AsSingle(), p).As<float, T>() : PowInt(x.AsDouble(), p).As<double, T>();

    // ------------------------------------------------------------------ 128-bit

    /// <inheritdoc cref="Exp{T}(Vector256{T})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<T> Exp<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? Exp(x.AsSingle()).As<float, T>() : Lanes.Map(new ExpD(), x.AsDouble()).As<double, T>();

    /// <inheritdoc cref="Log{T}(Vector256{T})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<T> Log<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? Log(x.AsSingle()).As<float, T>() : Lanes.Map(new LogD(), x.AsDouble()).As<double, T>();

    /// <inheritdoc cref="ExpM1{T}(Vector256{T})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<T> ExpM1<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? ExpM1(x.AsSingle()).As<float, T>() : Lanes.Map(new ExpM1D(), x.AsDouble()).As<double, T>();

    /// <inheritdoc cref="Log1P{T}(Vector256{T})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<T> Log1P<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? Log1P(x.AsSingle()).As<float, T>() : Lanes.Map(new Log1PD(), x.AsDouble()).As<double, T>();

    /// <inheritdoc cref="Tanh{T}(Vector256{T})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<T> Tanh<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? Tanh(x.AsSingle()).As<float, T>() : Lanes.Map(new TanhD(), x.AsDouble()).As<double, T>();

    /// <inheritdoc cref="Sigmoid{T}(Vector256{T})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<T> Sigmoid<T>(Vector128<T> x) where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? Sigmoid(x.AsSingle()).As<float, T>() : Lanes.Map(new SigmoidD(), x.AsDouble()).As<double, T>();

    /// <inheritdoc cref="PowInt{T}(Vector256{T}, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<T> PowInt<T>(Vector128<T> x, int p) where T : unmanaged, IFloatingPointIeee754<T>
        => typeof(T) == typeof(float) ? PowInt(x.AsSingle(), p).As<float, T>() : PowInt(x.AsDouble(), p).As<double, T>();

    // ------------------------------------------------------------------ double-precision functions, lane by lane

    private readonly struct ExpD : IScalarFunction<double> { public double Invoke(double x) => Math.Exp(x); }
    private readonly struct LogD : IScalarFunction<double> { public double Invoke(double x) => Math.Log(x); }
    private readonly struct ExpM1D : IScalarFunction<double> { public double Invoke(double x) => ExpM1(x); }
    private readonly struct Log1PD : IScalarFunction<double> { public double Invoke(double x) => Log1P(x); }
    private readonly struct TanhD : IScalarFunction<double> { public double Invoke(double x) => Math.Tanh(x); }
    private readonly struct SigmoidD : IScalarFunction<double> { public double Invoke(double x) => Sigmoid(x); }
}
