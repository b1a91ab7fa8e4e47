using Nabla.Errors;
using Nabla.NN;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.NN;

public class InitTests
{
    private static (double Mean, double Std, double MaxAbs) Moments(Tensor t)
    {
        var v = t.ToDoubleArray();
        double mean = v.Average();
        return (mean, Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / v.Length), v.Max(Math.Abs));
    }

    // 60,000 samples: the sample std is within ≈0.3% of the true one; 3% tolerance.
    private static void AssertStd(double expected, Tensor t)
    {
        var (mean, std, _) = Moments(t);
        Assert.True(Math.Abs(mean) < 0.02 * expected, $"mean {mean} should be ≈ 0 (std {expected})");
        Assert.True(Math.Abs(std / expected - 1) < 0.03, $"std {std}, expected {expected}");
    }

    private static void AssertUniformBound(double bound, Tensor t)
    {
        var (_, std, maxAbs) = Moments(t);
        Assert.True(maxAbs <= bound * (1 + 1e-6), $"max |w| {maxAbs} exceeds the bound {bound}");
        Assert.True(maxAbs > 0.99 * bound, $"max |w| {maxAbs} should come close to the bound {bound}");
        Assert.True(Math.Abs(std / (bound / Math.Sqrt(3)) - 1) < 0.03, $"std {std}, expected b/√3 = {bound / Math.Sqrt(3)}");
    }

    [Fact]
    public void FansOfDenseAndConvolutionWeights()
    {
        Assert.Equal((784, 128), Init.Fans(new Shape(128, 784)));
        Assert.Equal((8 * 3 * 3, 16 * 3 * 3), Init.Fans(new Shape(16, 8, 3, 3)));
        var ex = Assert.Throws<ShapeException>(() => Init.XavierUniform(Tensor.Zeros([5])));
        Assert.Contains("Init.XavierUniform", ex.Message);
        Assert.Contains("[5]", ex.Message);
    }

    [Fact]
    public void Gains()
    {
        Assert.Equal(1, Init.Gain(Nonlinearity.Linear));
        Assert.Equal(1, Init.Gain(Nonlinearity.Sigmoid));
        Assert.Equal(5.0 / 3, Init.Gain(Nonlinearity.Tanh), 15);
        Assert.Equal(Math.Sqrt(2), Init.Gain(Nonlinearity.ReLU), 15);
        Assert.Equal(Math.Sqrt(2 / 1.04), Init.Gain(Nonlinearity.LeakyReLU, 0.2), 15);
        Assert.Equal(0.75, Init.Gain(Nonlinearity.SELU));
    }

    [Fact]
    public void XavierScalesByBothFans()
    {
        var gen = new Generator(1);
        AssertUniformBound(Math.Sqrt(6.0 / (300 + 200)), Init.XavierUniform(Tensor.Zeros([200, 300]), generator: gen));
        AssertUniformBound(5.0 / 3 * Math.Sqrt(6.0 / 500), Init.XavierUniform(Tensor.Zeros([200, 300]), 5.0 / 3, gen));
        AssertStd(Math.Sqrt(2.0 / 500), Init.XavierNormal(Tensor.Zeros([200, 300]), generator: gen));
        // Convolution kernel: fans include the 3×3 receptive field.
        AssertStd(Math.Sqrt(2.0 / (40 * 9 + 160 * 9)), Init.XavierNormal(Tensor.Zeros([160, 40, 3, 3]), generator: gen));
    }

    [Fact]
    public void KaimingUsesOneFanAndTheGain()
    {
        var gen = new Generator(2);
        AssertStd(Math.Sqrt(2) / Math.Sqrt(300), Init.KaimingNormal(Tensor.Zeros([200, 300]), nonlinearity: Nonlinearity.ReLU, generator: gen));
        AssertStd(Math.Sqrt(2) / Math.Sqrt(200), Init.KaimingNormal(Tensor.Zeros([200, 300]), mode: FanMode.FanOut, nonlinearity: Nonlinearity.ReLU, generator: gen));
        AssertUniformBound(Math.Sqrt(6.0 / 300), Init.KaimingUniform(Tensor.Zeros([200, 300]), nonlinearity: Nonlinearity.ReLU, generator: gen));
        AssertStd(Math.Sqrt(2) / Math.Sqrt(8 * 25), Init.KaimingNormal(Tensor.Zeros([300, 8, 5, 5]), nonlinearity: Nonlinearity.ReLU, generator: gen));
    }

    [Fact]
    public void KaimingUniformWithASqrt5IsTheLinearDefault()
    {
        // Linear's own init is U(±1/√in); Kaiming-uniform with a = √5 must give the same bound, hence the same draws.
        var lin = new Linear(50, 20, generator: new Generator(3));
        var w = Init.KaimingUniform(Tensor.Zeros([20, 50]), a: Math.Sqrt(5), generator: new Generator(3));
        TestUtil.AssertClose(lin.Weight.Data.ToDoubleArray(), w.ToDoubleArray(), 1e-6);
        AssertUniformBound(1 / Math.Sqrt(300), Init.KaimingUniform(Tensor.Zeros([200, 300]), a: Math.Sqrt(5), generator: new Generator(4)));
    }

    [Fact]
    public void LeCunUsesFanIn()
    {
        var gen = new Generator(5);
        AssertStd(1 / Math.Sqrt(300), Init.LeCunNormal(Tensor.Zeros([200, 300]), gen));
        AssertUniformBound(Math.Sqrt(3.0 / 300), Init.LeCunUniform(Tensor.Zeros([200, 300]), gen));
    }

    [Fact]
    public void PlainDistributionsAndConstants()
    {
        var gen = new Generator(6);
        var u = Init.Uniform(Tensor.Zeros([200, 300]), 2, 5, gen).ToDoubleArray();
        Assert.All(u, v => Assert.InRange(v, 2, 5));
        Assert.True(Math.Abs(u.Average() - 3.5) < 0.02);
        var n = Init.Normal(Tensor.Zeros([200, 300]), 1, 0.5, gen);
        Assert.True(Math.Abs(Moments(n).Mean - 1) < 0.01);
        Assert.True(Math.Abs(Moments(n).Std - 0.5) < 0.015);
        Assert.All(Init.Constant(Tensor.Zeros([3, 2], DType.Float64), 0.7).ToDoubleArray(), v => Assert.Equal(0.7, v));
        Assert.All(Init.Zeros(Tensor.Ones([4])).ToDoubleArray(), v => Assert.Equal(0, v));
        Assert.Throws<ValueException>(() => Init.Normal(Tensor.Zeros([2]), 0, -1));
    }

    [Fact]
    public void InitializesAParameterInPlaceOutsideTheGraph()
    {
        var lin = new Linear(4, 3);
        var before = lin.Weight.Data;
        Init.XavierNormal(lin.Weight, generator: new Generator(7));
        Init.Constant(lin.Bias!, 0.1);
        Assert.Same(before, lin.Weight.Data);
        Assert.True(lin.Weight.RequiresGrad);
        Assert.True(lin.Weight.Data.IsLeaf);
        Assert.All(lin.Bias!.Data.ToArray(), v => Assert.Equal(0.1f, v));
        // Same generator seed, same values.
        var again = Init.XavierNormal(Tensor.Zeros([3, 4]), generator: new Generator(7));
        Assert.Equal(again.ToArray(), lin.Weight.Data.ToArray());
    }
}
