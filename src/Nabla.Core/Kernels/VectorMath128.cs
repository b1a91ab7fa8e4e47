using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

// The 128-bit twin of the 256-bit section of VectorMath.cs: the same algorithms and constants, line for line,
// for machines without AVX2 (and for the forced-fallback tests). Generated from that section by replacing
// Vector256 with Vector128 and Fma256 with Fma128; keep the two in step. One addition: on x86 without FMA, where
// Fma128 rounds twice, Exp sums its polynomial as 1 + (r + r²·q) to stay within 1 ulp.
// (The two widths stay two files: .NET 10 keeps its ISimdVector abstraction internal, and a hand-made one over
// Vector128/Vector256 would be more code than this twin.)
internal static partial class VectorMath
{
    /// <summary>e^x. Range reduction x = n·ln2 + r, |r| ≤ ln2/2; e^r by its degree-7 Taylor polynomial (truncation
    /// error below 6e-9); 2^n applied as two factors so that subnormal results and overflow to +inf come out right.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Exp(Vector128<float> x)
    {
        Vector128<float> xc = Vector128.Min(Vector128.Max(x, Vector128.Create(-104f)), Vector128.Create(88.8f));
        Vector128<float> kp = Fma128(xc, Vector128.Create(Log2E), Vector128.Create(Shifter));
        Vector128<float> k = kp - Vector128.Create(Shifter);
        Vector128<float> r = Fma128(k, Vector128.Create(-Ln2Hi), xc);
        r = Fma128(k, Vector128.Create(-Ln2Lo), r);

        Vector128<float> p = Fma128(Vector128.Create(F7), r, Vector128.Create(F6));
        p = Fma128(p, r, Vector128.Create(F5));
        p = Fma128(p, r, Vector128.Create(F4));
        p = Fma128(p, r, Vector128.Create(F3));
        p = Fma128(p, r, Vector128.Create(F2));
        if (HasFma128)
        {
            p = Fma128(p, r, Vector128<float>.One);
            p = Fma128(p, r, Vector128<float>.One);
        }
        else p = Vector128<float>.One + (r + r * r * p); // unfused, the last two Horner steps would round four times (1.17 ulp)

        Vector128<int> n = kp.AsInt32() - Vector128.Create(ShifterBits); // n in [-150, 128]
        Vector128<int> n1 = Vector128.ShiftRightArithmetic(n, 1);
        Vector128<int> n2 = n - n1;
        Vector128<float> s1 = Vector128.ShiftLeft(n1 + Vector128.Create(127), 23).AsSingle();
        Vector128<float> s2 = Vector128.ShiftLeft(n2 + Vector128.Create(127), 23).AsSingle();
        Vector128<float> y = p * s1 * s2;
        return Vector128.ConditionalSelect(Vector128.Equals(x, x), y, x);
    }

    /// <summary>e^x − 1, accurate near 0: the same reduction, e^r − 1 by its Taylor series to r^8/8!, and
    /// 2^n·(e^r − 1) + (2^n − 1) formed as 2·(t·q + (t − ½)) with t = 2^(n−1) so no step cancels or overflows early.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> ExpM1(Vector128<float> x)
    {
        Vector128<float> xc = Vector128.Min(Vector128.Max(x, Vector128.Create(-30f)), Vector128.Create(88.8f));
        Vector128<float> kp = Fma128(xc, Vector128.Create(Log2E), Vector128.Create(Shifter));
        Vector128<float> k = kp - Vector128.Create(Shifter);
        Vector128<float> r = Fma128(k, Vector128.Create(-Ln2Hi), xc);
        r = Fma128(k, Vector128.Create(-Ln2Lo), r);

        Vector128<float> p = Fma128(Vector128.Create(F8), r, Vector128.Create(F7));
        p = Fma128(p, r, Vector128.Create(F6));
        p = Fma128(p, r, Vector128.Create(F5));
        p = Fma128(p, r, Vector128.Create(F4));
        p = Fma128(p, r, Vector128.Create(F3));
        p = Fma128(p, r, Vector128.Create(F2));
        Vector128<float> q = Fma128(p, r * r, r); // e^r − 1

        Vector128<int> n = kp.AsInt32() - Vector128.Create(ShifterBits); // n in [-43, 128]
        Vector128<float> t = Vector128.ShiftLeft(n + Vector128.Create(126), 23).AsSingle(); // 2^(n−1)
        Vector128<float> y = Fma128(t, q, t - Vector128.Create(0.5f));
        y += y;
        return Vector128.ConditionalSelect(Vector128.Equals(x, x), y, x);
    }

    /// <summary>ln x. x = 2^e·m with m in [√½, √2); ln m = 2·atanh(s), s = f/(2+f), f = m − 1, written as
    /// f − s·(f − R) with R = 2s²/3 + 2s⁴/5 + 2s⁶/7 + 2s⁸/9 (|s| ≤ 0.172, truncation below 2e-9 relative).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Log(Vector128<float> x)
    {
        Vector128<float> subnormal = Vector128.LessThan(x, Vector128.Create(1.17549435e-38f)); // also catches 0 and negatives: fixed below
        Vector128<float> xs = Vector128.ConditionalSelect(subnormal, x * Vector128.Create(8388608f), x); // ·2^23
        Vector128<int> ix = xs.AsInt32() - Vector128.Create(SqrtHalfBits);
        Vector128<int> e = Vector128.ShiftRightArithmetic(ix, 23) - (subnormal.AsInt32() & Vector128.Create(23));
        Vector128<float> m = ((ix & Vector128.Create(0x007FFFFF)) + Vector128.Create(SqrtHalfBits)).AsSingle();

        Vector128<float> f = m - Vector128<float>.One;
        Vector128<float> s = f / (f + Vector128.Create(2f));
        Vector128<float> z = s * s;
        Vector128<float> R = Fma128(z, Vector128.Create(2f / 9), Vector128.Create(2f / 7));
        R = Fma128(R, z, Vector128.Create(2f / 5));
        R = Fma128(R, z, Vector128.Create(2f / 3));
        R *= z;
        Vector128<float> logm = f - s * (f - R);

        Vector128<float> ef = Vector128.ConvertToSingle(e);
        Vector128<float> y = Fma128(ef, Vector128.Create(Ln2Hi), Fma128(ef, Vector128.Create(Ln2Lo), logm));

        y = Vector128.ConditionalSelect(Vector128.Equals(x, Vector128.Create(float.PositiveInfinity)), x, y);
        y = Vector128.ConditionalSelect(Vector128.Equals(x, Vector128<float>.Zero), Vector128.Create(float.NegativeInfinity), y);
        return Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(x, Vector128<float>.Zero), y, Vector128.Create(float.NaN));
    }

    /// <summary>ln(1 + u) for u ≥ −1 and finite, accurate near 0: ln w · u/(w − 1) with w = 1 + u (exact u when w rounds to 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Log1P(Vector128<float> u)
    {
        Vector128<float> w = u + Vector128<float>.One;
        Vector128<float> y = Log(w) * (u / (w - Vector128<float>.One));
        return Vector128.ConditionalSelect(Vector128.Equals(w, Vector128<float>.One), u, y);
    }

    /// <summary>tanh x = t / (t + 2) with t = e^(2|x|) − 1, sign restored; |x| ≥ 10 gives ±1 exactly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Tanh(Vector128<float> x)
    {
        Vector128<float> a = Vector128.Min(Vector128.Abs(x), Vector128.Create(10f));
        Vector128<float> t = ExpM1(a + a);
        return Vector128.CopySign(t / (t + Vector128.Create(2f)), x);
    }

    /// <summary>1 / (1 + e^−x) as (x ≥ 0 ? 1 : E) / (1 + E) with E = e^−|x|: never overflows, one division.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Sigmoid(Vector128<float> x)
    {
        Vector128<float> e = Exp(-Vector128.Abs(x));
        Vector128<float> num = Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(x, Vector128<float>.Zero), Vector128<float>.One, e);
        return num / (Vector128<float>.One + e);
    }

    /// <summary>x^p for an integer p, by binary powering in double precision (so the single rounding back to float
    /// dominates the error); p = 0 gives 1.</summary>
    internal static Vector128<float> PowInt(Vector128<float> x, int p)
    {
        Vector128<double> lo = PowInt(Vector128.WidenLower(x), p);
        Vector128<double> hi = PowInt(Vector128.WidenUpper(x), p);
        return Vector128.Narrow(lo, hi);
    }

    /// <summary>x^p for an integer p by binary powering; p = 0 gives 1.</summary>
    internal static Vector128<double> PowInt(Vector128<double> x, int p)
    {
        long e = Math.Abs((long)p);
        Vector128<double> result = Vector128<double>.One, b = x;
        while (e != 0)
        {
            if ((e & 1) != 0) result *= b;
            e >>= 1;
            if (e != 0) b *= b;
        }
        return p < 0 ? Vector128<double>.One / result : result;
    }
}
