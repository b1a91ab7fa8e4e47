using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Optim;

/// <summary>Small fixed problems for optimizer tests: the quadratic f(θ) = ½ Σ aᵢθᵢ² and the 2-D Rosenbrock function.</summary>
internal static class OptimTestUtil
{
    /// <summary>A Float64 parameter holding <paramref name="values"/>.</summary>
    public static Parameter Param(params double[] values) => new(Tensor.FromArray(values));

    /// <summary>A Float64 bias parameter holding <paramref name="values"/>.</summary>
    public static Parameter Bias(params double[] values) => new(Tensor.FromArray(values), isBias: true);

    public static double[] Values(Parameter p) => p.Data.ToDoubleArray();

    /// <summary>Sets the gradient by hand.</summary>
    public static void SetGrad(Parameter p, params double[] g) => p.Grad = Tensor.FromArray(g).ToDType(p.Data.DType);

    /// <summary>f(θ) = ½ Σ aᵢθᵢ², its gradient aᵢθᵢ left in p.Grad by autograd. Returns f.</summary>
    public static double QuadraticBackward(Parameter p, double[] a)
    {
        p.Grad = null;
        var loss = 0.5 * (Tensor.FromArray(a).ToDType(p.Data.DType) * p.Data.Square()).Sum();
        loss.Backward();
        return loss.Item();
    }

    /// <summary>Rosenbrock f(x, y) = (1 − x)² + 100 (y − x²)², minimum 0 at (1, 1); gradient by hand:
    /// ∂f/∂x = −2(1 − x) − 400 x (y − x²), ∂f/∂y = 200 (y − x²). Returns f.</summary>
    public static double RosenbrockGrad(Parameter p)
    {
        var v = Values(p);
        double x = v[0], y = v[1];
        SetGrad(p, -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x));
        return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
    }

    public static void AssertValues(double[] expected, Parameter p, double tol = 1e-12)
    {
        var actual = Values(p);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
    }

    /// <summary>Every optimizer type, built over <paramref name="ps"/> with the given rate (nonzero momentum variants included).</summary>
    public static IEnumerable<(string Name, Func<IEnumerable<Parameter>, double, Optimizer> Create)> All() =>
    [
        ("SGD", (ps, lr) => new SGD(ps, lr)),
        ("SGD momentum", (ps, lr) => new SGD(ps, lr, momentum: 0.9)),
        ("SGD Nesterov", (ps, lr) => new SGD(ps, lr, momentum: 0.9, nesterov: true)),
        ("AdaGrad", (ps, lr) => new AdaGrad(ps, lr)),
        ("RMSProp", (ps, lr) => new RMSProp(ps, lr)),
        ("RMSProp momentum", (ps, lr) => new RMSProp(ps, lr, momentum: 0.9)),
        ("RMSPropNesterov", (ps, lr) => new RMSPropNesterov(ps, lr)),
        ("AdaDelta", (ps, lr) => new AdaDelta(ps, lr)),
        ("Adam", (ps, lr) => new Adam(ps, lr)),
        ("AdamW", (ps, lr) => new AdamW(ps, lr)),
        ("RMSProp centered", (ps, lr) => new RMSProp(ps, lr, momentum: 0.5, centered: true, epsilonInsideRoot: false)),
        ("Adam AMSGrad", (ps, lr) => new Adam(ps, lr, amsgrad: true)),
        ("AdamW AMSGrad", (ps, lr) => new AdamW(ps, lr, amsgrad: true)),
        ("NAdam", (ps, lr) => new NAdam(ps, lr)),
    ];
}
