using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Autograd;

/// <summary>The computation-graph example of the lectures: J(a, b, c) = 3(a + bc).</summary>
public class SeedExampleTests
{
    [Fact]
    public void ThreeTimesAPlusBCAtFiveThreeTwo()
    {
        var a = Tensor.Scalar(5); a.RequiresGrad = true;
        var b = Tensor.Scalar(3); b.RequiresGrad = true;
        var c = Tensor.Scalar(2); c.RequiresGrad = true;
        var u = b * c;          // 6
        var v = a + u;          // 11
        var j = 3.0 * v;        // 33
        j.Backward();
        Assert.Equal(33.0, j.Item());
        Assert.Equal(3.0, a.Grad!.Item());
        Assert.Equal(6.0, b.Grad!.Item());
        Assert.Equal(9.0, c.Grad!.Item());
    }

    [Fact]
    public void NeuronWeightedSumPlusBias()
    {
        // z = b + Σ wᵢxᵢ, then the sigmoid neuron of the lectures.
        var x = Tensor.FromArray([1f, 2f, 3f]);
        var w = Tensor.FromArray([0.5f, -1f, 0.25f]); w.RequiresGrad = true;
        var b = Tensor.Scalar(0.1); b.RequiresGrad = true;
        var z = (w * x).Sum() + b;
        Assert.Equal(0.5 - 2 + 0.75 + 0.1, z.Item(), 5);
        var y = z.Sigmoid();
        y.Backward();
        double s = 1 / (1 + Math.Exp(0.65)), ds = s * (1 - s);
        Assert.Equal(ds, b.Grad!.Item(), 5);
        Assert.Equal(new[] { ds * 1, ds * 2, ds * 3 }.Select(v => (float)v), w.Grad!.ToArray(), new FloatTol(1e-5f));
    }

    private sealed class FloatTol(float tol) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tol;
        public int GetHashCode(float obj) => 0;
    }
}
