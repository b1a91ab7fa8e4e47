using Nabla.Autograd;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests;

/// <summary>Shared helpers: float64 random inputs and an assertion wrapper around the gradient checker.</summary>
internal static class TestUtil
{
    public static Tensor Rand64(int[] shape, int seed, double low = -1, double high = 1)
    {
        var t = Tensor.Uniform(shape, low, high, new Generator((ulong)seed), DType.Float64);
        t.RequiresGrad = true;
        return t;
    }

    public static void AssertGradients(Func<Tensor> f, params Tensor[] inputs)
    {
        var r = GradCheck.Check(f, inputs);
        Assert.True(r.Passed, r.ToString());
    }

    public static void AssertClose(double[] expected, double[] actual, double tol = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]}, got {actual[i]}");
    }
}
