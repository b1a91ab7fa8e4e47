using Nabla.Errors;
using Nabla.NN;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.NN;

public class DropoutTests
{
    [Fact]
    public void TrainingDropsAboutPAndScalesSurvivors()
    {
        var d = new Dropout(0.3, new Generator(1));
        var y = d.Forward(Tensor.Ones([100, 100])).ToDoubleArray();
        int zeros = y.Count(v => v == 0);
        Assert.All(y, v => Assert.True(v == 0 || Math.Abs(v - 1 / 0.7) < 1e-6, $"value {v} is neither 0 nor 1/(1-p)"));
        // 10,000 Bernoulli(0.3) draws: standard deviation √(10⁴·0.21) ≈ 46; allow 5σ.
        Assert.InRange(zeros, 3000 - 230, 3000 + 230);
    }

    [Fact]
    public void KeepsTheExpectedValue()
    {
        // Mean over 2,000 masks of each element ≈ the input. Per sample the std of one element is
        // |x|·√(p/(1−p)) = |x| for p = 0.5, so the mean of 2,000 has std |x|/√2000 ≈ 0.022·|x|; tolerance 0.1·|x| (> 4σ).
        var d = new Dropout(0.5, new Generator(2));
        var x = Tensor.FromArray(new double[] { 1, -2, 3, 0.5 }, 4);
        var sum = new double[4];
        const int samples = 2000;
        for (int s = 0; s < samples; s++)
        {
            var y = d.Forward(x);
            for (int i = 0; i < 4; i++) sum[i] += y[i];
        }
        for (int i = 0; i < 4; i++)
            Assert.True(Math.Abs(sum[i] / samples - x[i]) <= 0.1 * Math.Abs(x[i]), $"element {i}: mean {sum[i] / samples}, input {x[i]}");
    }

    [Fact]
    public void MasksAreFreshEachCallAndReproducible()
    {
        var a = new Dropout(0.5, new Generator(7));
        var b = new Dropout(0.5, new Generator(7));
        var x = Tensor.Ones([50]);
        var a1 = a.Forward(x).ToArray();
        var a2 = a.Forward(x).ToArray();
        Assert.NotEqual(a1, a2);
        Assert.Equal(a1, b.Forward(x).ToArray());
        Assert.Equal(a2, b.Forward(x).ToArray());
    }

    [Theory]
    [InlineData(1003, 0.3, false)] // float: four draws per vector, and a tail of three
    [InlineData(1003, 0.3, true)]
    [InlineData(7, 0.5, false)]
    public void EachElementIsKeptExactlyWhenItsDrawIsAtLeastP(int n, double p, bool float64)
    {
        // The mask is computed four draws at a time: it must still be, element by element, u < p ? 0 : 1/(1 − p).
        var x = Tensor.FromArray(Enumerable.Range(1, n).Select(i => 0.5 + i).ToArray(), n);
        if (!float64) x = x.ToDType(DType.Float32);
        var y = new Dropout(p, new Generator(9)).Forward(x).ToDoubleArray();
        var u = new double[n];
        new Generator(9).Fill(u);
        double scale = 1 / (1 - p);
        for (int i = 0; i < n; i++)
        {
            double expected = u[i] < p ? 0 : float64 ? x[i] * scale : (float)x[i] * (float)scale;
            Assert.True(expected == y[i], $"element {i}: draw {u[i]}, expected {expected}, got {y[i]}");
        }
    }

    [Fact]
    public void IsTheIdentityInEvaluation()
    {
        var d = new Dropout(0.9, new Generator(3));
        d.Eval();
        var x = Rand64([4, 5], seed: 1);
        Assert.Equal(x.ToDoubleArray(), d.Forward(x).ToDoubleArray());
        AssertGradients(() => d.Forward(x), x);
    }

    [Fact]
    public void TrainingGradientWithAFixedMask()
    {
        var gen = new Generator(5);
        var d = new Dropout(0.4, gen);
        var x = Rand64([3, 6], seed: 2);
        AssertGradients(() => { gen.Reseed(42); return d.Forward(x); }, x);
        // The gradient is the mask itself: 0 or 1/(1 − p).
        gen.Reseed(42);
        var y = d.Forward(x);
        y.Sum().Backward();
        for (int i = 0; i < x.Numel; i++)
            Assert.Equal(y.GetFlat(i) == 0 ? 0 : 1 / 0.6, x.Grad!.GetFlat(i), 12);
    }

    [Fact]
    public void ExtremeProbabilities()
    {
        var x = Rand64([10], seed: 3);
        Assert.Equal(x.ToDoubleArray(), new Dropout(0).Forward(x).ToDoubleArray());
        Assert.All(new Dropout(1).Forward(x).ToDoubleArray(), v => Assert.Equal(0, v));
        var ex = Assert.Throws<ValueException>(() => new Dropout(1.5));
        Assert.Contains("Dropout", ex.Message);
    }
}
