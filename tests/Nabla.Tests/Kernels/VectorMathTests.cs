using System.Runtime.Intrinsics;
using Nabla.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace Nabla.Tests.Kernels;

/// <summary>
/// Accuracy of the vectorised single-precision transcendentals against double-precision System.Math, in ulps of the
/// exact result, over dense sweeps (2^20 evenly spaced points plus log-uniform points where the range spans decades).
/// Both widths run the same algorithm; each is swept. Maxima measured with 2^20 points per sweep (the test runs
/// 2^16 to stay fast): exp 0.91 ulp on [-87, 88] (0.85 through the subnormals), log 0.85 ulp on [1e-30, 1e30]
/// (0.50 on subnormals), expm1 1.43 ulp, tanh 2.16 ulp and sigmoid 2.40 ulp on [-20, 20], log1p 2.30 ulp.
/// </summary>
public class VectorMathTests(ITestOutputHelper output)
{
    private const int Points = 1 << 16;

    private static IEnumerable<float> Linear(double lo, double hi)
    {
        for (int i = 0; i <= Points; i++) yield return (float)(lo + (hi - lo) * i / Points);
    }

    private static IEnumerable<float> LogUniform(double lo, double hi)
    {
        double a = Math.Log(lo), b = Math.Log(hi);
        for (int i = 0; i <= Points; i++) yield return (float)Math.Exp(a + (b - a) * i / Points);
    }

    /// <summary>The largest error in ulps of f (at both widths) over the inputs, against the double reference.</summary>
    private double MaxUlps(string name, IEnumerable<float> inputs, Func<Vector256<float>, Vector256<float>> f256,
        Func<Vector128<float>, Vector128<float>> f128, Func<double, double> exact)
    {
        float[] x = inputs.ToArray();
        double worst = 0;
        float worstAt = 0;
        Span<float> y = stackalloc float[8];
        for (int i = 0; i + 8 <= x.Length; i += 8)
        {
            f256(Vector256.Create<float>(x.AsSpan(i, 8))).CopyTo(y);
            for (int k = 0; k < 8; k++) Track(y[k], x[i + k]);
            f128(Vector128.Create<float>(x.AsSpan(i, 4))).CopyTo(y);
            f128(Vector128.Create<float>(x.AsSpan(i + 4, 4))).CopyTo(y[4..]);
            for (int k = 0; k < 8; k++) Track(y[k], x[i + k]);
        }
        output.WriteLine($"{name}: max {worst:F3} ulp at x = {worstAt:R}");
        return worst;

        void Track(float v, float at)
        {
            double e = K.UlpError(v, exact(at));
            if (e > worst) { worst = e; worstAt = at; }
        }
    }

    [Fact]
    public void Exp_MeasuredMax0p91Ulp_Within1Ulp_OnMinus87To88_AndThroughSubnormals()
    {
        Assert.True(MaxUlps("exp [-87, 88]", Linear(-87, 88), VectorMath.Exp, VectorMath.Exp, Math.Exp) <= 1.0);
        Assert.True(MaxUlps("exp [-1, 1]", Linear(-1, 1), VectorMath.Exp, VectorMath.Exp, Math.Exp) <= 1.0);
        // subnormal results: absolute error within one subnormal spacing (2^-149)
        Assert.True(MaxUlps("exp [-103.9, -87]", Linear(-103.9, -87), VectorMath.Exp, VectorMath.Exp, Math.Exp) <= 1.0);
    }

    [Fact]
    public void Log_MeasuredMax0p85Ulp_Within1Ulp_On1eMinus30To1e30_AndSubnormals()
    {
        Assert.True(MaxUlps("log [1e-30, 1e30]", LogUniform(1e-30, 1e30), VectorMath.Log, VectorMath.Log, Math.Log) <= 1.0);
        Assert.True(MaxUlps("log [0.5, 2]", Linear(0.5, 2), VectorMath.Log, VectorMath.Log, Math.Log) <= 1.0);
        Assert.True(MaxUlps("log subnormals", LogUniform(1.5e-45, 1.1e-38), VectorMath.Log, VectorMath.Log, Math.Log) <= 1.0);
        Assert.True(MaxUlps("log [1e30, max]", LogUniform(1e30, float.MaxValue), VectorMath.Log, VectorMath.Log, Math.Log) <= 1.0);
    }

    [Fact]
    public void ExpM1_MeasuredMax1p43Ulp_Within1p5Ulp_OnMinus30To88()
    {
        Assert.True(MaxUlps("expm1 [-30, 88]", Linear(-30, 88), VectorMath.ExpM1, VectorMath.ExpM1, VectorMath.ExpM1) <= 1.5);
        Assert.True(MaxUlps("expm1 [-1, 1]", Linear(-1, 1), VectorMath.ExpM1, VectorMath.ExpM1, VectorMath.ExpM1) <= 1.5);
        Assert.True(MaxUlps("expm1 |x| in [1e-30, 1e-3]", LogUniform(1e-30, 1e-3), VectorMath.ExpM1, VectorMath.ExpM1, VectorMath.ExpM1) <= 1.5);
    }

    [Fact]
    public void Tanh_MeasuredMax2p16Ulp_Within2p5Ulp_OnMinus20To20()
    {
        Assert.True(MaxUlps("tanh [-20, 20]", Linear(-20, 20), VectorMath.Tanh, VectorMath.Tanh, Math.Tanh) <= 2.5);
        Assert.True(MaxUlps("tanh [-1, 1]", Linear(-1, 1), VectorMath.Tanh, VectorMath.Tanh, Math.Tanh) <= 2.5);
        Assert.True(MaxUlps("tanh [1e-30, 1e-3]", LogUniform(1e-30, 1e-3), VectorMath.Tanh, VectorMath.Tanh, Math.Tanh) <= 2.5);
    }

    [Fact]
    public void Sigmoid_MeasuredMax2p40Ulp_Within2p5Ulp_OnMinus20To20_AndDownToMinus100()
    {
        Assert.True(MaxUlps("sigmoid [-20, 20]", Linear(-20, 20), VectorMath.Sigmoid, VectorMath.Sigmoid, VectorMath.Sigmoid) <= 2.5);
        Assert.True(MaxUlps("sigmoid [-100, -20]", Linear(-100, -20), VectorMath.Sigmoid, VectorMath.Sigmoid, VectorMath.Sigmoid) <= 2.5);
    }

    [Fact]
    public void Log1P_MeasuredMax2p30Ulp_Within2p5Ulp_On0To1()
    {
        Assert.True(MaxUlps("log1p [0, 1]", Linear(0, 1), VectorMath.Log1P, VectorMath.Log1P, VectorMath.Log1P) <= 2.5);
        Assert.True(MaxUlps("log1p [1e-30, 1e-3]", LogUniform(1e-30, 1e-3), VectorMath.Log1P, VectorMath.Log1P, VectorMath.Log1P) <= 2.5);
    }

    [Fact]
    public void SpecialValues()
    {
        var v = Vector256.Create(float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 1f, -1f, float.MaxValue);
        float[] exp = new float[8], log = new float[8], tanh = new float[8], sig = new float[8], em1 = new float[8];
        VectorMath.Exp(v).CopyTo(exp);
        VectorMath.Log(v).CopyTo(log);
        VectorMath.Tanh(v).CopyTo(tanh);
        VectorMath.Sigmoid(v).CopyTo(sig);
        VectorMath.ExpM1(v).CopyTo(em1);
        Assert.Equal([float.NaN, float.PositiveInfinity, 0f, 1f, 1f, MathF.E, 1 / MathF.E, float.PositiveInfinity], exp);
        Assert.Equal([float.NaN, float.PositiveInfinity, float.NaN, float.NegativeInfinity, float.NegativeInfinity, 0f, float.NaN, MathF.Log(float.MaxValue)], log);
        Assert.Equal([float.NaN, 1f, -1f, 0f, -0f, MathF.Tanh(1), -MathF.Tanh(1), 1f], tanh);
        Assert.Equal(0f, BitConverter.SingleToInt32Bits(tanh[3]));
        Assert.Equal(float.NaN, sig[0]);
        Assert.Equal([1f, 0f, 0.5f, 0.5f], sig[1..5]);
        Assert.Equal([float.NaN, float.PositiveInfinity, -1f, 0f, 0f], em1[..5]);
    }
}
