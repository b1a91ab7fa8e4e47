using Nabla.Errors;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.NN;

public class ActivationModuleTests
{
    private static double Sig(double x) => 1 / (1 + Math.Exp(-x));

    // Φ by numerical integration of the normal density (Simpson), independent of the library's erf.
    private static double Phi(double x)
    {
        const int n = 2000;
        double a = -12, h = (x - a) / n, sum = 0;
        for (int i = 0; i <= n; i++)
        {
            double t = a + i * h, w = i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2;
            sum += w * Math.Exp(-t * t / 2);
        }
        return sum * h / 3 / Math.Sqrt(2 * Math.PI);
    }

    private static readonly string[] AllNames = ["ReLU", "LeakyReLU", "ELU", "Sigmoid", "Tanh", "Identity", "GELU", "GELU tanh", "SiLU", "PReLU"];

    public static TheoryData<string> Names => new(AllNames);

    private static (Module Module, Func<double, double> Reference) Make(string name) => name switch
    {
        "ReLU" => (new ReLU(), x => Math.Max(0, x)),
        "LeakyReLU" => (new LeakyReLU(0.1), x => x > 0 ? x : 0.1 * x),
        "ELU" => (new ELU(0.7), x => x > 0 ? x : 0.7 * (Math.Exp(x) - 1)),
        "Sigmoid" => (new Sigmoid(), Sig),
        "Tanh" => (new Tanh(), x => (Math.Exp(x) - Math.Exp(-x)) / (Math.Exp(x) + Math.Exp(-x))),
        "Identity" => (new Identity(), x => x),
        "GELU" => (new GELU(), x => x * Phi(x)),
        "GELU tanh" => (new GELU(GELUApproximation.Tanh), x => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)))),
        "SiLU" => (new SiLU(), x => x * Sig(x)),
        "PReLU" => (new PReLU(), x => x > 0 ? x : 0.25 * x),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void ForwardMatchesTheFormula(string name)
    {
        var (m, reference) = Make(name);
        m.To(DType.Float64);
        double[] xs = [-3, -1.5, -0.2, 0.3, 1, 2.5];
        var y = m.Forward(Tensor.FromArray(xs, 2, 3)).ToDoubleArray();
        AssertClose(xs.Select(reference).ToArray(), y, 1e-6);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void GradientMatchesCentralDifferences(string name)
    {
        var (m, _) = Make(name);
        m.To(DType.Float64);
        var x = Rand64([3, 4], seed: 11, low: -2, high: 2);
        var inputs = new List<Tensor> { x };
        inputs.AddRange(m.Parameters().Select(p => p.Data));
        AssertGradients(() => m.Forward(x), [.. inputs]);
    }

    [Fact]
    public void SoftmaxRowsArePositiveAndSumToOne()
    {
        var x = Tensor.FromArray(new double[] { 0, 0.006, 0.12, 1, 2, 3 }, 2, 3);
        var y = new Softmax().Forward(x);
        // The lectures' example: softmax([0, 0.006, 0.12]) ≈ [0.319, 0.321, 0.36].
        AssertClose([0.319, 0.321, 0.36], [y[0, 0], y[0, 1], y[0, 2]], 2e-3);
        double z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        AssertClose([Math.Exp(1) / z, Math.Exp(2) / z, Math.Exp(3) / z], [y[1, 0], y[1, 1], y[1, 2]], 1e-12);
    }

    [Fact]
    public void SoftmaxAndLogSoftmaxOverAxisZero()
    {
        var x = Rand64([3, 2], seed: 5);
        var y = new Softmax(axis: 0).Forward(x);
        var ly = new LogSoftmax(axis: 0).Forward(x);
        for (int j = 0; j < 2; j++)
        {
            double z = 0;
            for (int i = 0; i < 3; i++) z += Math.Exp(x[i, j]);
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(Math.Exp(x[i, j]) / z, y[i, j], 12);
                Assert.Equal(x[i, j] - Math.Log(z), ly[i, j], 12);
            }
        }
        AssertGradients(() => new Softmax(0).Forward(x), x);
        AssertGradients(() => new LogSoftmax(0).Forward(x), x);
    }

    [Fact]
    public void SoftmaxWithABadAxisNamesTheProblem()
    {
        var ex = Assert.ThrowsAny<NablaException>(() => new Softmax(axis: 2).Forward(Tensor.Zeros([2, 3])));
        Assert.Contains("softmax", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ActivationsHaveNoParametersExceptPReLU()
    {
        foreach (var name in AllNames)
            Assert.Equal(name == "PReLU" ? 1 : 0, Make(name).Module.ParameterCount());
    }

    [Fact]
    public void GELUTanhMatchesPyTorch()
    {
        // x = torch.tensor([-3.0, -1.0, -0.25, 0.0, 0.5, 1.5, 4.0], dtype=torch.float64, requires_grad=True)
        // y = torch.nn.functional.gelu(x, approximate='tanh'); y.sum().backward()  (printed with precision=17)
        var x = Tensor.FromArray([-3.0, -1.0, -0.25, 0.0, 0.5, 1.5, 4.0], 7);
        x.RequiresGrad = true;
        var y = new GELU(GELUApproximation.Tanh).Forward(x);
        AssertClose([-3.63739208177299433e-03, -1.58808009391723237e-01, -1.00324649298315000e-01, 0, 3.45714009825143942e-01,
            1.39957157698023282e+00, 3.99992975405180751e+00], y.ToDoubleArray(), 1e-14);
        y.Sum().Backward();
        AssertClose([-0.01158416663096965, -0.08296408384578252, 0.30464590484893955, 0.5, 0.86736990353464238,
            1.12771079315143297, 1.00033512319712203], x.Grad!.ToDoubleArray(), 1e-14);
        // the exact form differs (by up to about 5e-4): the option matters
        Assert.NotEqual(new GELU().Forward(x.Detach()).GetFlat(1), y.GetFlat(1), 6);
        Assert.Equal("GELU(tanh)", new GELU(GELUApproximation.Tanh).Describe());
        // float32 follows the same function
        var f = new GELU(GELUApproximation.Tanh).Forward(Tensor.FromArray([-1f, 1.5f]));
        AssertClose([-1.58808009391723237e-01, 1.39957157698023282], f.ToDoubleArray(), 1e-6);
    }
}
