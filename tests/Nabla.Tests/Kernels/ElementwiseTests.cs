using Nabla.Kernels;
using Xunit;

namespace Nabla.Tests.Kernels;

[Collection(SimdLevelCollection.Name)]
public class ElementwiseTests
{
    private static readonly Dictionary<string, UnaryCase> Unary = new()
    {
        ["Neg"] = new(Elementwise.Neg, Elementwise.Neg, x => -x, -10, 10, 0),
        ["Abs"] = new(Elementwise.Abs, Elementwise.Abs, Math.Abs, -10, 10, 0),
        ["Sqrt"] = new(Elementwise.Sqrt, Elementwise.Sqrt, Math.Sqrt, 0, 100, 6e-8),
        ["Square"] = new(Elementwise.Square, Elementwise.Square, x => x * x, -10, 10, 6e-8),
        ["Exp"] = new(Elementwise.Exp, Elementwise.Exp, Math.Exp, -80, 80, 1.2e-7),
        ["Log"] = new(Elementwise.Log, Elementwise.Log, Math.Log, 1e-3, 1e3, 1.2e-7, 1e-12),
        ["AddScalar"] = new((x, y) => Elementwise.AddScalar(x, 0.375f, y), (x, y) => Elementwise.AddScalar(x, 0.375, y), x => x + 0.375, -10, 10, 6e-8, 1e-12),
        ["MulScalar"] = new((x, y) => Elementwise.MulScalar(x, -1.75f, y), (x, y) => Elementwise.MulScalar(x, -1.75, y), x => -1.75 * x, -10, 10, 6e-8),
        ["Clamp"] = new((x, y) => Elementwise.Clamp(x, -0.5f, 0.75f, y), (x, y) => Elementwise.Clamp(x, -0.5, 0.75, y), x => Math.Clamp(x, -0.5, 0.75), -2, 2, 0),
        ["Pow2"] = new((x, y) => Elementwise.Pow(x, 2f, y), (x, y) => Elementwise.Pow(x, 2.0, y), x => x * x, -5, 5, 6e-8),
        ["Pow3"] = new((x, y) => Elementwise.Pow(x, 3f, y), (x, y) => Elementwise.Pow(x, 3.0, y), x => x * x * x, -5, 5, 6e-8),
        ["Pow-1"] = new((x, y) => Elementwise.Pow(x, -1f, y), (x, y) => Elementwise.Pow(x, -1.0, y), x => 1 / x, 0.1, 5, 6e-8),
        ["Pow-2"] = new((x, y) => Elementwise.Pow(x, -2f, y), (x, y) => Elementwise.Pow(x, -2.0, y), x => 1 / (x * x), -5, -0.1, 6e-8),
        ["Pow0"] = new((x, y) => Elementwise.Pow(x, 0f, y), (x, y) => Elementwise.Pow(x, 0.0, y), x => 1, -5, 5, 0),
        ["Pow7"] = new((x, y) => Elementwise.Pow(x, 7f, y), (x, y) => Elementwise.Pow(x, 7.0, y), x => Math.Pow(x, 7), -3, 3, 6e-8),
        ["Pow0.5"] = new((x, y) => Elementwise.Pow(x, 0.5f, y), (x, y) => Elementwise.Pow(x, 0.5, y), x => Math.Pow(x, 0.5), 0, 5, 6e-8),
        ["Pow1.5"] = new((x, y) => Elementwise.Pow(x, 1.5f, y), (x, y) => Elementwise.Pow(x, 1.5, y), x => Math.Pow(x, 1.5), 0, 5, 6e-8),
    };

    private static readonly Dictionary<string, GradCase> Grad = new()
    {
        ["Abs"] = new(Elementwise.Abs, Elementwise.Abs, Elementwise.AbsBackward, Elementwise.AbsBackward, false, -3, 3),
        ["Square"] = new(Elementwise.Square, Elementwise.Square, Elementwise.SquareBackward, Elementwise.SquareBackward, false, -3, 3),
        ["Sqrt"] = new(Elementwise.Sqrt, Elementwise.Sqrt, Elementwise.SqrtBackward, Elementwise.SqrtBackward, true, 0.1, 10),
        ["Exp"] = new(Elementwise.Exp, Elementwise.Exp, Elementwise.ExpBackward, Elementwise.ExpBackward, true, -5, 5),
        ["Log"] = new(Elementwise.Log, Elementwise.Log, Elementwise.LogBackward, Elementwise.LogBackward, false, 0.1, 10),
        ["Clamp"] = new((x, y) => Elementwise.Clamp(x, -0.5f, 0.75f, y), (x, y) => Elementwise.Clamp(x, -0.5, 0.75, y),
            (x, dy, dx) => Elementwise.ClampBackward(x, -0.5f, 0.75f, dy, dx), (x, dy, dx) => Elementwise.ClampBackward(x, -0.5, 0.75, dy, dx), false, -2, 2),
        ["Pow3"] = new((x, y) => Elementwise.Pow(x, 3f, y), (x, y) => Elementwise.Pow(x, 3.0, y),
            (x, dy, dx) => Elementwise.PowBackward(x, 3f, dy, dx), (x, dy, dx) => Elementwise.PowBackward(x, 3.0, dy, dx), false, -2, 2),
        ["Pow-2"] = new((x, y) => Elementwise.Pow(x, -2f, y), (x, y) => Elementwise.Pow(x, -2.0, y),
            (x, dy, dx) => Elementwise.PowBackward(x, -2f, dy, dx), (x, dy, dx) => Elementwise.PowBackward(x, -2.0, dy, dx), false, 0.5, 2),
        ["Pow1"] = new((x, y) => Elementwise.Pow(x, 1f, y), (x, y) => Elementwise.Pow(x, 1.0, y),
            (x, dy, dx) => Elementwise.PowBackward(x, 1f, dy, dx), (x, dy, dx) => Elementwise.PowBackward(x, 1.0, dy, dx), false, -2, 2),
        ["Pow0"] = new((x, y) => Elementwise.Pow(x, 0f, y), (x, y) => Elementwise.Pow(x, 0.0, y),
            (x, dy, dx) => Elementwise.PowBackward(x, 0f, dy, dx), (x, dy, dx) => Elementwise.PowBackward(x, 0.0, dy, dx), false, -2, 2),
        ["Pow1.5"] = new((x, y) => Elementwise.Pow(x, 1.5f, y), (x, y) => Elementwise.Pow(x, 1.5, y),
            (x, dy, dx) => Elementwise.PowBackward(x, 1.5f, dy, dx), (x, dy, dx) => Elementwise.PowBackward(x, 1.5, dy, dx), false, 0.2, 3),
    };

    private static readonly Dictionary<string, (BinaryF F, BinaryD D, Func<double, double, double> Ref, double Rel)> Binary = new()
    {
        ["Add"] = (Elementwise.Add, Elementwise.Add, (a, b) => a + b, 6e-8),
        ["Sub"] = (Elementwise.Sub, Elementwise.Sub, (a, b) => a - b, 6e-8),
        ["Mul"] = (Elementwise.Mul, Elementwise.Mul, (a, b) => a * b, 6e-8),
        ["Div"] = (Elementwise.Div, Elementwise.Div, (a, b) => a / b, 6e-8),
        ["Maximum"] = (Elementwise.Maximum, Elementwise.Maximum, Math.Max, 0),
        ["Minimum"] = (Elementwise.Minimum, Elementwise.Minimum, Math.Min, 0),
    };

    private static readonly Dictionary<string, (BinaryD Forward, Grad2F F, Grad2D D)> Grad2 = new()
    {
        ["Mul"] = (Elementwise.Mul, Elementwise.MulBackward, Elementwise.MulBackward),
        ["Div"] = (Elementwise.Div, Elementwise.DivBackward, Elementwise.DivBackward),
        ["Maximum"] = (Elementwise.Maximum, Elementwise.MaximumBackward, Elementwise.MaximumBackward),
        ["Minimum"] = (Elementwise.Minimum, Elementwise.MinimumBackward, Elementwise.MinimumBackward),
    };

    public static TheoryData<string, int> UnaryNames => K.Cross(Unary.Keys);
    public static TheoryData<string, int> GradNames => K.Cross(Grad.Keys);
    public static TheoryData<string, int> BinaryNames => K.Cross(Binary.Keys);
    public static TheoryData<string, int> Grad2Names => K.Cross(Grad2.Keys);
    public static TheoryData<int> Levels => K.Levels();

    [Theory, MemberData(nameof(UnaryNames))]
    public void UnaryMatchesDoubleReference(string name, int level) => Check.UnaryForward(Unary[name], level, name);

    [Theory, MemberData(nameof(GradNames))]
    public void BackwardPassesGradientCheckAndFloatMatchesDouble(string name, int level)
    {
        Check.GradientCheck(Grad[name], name);
        Check.GradFloat(Grad[name], level, name);
    }

    [Theory, MemberData(nameof(BinaryNames))]
    public void BinaryMatchesDoubleReference(string name, int level)
    {
        using var _ = K.AtLevel(level);
        var (f, d, reference, rel) = Binary[name];
        foreach (int n in K.Lengths)
        {
            float[] a = K.Uniform(n, 1, -4, 4), b = K.Uniform(n, 2, 0.5, 4);
            if (n > 3) b[3] = a[3]; // a tie
            float[] y = new float[n];
            f(a, b, y);
            double[] expected = new double[n];
            for (int i = 0; i < n; i++) expected[i] = reference(a[i], b[i]);
            K.Close(y, expected, rel, 0, $"{name} n={n}");
            double[] yd = new double[n];
            d(K.ToDouble(a), K.ToDouble(b), yd);
            K.Close(yd, expected, 1e-15, 0, $"{name} double n={n}");
            float[] inPlace = (float[])a.Clone();
            f(inPlace, b, inPlace);
            Assert.Equal(y, inPlace);
        }
    }

    [Theory, MemberData(nameof(Grad2Names))]
    public void BinaryBackwardPassesGradientCheckAndFloatMatchesDouble(string name, int level)
    {
        var (forward, f, d) = Grad2[name];
        // gradient check in double (inputs kept apart so max/min have no tie within h)
        const int m = 100;
        double[] a = K.ToDouble(K.Uniform(m, 3, -3, 3)), b = K.ToDouble(K.Uniform(m, 4, 0.5, 3));
        double[] dy = K.ToDouble(K.Uniform(m, 5, -1, 1)), da0 = K.ToDouble(K.Uniform(m, 6, -1, 1)), db0 = K.ToDouble(K.Uniform(m, 7, -1, 1));
        double[] da = (double[])da0.Clone(), db = (double[])db0.Clone();
        d(a, b, dy, da, db);
        const double h = 1e-6;
        double[] ea = new double[m], eb = new double[m], p = new double[m], q = new double[m];
        double[] Shift(double[] v, double s) => Array.ConvertAll(v, t => t + s);
        forward(Shift(a, h), b, p); forward(Shift(a, -h), b, q);
        for (int i = 0; i < m; i++) ea[i] = da0[i] + dy[i] * (p[i] - q[i]) / (2 * h);
        forward(a, Shift(b, h), p); forward(a, Shift(b, -h), q);
        for (int i = 0; i < m; i++) eb[i] = db0[i] + dy[i] * (p[i] - q[i]) / (2 * h);
        K.Close(da, ea, 1e-6, 1e-7, $"{name} da gradient check");
        K.Close(db, eb, 1e-6, 1e-7, $"{name} db gradient check");

        using var _ = K.AtLevel(level);
        foreach (int n in K.Lengths)
        {
            float[] af = K.Uniform(n, 8, -3, 3), bf = K.Uniform(n, 9, 0.5, 3), dyf = K.Uniform(n, 10, -1, 1);
            if (n > 5) bf[5] = af[5] = 1.25f; // a tie: max/min split dy in halves
            float[] daf = K.Uniform(n, 11, -1, 1), dbf = K.Uniform(n, 12, -1, 1);
            double[] dad = K.ToDouble(daf), dbd = K.ToDouble(dbf);
            f(af, bf, dyf, daf, dbf);
            d(K.ToDouble(af), K.ToDouble(bf), K.ToDouble(dyf), dad, dbd);
            K.Close(daf, dad, 1e-6, 1e-7, $"{name} da float n={n}");
            K.Close(dbf, dbd, 1e-6, 1e-7, $"{name} db float n={n}");
            float[] only = new float[n];
            f(af, bf, dyf, only, Span<float>.Empty); // an empty gradient is skipped
        }
    }

    [Fact]
    public void MaximumTieSplitsTheGradient()
    {
        double[] da = [0], db = [0];
        Elementwise.MaximumBackward([2.0], [2.0], [1.0], da, db);
        Assert.Equal(0.5, da[0]);
        Assert.Equal(0.5, db[0]);
    }

    [Theory, MemberData(nameof(Levels))]
    public void AccumulateAxpyAndRowVectorMatchReference(int level)
    {
        using var _ = K.AtLevel(level);
        foreach (int n in K.Lengths)
        {
            float[] x = K.Uniform(n, 1, -2, 2), y0 = K.Uniform(n, 2, -2, 2);
            float[] y = (float[])y0.Clone();
            Elementwise.Accumulate(x, y);
            K.Close(y, Enumerable.Range(0, n).Select(i => (double)y0[i] + x[i]).ToArray(), 6e-8, 1e-12, $"Accumulate n={n}");
            y = (float[])y0.Clone();
            Elementwise.Axpy(-0.3f, x, y);
            K.Close(y, Enumerable.Range(0, n).Select(i => y0[i] + (double)-0.3f * x[i]).ToArray(), 1.2e-7, 1e-7, $"Axpy n={n}");
            double[] yd = K.ToDouble(y0);
            Elementwise.Axpy(2.0, K.ToDouble(x), yd);
            K.Close(yd, Enumerable.Range(0, n).Select(i => y0[i] + 2.0 * x[i]).ToArray(), 1e-15, 1e-15, $"Axpy double n={n}");
        }

        foreach (var (rows, cols) in new[] { (0, 5), (1, 1), (3, 7), (5, 67), (33, 9), (64, 130) })
        {
            float[] m0 = K.Uniform(rows * cols, 3, -1, 1), bias = K.Uniform(cols, 4, -1, 1);
            float[] m = (float[])m0.Clone();
            Elementwise.AddRowVector(bias, m, rows, cols);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    Assert.Equal(m0[r * cols + c] + bias[c], m[r * cols + c]);

            float[] acc0 = K.Uniform(cols, 5, -1, 1);
            float[] acc = (float[])acc0.Clone();
            Elementwise.SumColumns(m0, acc, rows, cols);
            double[] expected = new double[cols];
            for (int c = 0; c < cols; c++)
            {
                expected[c] = acc0[c];
                for (int r = 0; r < rows; r++) expected[c] += m0[r * cols + c];
            }
            K.Close(acc, expected, 0, 1e-5, $"SumColumns {rows}x{cols}");
            double[] accd = K.ToDouble(acc0);
            Elementwise.SumColumns(K.ToDouble(m0), accd, rows, cols);
            K.Close(accd, expected, 1e-14, 1e-14, $"SumColumns double {rows}x{cols}");
        }
    }

    [Fact]
    public void SpecialValues()
    {
        float[] x = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, -1f, float.Epsilon, 89f, -104f];
        float[] y = new float[x.Length];
        foreach (int level in K.LevelInts())
        {
            using var _ = K.AtLevel(level);
            Elementwise.Exp(x, y);
            Assert.Equal([float.NaN, float.PositiveInfinity, 0f, 1f, 1f, MathF.Exp(-1f), 1f, float.PositiveInfinity, 0f], y);
            Elementwise.Log(x, y);
            Assert.True(float.IsNaN(y[0]) && y[1] == float.PositiveInfinity && float.IsNaN(y[2]) && y[3] == float.NegativeInfinity
                && y[4] == float.NegativeInfinity && float.IsNaN(y[5]), $"Log specials at level {level}: {string.Join(", ", y)}");
            Assert.Equal(Math.Log(float.Epsilon), y[6], 5);
            Elementwise.Maximum(x, [1, 1, 1, 1, 1, 1, 1, 1, 1], y);
            Assert.True(float.IsNaN(y[0]), "Maximum propagates NaN");
            Elementwise.Clamp(x, -1, 1, y);
            Assert.True(float.IsNaN(y[0]) && y[1] == 1 && y[2] == -1, "Clamp keeps NaN, clamps infinities");
        }
    }

    [Fact]
    public void MismatchedLengthsAndPartialOverlapThrow()
    {
        float[] a = new float[10];
        Assert.Throws<ArgumentException>(() => Elementwise.Add(a, new float[9], new float[10]));
        Assert.Throws<ArgumentException>(() => Elementwise.Exp(a.AsSpan(0, 8), a.AsSpan(1, 8)));
        Assert.Throws<ArgumentException>(() => Elementwise.AddRowVector(new float[3], a, 2, 5));
    }
}
