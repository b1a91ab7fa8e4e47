using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// Vectorised single-precision transcendentals (this file: 256-bit; VectorMath128.cs is the same code at 128 bits)
/// plus scalar helpers the kernels share; VectorMathOfT.cs gives all of them for either element type. All of them use only range reduction and truncated Taylor series, so every
/// constant below can be re-derived by hand; the accuracy each one reaches is asserted in VectorMathTests.
/// </summary>
/// <remarks>
/// Largest errors measured against double precision over dense sweeps (tests/Nabla.Tests/Kernels/VectorMathTests.cs,
/// which asserts them): Exp 0.91 ulp on [-87, 88] and correct through the subnormals down to -104 and to +inf above
/// 88.72; Log 0.85 ulp on [1e-30, 1e30] and on subnormals; ExpM1 1.43 ulp; Tanh 2.16 ulp and Sigmoid 2.40 ulp on
/// [-20, 20]; Log1P 2.30 ulp.
/// NaN in gives NaN out everywhere.
/// </remarks>
internal static partial class VectorMath
{
    // log2(e), and ln 2 split so that k·Ln2Hi is exact for |k| < 2^8 even without a fused multiply-add:
    // Ln2Hi is ln 2 rounded to 16 significant bits (0x3F317200), Ln2Lo = ln 2 − Ln2Hi rounded to float.
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693145751953125f;
    private const float Ln2Lo = 1.42860682030941723212e-6f;
    private const float Ln2 = 0.693147180559945309f;
    // Adding 1.5·2^23 rounds a float of magnitude < 2^22 to an integer held in the low mantissa bits.
    private const float Shifter = 12582912f;
    private const int ShifterBits = 0x4B400000;
    // Bits of a float just below √½: subtracting it from a float's bits puts the mantissa in [√½, √2).
    private const int SqrtHalfBits = 0x3F3504F3;

    // Taylor coefficients 1/k!.
    private const float F2 = 1f / 2, F3 = 1f / 6, F4 = 1f / 24, F5 = 1f / 120, F6 = 1f / 720, F7 = 1f / 5040, F8 = 1f / 40320;

    // ------------------------------------------------------------------ generic helpers

    /// <summary>a·b + c, fused (the 256-bit level is only chosen on machines with FMA).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> MulAdd<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
    {
        if (typeof(T) == typeof(float))
            return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        return a * b + c;
    }

    /// <summary>a·b + c, fused where the hardware has it (the 128-bit level also runs on machines without FMA).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<T> MulAdd<T>(Vector128<T> a, Vector128<T> b, Vector128<T> c)
    {
        if (typeof(T) == typeof(float))
            return Vector128.MultiplyAddEstimate(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector128.MultiplyAddEstimate(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        return a * b + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fma256(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

    /// <summary>True where <see cref="Fma128"/> is fused (x86 with FMA, ARM64).</summary>
    private static bool HasFma128 => System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Fma128(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);

    // ------------------------------------------------------------------ scalar helpers (fallback paths and doubles)

    /// <summary>e^x − 1 without cancellation near 0 (Kahan's trick: (u − 1)·x / ln u with u = e^x).</summary>
    internal static double ExpM1(double x)
    {
        double u = Math.Exp(x);
        if (u == 1.0) return x;
        double um1 = u - 1.0;
        if (um1 == -1.0) return -1.0;
        if (double.IsPositiveInfinity(u)) return u;
        return um1 * x / Math.Log(u);
    }

    /// <summary>ln(1 + u) without cancellation near 0 (the same trick: ln w · u / (w − 1) with w = 1 + u).</summary>
    internal static double Log1P(double u)
    {
        double w = 1.0 + u;
        if (w == 1.0) return u;
        if (double.IsPositiveInfinity(w)) return w;
        return Math.Log(w) * u / (w - 1.0);
    }

    /// <summary>1 / (1 + e^−x), computed as e^x / (1 + e^x) for negative x so it never overflows and keeps subnormal results.</summary>
    internal static double Sigmoid(double x)
    {
        double e = Math.Exp(-Math.Abs(x));
        return (x >= 0 ? 1.0 : e) / (1.0 + e);
    }

    /// <summary>x^p for an integer p by binary powering (p = 0 gives 1, also for NaN x, like Math.Pow).</summary>
    internal static double PowInt(double x, int p)
    {
        long e = Math.Abs((long)p);
        double result = 1.0, b = x;
        while (e != 0)
        {
            if ((e & 1) != 0) result *= b;
            b *= b;
            e >>= 1;
        }
        return p < 0 ? 1.0 / result : result;
    }

    // ------------------------------------------------------------------ 256-bit single precision

    /// <summary>e^x. Range reduction x = n·ln2 + r, |r| ≤ ln2/2; e^r by its degree-7 Taylor polynomial (truncation
    /// error below 6e-9); 2^n applied as two factors so that subnormal results and overflow to +inf come out right.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Exp(Vector256<float> x)
    {
        Vector256<float> xc = Vector256.Min(Vector256.Max(x, Vector256.Create(-104f)), Vector256.Create(88.8f));
        Vector256<float> kp = Fma256(xc, Vector256.Create(Log2E), Vector256.Create(Shifter));
        Vector256<float> k = kp - Vector256.Create(Shifter);
        Vector256<float> r = Fma256(k, Vector256.Create(-Ln2Hi), xc);
        r = Fma256(k, Vector256.Create(-Ln2Lo), r);

        Vector256<float> p = Fma256(Vector256.Create(F7), r, Vector256.Create(F6));
        p = Fma256(p, r, Vector256.Create(F5));
        p = Fma256(p, r, Vector256.Create(F4));
        p = Fma256(p, r, Vector256.Create(F3));
        p = Fma256(p, r, Vector256.Create(F2));
        p = Fma256(p, r, Vector256<float>.One);
        p = Fma256(p, r, Vector256<float>.One);

        Vector256<int> n = kp.AsInt32() - Vector256.Create(ShifterBits); // n in [-150, 128]
        Vector256<int> n1 = Vector256.ShiftRightArithmetic(n, 1);
        Vector256<int> n2 = n - n1;
        Vector256<float> s1 = Vector256.ShiftLeft(n1 + Vector256.Create(127), 23).AsSingle();
        Vector256<float> s2 = Vector256.ShiftLeft(n2 + Vector256.Create(127), 23).AsSingle();
        Vector256<float> y = p * s1 * s2;
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), y, x);
    }

    /// <summary>e^x − 1, accurate near 0: the same reduction, e^r − 1 by its Taylor series to r^8/8!, and
    /// 2^n·(e^r − 1) + (2^n − 1) formed as 2·(t·q + (t − ½)) with t = 2^(n−1) so no step cancels or overflows early.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ExpM1(Vector256<float> x)
    {
        Vector256<float> xc = Vector256.Min(Vector256.Max(x, Vector256.Create(-30f)), Vector256.Create(88.8f));
        Vector256<float> kp = Fma256(xc, Vector256.Create(Log2E), Vector256.Create(Shifter));
        Vector256<float> k = kp - Vector256.Create(Shifter);
        Vector256<float> r = Fma256(k, Vector256.Create(-Ln2Hi), xc);
        r = Fma256(k, Vector256.Create(-Ln2Lo), r);

        Vector256<float> p = Fma256(Vector256.Create(F8), r, Vector256.Create(F7));
        p = Fma256(p, r, Vector256.Create(F6));
        p = Fma256(p, r, Vector256.Create(F5));
        p = Fma256(p, r, Vector256.Create(F4));
        p = Fma256(p, r, Vector256.Create(F3));
        p = Fma256(p, r, Vector256.Create(F2));
        Vector256<float> q = Fma256(p, r * r, r); // e^r − 1

        Vector256<int> n = kp.AsInt32() - Vector256.Create(ShifterBits); // n in [-43, 128]
        Vector256<float> t = Vector256.ShiftLeft(n + Vector256.Create(126), 23).AsSingle(); // 2^(n−1)
        Vector256<float> y = Fma256(t, q, t - Vector256.Create(0.5f));
        y += y;
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), y, x);
    }

    /// <summary>ln x. x = 2^e·m with m in [√½, √2); ln m = 2·atanh(s), s = f/(2+f), f = m − 1, written as
    /// f − s·(f − R) with R = 2s²/3 + 2s⁴/5 + 2s⁶/7 + 2s⁸/9 (|s| ≤ 0.172, truncation below 2e-9 relative).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Log(Vector256<float> x)
    {
        Vector256<float> subnormal = Vector256.LessThan(x, Vector256.Create(1.17549435e-38f)); // also catches 0 and negatives: fixed below
        Vector256<float> xs = Vector256.ConditionalSelect(subnormal, x * Vector256.Create(8388608f), x); // ·2^23
        Vector256<int> ix = xs.AsInt32() - Vector256.Create(SqrtHalfBits);
        Vector256<int> e = Vector256.ShiftRightArithmetic(ix, 23) - (subnormal.AsInt32() & Vector256.Create(23));
        Vector256<float> m = ((ix & Vector256.Create(0x007FFFFF)) + Vector256.Create(SqrtHalfBits)).AsSingle();

        Vector256<float> f = m - Vector256<float>.One;
        Vector256<float> s = f / (f + Vector256.Create(2f));
        Vector256<float> z = s * s;
        Vector256<float> R = Fma256(z, Vector256.Create(2f / 9), Vector256.Create(2f / 7));
        R = Fma256(R, z, Vector256.Create(2f / 5));
        R = Fma256(R, z, Vector256.Create(2f / 3));
        R *= z;
        Vector256<float> logm = f - s * (f - R);

        Vector256<float> ef = Vector256.ConvertToSingle(e);
        Vector256<float> y = Fma256(ef, Vector256.Create(Ln2Hi), Fma256(ef, Vector256.Create(Ln2Lo), logm));

        y = Vector256.ConditionalSelect(Vector256.Equals(x, Vector256.Create(float.PositiveInfinity)), x, y);
        y = Vector256.ConditionalSelect(Vector256.Equals(x, Vector256<float>.Zero), Vector256.Create(float.NegativeInfinity), y);
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<float>.Zero), y, Vector256.Create(float.NaN));
    }

    /// <summary>ln(1 + u) for u ≥ −1 and finite, accurate near 0: ln w · u/(w − 1) with w = 1 + u (exact u when w rounds to 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Log1P(Vector256<float> u)
    {
        Vector256<float> w = u + Vector256<float>.One;
        Vector256<float> y = Log(w) * (u / (w - Vector256<float>.One));
        return Vector256.ConditionalSelect(Vector256.Equals(w, Vector256<float>.One), u, y);
    }

    /// <summary>tanh x = t / (t + 2) with t = e^(2|x|) − 1, sign restored; |x| ≥ 10 gives ±1 exactly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Tanh(Vector256<float> x)
    {
        Vector256<float> a = Vector256.Min(Vector256.Abs(x), Vector256.Create(10f));
        Vector256<float> t = ExpM1(a + a);
        return Vector256.CopySign(t / (t + Vector256.Create(2f)), x);
    }

    /// <summary>1 / (1 + e^−x) as (x ≥ 0 ? 1 : E) / (1 + E) with E = e^−|x|: never overflows, one division.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Sigmoid(Vector256<float> x)
    {
        Vector256<float> e = Exp(-Vector256.Abs(x));
        Vector256<float> num = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<float>.Zero), Vector256<float>.One, e);
        return num / (Vector256<float>.One + e);
    }

    /// <summary>x^p for an integer p, by binary powering in double precision (so the single rounding back to float
    /// dominates the error); p = 0 gives 1.</summary>
    internal static Vector256<float> PowInt(Vector256<float> x, int p)
    {
        Vector256<double> lo = PowInt(Vector256.WidenLower(x), p);
        Vector256<double> hi = PowInt(Vector256.WidenUpper(x), p);
        return Vector256.Narrow(lo, hi);
    }

    /// <summary>x^p for an integer p by binary powering; p = 0 gives 1.</summary>
    internal static Vector256<double> PowInt(Vector256<double> x, int p)
    {
        long e = Math.Abs((long)p);
        Vector256<double> result = Vector256<double>.One, b = x;
        while (e != 0)
        {
            if ((e & 1) != 0) result *= b;
            e >>= 1;
            if (e != 0) b *= b;
        }
        return p < 0 ? Vector256<double>.One / result : result;
    }
}
