using Xunit;

namespace Nabla.Tests.Kernels;

/// <summary>A unary forward kernel in both precisions and the double-precision reference it must match.</summary>
public sealed record UnaryCase(UnaryF F, UnaryD D, Func<double, double> Reference, double Lo, double Hi, double Rel = 2e-6, double Abs = 0);

/// <summary>A unary backward kernel in both precisions; FromOutput says whether it takes y (else x).</summary>
public sealed record GradCase(UnaryF ForwardF, UnaryD ForwardD, GradF F, GradD D, bool FromOutput, double Lo, double Hi);

/// <summary>The shared checks behind the elementwise and activation test classes.</summary>
internal static class Check
{
    /// <summary>Float kernel vs the double reference on every length; also that an element's result does not depend
    /// on the span length (the last partial vector uses the same code as full vectors).</summary>
    public static void UnaryForward(UnaryCase c, int level, string name)
    {
        using var _ = K.AtLevel(level);
        float[] big = K.Uniform(4099, 7, c.Lo, c.Hi);
        float[] yBig = new float[big.Length];
        c.F(big, yBig);
        foreach (int n in K.Lengths)
        {
            float[] x = big[..n];
            float[] y = new float[n];
            c.F(x, y);
            double[] expected = Array.ConvertAll(x, v => c.Reference(v));
            K.Close(y, expected, c.Rel, c.Abs, $"{name} float n={n}");
            for (int i = 0; i < n; i++) Assert.Equal(BitConverter.SingleToInt32Bits(yBig[i]), BitConverter.SingleToInt32Bits(y[i]));

            // in place gives the same bits
            float[] inPlace = (float[])x.Clone();
            c.F(inPlace, inPlace);
            Assert.Equal(y, inPlace);

            double[] xd = K.ToDouble(x), yd = new double[n];
            c.D(xd, yd);
            K.Close(yd, expected, 1e-13, c.Abs * 1e-6, $"{name} double n={n}");
        }
    }

    /// <summary>The double backward against central finite differences of the double forward (the gradient check),
    /// including that it accumulates into dx instead of overwriting it.</summary>
    public static void GradientCheck(GradCase c, string name)
    {
        const int n = 200;
        double[] x = K.ToDouble(K.Uniform(n, 11, c.Lo, c.Hi));
        double[] dy = K.ToDouble(K.Uniform(n, 12, -1, 1));
        double[] dx0 = K.ToDouble(K.Uniform(n, 13, -1, 1));
        double[] y = new double[n];
        c.ForwardD(x, y);
        double[] dx = (double[])dx0.Clone();
        c.D(c.FromOutput ? y : x, dy, dx);

        double[] expected = new double[n], plus = new double[n], minus = new double[n], xp = new double[n], xm = new double[n];
        double[] h = Array.ConvertAll(x, v => 1e-6 * Math.Max(1, Math.Abs(v)));
        for (int i = 0; i < n; i++) { xp[i] = x[i] + h[i]; xm[i] = x[i] - h[i]; }
        c.ForwardD(xp, plus);
        c.ForwardD(xm, minus);
        for (int i = 0; i < n; i++) expected[i] = dx0[i] + dy[i] * (plus[i] - minus[i]) / (2 * h[i]);
        K.Close(dx, expected, 1e-6, 1e-7, $"{name} gradient check");
    }

    /// <summary>The float backward against the double backward fed the same (float) values, on every length and level.</summary>
    public static void GradFloat(GradCase c, int level, string name)
    {
        using var _ = K.AtLevel(level);
        foreach (int n in K.Lengths)
        {
            float[] x = K.Uniform(n, 21, c.Lo, c.Hi), dy = K.Uniform(n, 22, -1, 1), dx0 = K.Uniform(n, 23, -1, 1);
            float[] u = x;
            if (c.FromOutput) { u = new float[n]; c.ForwardF(x, u); }
            float[] dx = (float[])dx0.Clone();
            c.F(u, dy, dx);
            double[] dxd = K.ToDouble(dx0);
            c.D(K.ToDouble(u), K.ToDouble(dy), dxd);
            K.Close(dx, dxd, 1e-5, 2e-6, $"{name} backward float n={n}");
        }
    }
}
