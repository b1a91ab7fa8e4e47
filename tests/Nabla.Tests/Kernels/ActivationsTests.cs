using Nabla.Kernels;
using Xunit;

namespace Nabla.Tests.Kernels;

[Collection(SimdLevelCollection.Name)]
public class ActivationsTests
{
    // Independent double references: the textbook formulas, not the kernels' rearrangements.
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
    // ln(1 + u): the alternating series below 1e-2 (truncation < 1e-17 relative), the plain formula above.
    private static double Log1P(double u)
    {
        if (u >= 1e-2) return Math.Log(1 + u);
        double s = 0, p = 1;
        for (int k = 1; k <= 8; k++) { p *= -u; s -= p / k; }
        return s;
    }
    private static double GeluTanh(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));

    private static readonly Dictionary<string, UnaryCase> Forward = new()
    {
        ["ReLU"] = new(Activations.ReLU, Activations.ReLU, x => Math.Max(x, 0), -5, 5, 0),
        ["LeakyReLU"] = new((x, y) => Activations.LeakyReLU(x, 0.1f, y), (x, y) => Activations.LeakyReLU(x, 0.1, y), x => x > 0 ? x : 0.1 * x, -5, 5, 1.2e-7),
        ["ELU"] = new((x, y) => Activations.ELU(x, 1.5f, y), (x, y) => Activations.ELU(x, 1.5, y), x => x > 0 ? x : 1.5 * (Math.Exp(x) - 1), -12, 5, 2.5e-7, 1e-15),
        ["Sigmoid"] = new(Activations.Sigmoid, Activations.Sigmoid, Sigmoid, -20, 20, 2.5e-7),
        ["Tanh"] = new(Activations.Tanh, Activations.Tanh, Math.Tanh, -12, 12, 2.5e-7),
        // GELU and SiLU cross zero and cancel for negative x: an absolute floor of a few float ulps of x.
        ["GELU"] = new(Activations.GELU, Activations.GELU, GeluTanh, -12, 12, 4e-7, 2e-7),
        ["SiLU"] = new(Activations.SiLU, Activations.SiLU, x => x * Sigmoid(x), -20, 20, 4e-7, 1e-12),
        ["Softplus"] = new(Activations.Softplus, Activations.Softplus, x => Math.Max(x, 0) + Log1P(Math.Exp(-Math.Abs(x))), -20, 20, 4e-7),
    };

    private static readonly Dictionary<string, GradCase> Grad = new()
    {
        ["ReLU"] = new(Activations.ReLU, Activations.ReLU, Activations.ReLUBackward, Activations.ReLUBackward, false, -3, 3),
        ["LeakyReLU"] = new((x, y) => Activations.LeakyReLU(x, 0.1f, y), (x, y) => Activations.LeakyReLU(x, 0.1, y),
            (x, dy, dx) => Activations.LeakyReLUBackward(x, 0.1f, dy, dx), (x, dy, dx) => Activations.LeakyReLUBackward(x, 0.1, dy, dx), false, -3, 3),
        ["ELU"] = new((x, y) => Activations.ELU(x, 1.5f, y), (x, y) => Activations.ELU(x, 1.5, y),
            (y, dy, dx) => Activations.ELUBackward(y, 1.5f, dy, dx), (y, dy, dx) => Activations.ELUBackward(y, 1.5, dy, dx), true, -5, 3),
        ["Sigmoid"] = new(Activations.Sigmoid, Activations.Sigmoid, Activations.SigmoidBackward, Activations.SigmoidBackward, true, -8, 8),
        ["Tanh"] = new(Activations.Tanh, Activations.Tanh, Activations.TanhBackward, Activations.TanhBackward, true, -4, 4),
        ["GELU"] = new(Activations.GELU, Activations.GELU, Activations.GELUBackward, Activations.GELUBackward, false, -6, 6),
        ["SiLU"] = new(Activations.SiLU, Activations.SiLU, Activations.SiLUBackward, Activations.SiLUBackward, false, -8, 8),
        ["Softplus"] = new(Activations.Softplus, Activations.Softplus, Activations.SoftplusBackward, Activations.SoftplusBackward, false, -8, 8),
    };

    public static TheoryData<string, int> ForwardNames => K.Cross(Forward.Keys);
    public static TheoryData<string, int> GradNames => K.Cross(Grad.Keys);

    [Theory, MemberData(nameof(ForwardNames))]
    public void ForwardMatchesDoubleReference(string name, int level) => Check.UnaryForward(Forward[name], level, name);

    [Theory, MemberData(nameof(GradNames))]
    public void BackwardPassesGradientCheckAndFloatMatchesDouble(string name, int level)
    {
        Check.GradientCheck(Grad[name], name);
        Check.GradFloat(Grad[name], level, name);
    }

    [Fact]
    public void ReLUGradientAtZeroIsZero()
    {
        float[] dx = [0, 0];
        Activations.ReLUBackward([0f, -0f], [1f, 1f], dx);
        Assert.Equal([0f, 0f], dx);
        float[] dxl = [0];
        Activations.LeakyReLUBackward([0f], 0.2f, [1f], dxl);
        Assert.Equal(0.2f, dxl[0]);
    }

    [Fact]
    public void ExtremeInputsStayFinite()
    {
        float[] x = [-1e30f, -100f, -88f, 88f, 100f, 1e30f];
        float[] y = new float[x.Length];
        foreach (int level in K.LevelInts())
        {
            using var _ = K.AtLevel(level);
            Activations.Sigmoid(x, y);
            Assert.Equal([0f, (float)Math.Exp(-100), (float)Sigmoid(-88), 1f, 1f, 1f], y);
            Activations.Tanh(x, y);
            Assert.Equal([-1f, -1f, -1f, 1f, 1f, 1f], y);
            Activations.Softplus(x, y);
            Assert.Equal([0f, (float)Math.Exp(-100), (float)Math.Exp(-88), 88f, 100f, 1e30f], y);
            Activations.SiLU(x, y);
            Assert.All(y, v => Assert.True(float.IsFinite(v)));
            Activations.GELU(x, y);
            Assert.Equal([0f, 0f, 0f, 88f, 100f, 1e30f], y);
            float[] dx = new float[x.Length];
            Activations.GELUBackward(x, [1, 1, 1, 1, 1, 1], dx);
            Assert.Equal([0f, 0f, 0f, 1f, 1f, 1f], dx);
            Activations.Tanh([float.NaN], y.AsSpan(0, 1));
            Assert.True(float.IsNaN(y[0]));
            Activations.Sigmoid([float.NaN], y.AsSpan(0, 1));
            Assert.True(float.IsNaN(y[0]));
        }
    }

    [Fact]
    public void ReLUKeepsNaNAtEverySimdLevel()
    {
        // 19 values: full vectors and a partial tail on every path; NaN in both.
        float[] x = Enumerable.Range(0, 19).Select(i => i % 4 == 1 ? float.NaN : i - 9f).ToArray();
        double[] xd = x.Select(v => (double)v).ToArray();
        foreach (int level in K.LevelInts())
        {
            using var _ = K.AtLevel(level);
            float[] y = new float[x.Length];
            double[] yd = new double[x.Length];
            Activations.ReLU(x, y);
            Activations.ReLU(xd, yd);
            for (int i = 0; i < x.Length; i++)
            {
                float expected = float.IsNaN(x[i]) ? float.NaN : Math.Max(x[i], 0f);
                Assert.Equal(expected, y[i]);
                Assert.Equal(expected, (float)yd[i]);
            }
        }
    }

    [Fact]
    public void ELUBackwardRejectsNegativeAlpha()
        => Assert.Throws<ArgumentOutOfRangeException>(() => Activations.ELUBackward(new float[1], -1f, new float[1], new float[1]));
}
