using Nabla.Errors;
using Nabla.NN;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.NN;

public class BatchNormTests
{
    // Naive per-channel statistics of x viewed as [N, C, S]: mean and biased variance.
    private static (double[] Mean, double[] Var) Stats(Tensor x)
    {
        int n = x.Shape[0], c = x.Shape[1], s = x.Numel / (n * c);
        var mean = new double[c];
        var variance = new double[c];
        for (int ch = 0; ch < c; ch++)
        {
            var vals = new List<double>();
            for (int b = 0; b < n; b++)
                for (int i = 0; i < s; i++) vals.Add(x.GetFlat((b * c + ch) * s + i));
            mean[ch] = vals.Average();
            variance[ch] = vals.Sum(v => (v - mean[ch]) * (v - mean[ch])) / vals.Count;
        }
        return (mean, variance);
    }

    private static void SetAffine(BatchNorm bn, double[] gamma, double[] beta)
    {
        bn.Weight!.Data.CopyFrom(Tensor.FromArray(gamma, gamma.Length));
        bn.Bias!.Data.CopyFrom(Tensor.FromArray(beta, beta.Length));
    }

    [Fact]
    public void TrainingNormalizesWithBatchStatistics()
    {
        var bn = new BatchNorm1d(3);
        bn.To(DType.Float64);
        SetAffine(bn, [1.5, -0.5, 2], [0.1, 0.2, -0.3]);
        var x = Rand64([5, 3, 4], seed: 1, low: -3, high: 5);
        var y = bn.Forward(x);
        var (mean, variance) = Stats(x);
        double[] g = [1.5, -0.5, 2], b = [0.1, 0.2, -0.3];
        for (int n = 0; n < 5; n++)
            for (int c = 0; c < 3; c++)
                for (int l = 0; l < 4; l++)
                    Assert.Equal(g[c] * (x[n, c, l] - mean[c]) / Math.Sqrt(variance[c] + 1e-5) + b[c], y[n, c, l], 10);
    }

    [Fact]
    public void RunningStatisticsFollowTheMomentumFormula()
    {
        var bn = new BatchNorm2d(2);
        bn.To(DType.Float64);
        double[] rm = [0, 0], rv = [1, 1];
        for (int batch = 0; batch < 4; batch++)
        {
            var x = Rand64([3, 2, 2, 3], seed: 10 + batch, low: -1 + batch, high: 2 + 2 * batch);
            bn.Forward(x);
            var (mean, variance) = Stats(x);
            const int m = 3 * 2 * 3; // values per channel
            for (int c = 0; c < 2; c++)
            {
                rm[c] = 0.9 * rm[c] + 0.1 * mean[c];
                rv[c] = 0.9 * rv[c] + 0.1 * variance[c] * m / (m - 1); // unbiased variance in the running estimate
            }
        }
        AssertClose(rm, bn.RunningMean.ToDoubleArray(), 1e-12);
        AssertClose(rv, bn.RunningVar.ToDoubleArray(), 1e-12);
        Assert.Equal(4, bn.NumBatchesTracked.Item());
    }

    [Fact]
    public void EvaluationUsesRunningStatisticsAndDoesNotUpdateThem()
    {
        var bn = new BatchNorm1d(2);
        bn.To(DType.Float64);
        SetAffine(bn, [2, 3], [1, -1]);
        bn.RunningMean.CopyFrom(Tensor.FromArray(new double[] { 0.5, -1 }, 2));
        bn.RunningVar.CopyFrom(Tensor.FromArray(new double[] { 4, 0.25 }, 2));
        bn.Eval();
        var x = Tensor.FromArray(new double[] { 1, 2, 3, 4 }, 2, 2);
        var y = bn.Forward(x);
        double e = 1e-5;
        AssertClose(
            [2 * (1 - 0.5) / Math.Sqrt(4 + e) + 1, 3 * (2 + 1) / Math.Sqrt(0.25 + e) - 1,
             2 * (3 - 0.5) / Math.Sqrt(4 + e) + 1, 3 * (4 + 1) / Math.Sqrt(0.25 + e) - 1],
            y.ToDoubleArray(), 1e-12);
        Assert.Equal(new[] { 0.5, -1 }, bn.RunningMean.ToDoubleArray());
        Assert.Equal(0, bn.NumBatchesTracked.Item());
    }

    public static TheoryData<int[], bool> GradCases => new()
    {
        { [6, 3], true }, { [4, 3, 5], true }, { [3, 3, 2, 2], true },
        { [6, 3], false }, { [3, 3, 2, 2], false },
    };

    [Theory]
    [MemberData(nameof(GradCases))]
    public void GradientsInFloat64(int[] shape, bool training)
    {
        BatchNorm bn = shape.Length == 4 ? new BatchNorm2d(3) : new BatchNorm1d(3);
        bn.To(DType.Float64);
        SetAffine(bn, [1.3, -0.7, 0.4], [0.2, 0.5, -0.1]);
        bn.RunningMean.CopyFrom(Tensor.FromArray(new double[] { 0.1, -0.2, 0.3 }, 3));
        bn.RunningVar.CopyFrom(Tensor.FromArray(new double[] { 0.5, 2, 1.5 }, 3));
        bn.Train(training);
        var x = Rand64(shape, seed: 21, low: -2, high: 3);
        AssertGradients(() => bn.Forward(x), x, bn.Weight!.Data, bn.Bias!.Data);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WithoutAffineTheLayerOnlyNormalizesAndHasNoParameters(bool training)
    {
        var bn = new BatchNorm2d(3, affine: false);
        Assert.False(bn.Affine);
        Assert.Empty(bn.Parameters());
        Assert.Equal(new[] { "running_mean", "running_var", "num_batches_tracked" }, bn.NamedBuffers().Select(b => b.Name));
        Assert.Equal("BatchNorm2d(3, affine: false)", bn.Describe());
        bn.To(DType.Float64);
        bn.RunningMean.CopyFrom(Tensor.FromArray(new double[] { 0.1, -0.2, 0.3 }, 3));
        bn.RunningVar.CopyFrom(Tensor.FromArray(new double[] { 0.5, 2, 1.5 }, 3));
        bn.Train(training);
        var x = Rand64([4, 3, 2, 2], seed: 31, low: -2, high: 3);
        AssertGradients(() => bn.Forward(x), x);
        var y = bn.Forward(x);
        for (int c = 0; c < 3; c++)
        {
            // Training: the batch statistics give each channel mean 0 and (biased) variance 1 - ε/(σ² + ε).
            // Evaluation: the running statistics, (x − running_mean)/√(running_var + ε).
            var xs = Enumerable.Range(0, 4).SelectMany(n => Enumerable.Range(0, 4).Select(k => x.GetFlat(n * 12 + c * 4 + k))).ToArray();
            var ys = Enumerable.Range(0, 4).SelectMany(n => Enumerable.Range(0, 4).Select(k => y.GetFlat(n * 12 + c * 4 + k))).ToArray();
            double mu = training ? xs.Average() : bn.RunningMean.GetFlat(c);
            double var = training ? xs.Select(v => (v - xs.Average()) * (v - xs.Average())).Average() : bn.RunningVar.GetFlat(c);
            for (int i = 0; i < 16; i++) Assert.Equal((xs[i] - mu) / Math.Sqrt(var + 1e-5), ys[i], 10);
        }
    }

    [Fact]
    public void FusedBackwardMatchesTheComposedFormula()
    {
        // Reference: the same normalization written with elementary tensor ops, differentiated by autograd.
        var bn = new BatchNorm2d(2);
        bn.To(DType.Float64);
        SetAffine(bn, [0.8, 1.7], [0.3, -0.4]);
        var x = Rand64([3, 2, 2, 2], seed: 8, low: -1, high: 2);
        var wy = Rand64([3, 2, 2, 2], seed: 9).Detach();
        (bn.Forward(x) * wy).Sum().Backward();
        var dxFused = x.Grad!.ToDoubleArray();
        var dgFused = bn.Weight!.Grad!.ToDoubleArray();
        x.Grad = null;

        var gamma = Tensor.FromArray(new double[] { 0.8, 1.7 }, 1, 2, 1, 1);
        gamma.RequiresGrad = true;
        var mean = x.Mean([0, 2, 3], keepDim: true);
        var variance = x.Variance([0, 2, 3], keepDim: true);
        var reference = gamma * (x - mean) / (variance + 1e-5).Sqrt() + Tensor.FromArray(new double[] { 0.3, -0.4 }, 1, 2, 1, 1);
        (reference * wy).Sum().Backward();
        AssertClose(x.Grad!.ToDoubleArray(), dxFused, 1e-10);
        AssertClose(gamma.Grad!.ToDoubleArray(), dgFused, 1e-10);
    }

    [Fact]
    public void InputGradientAddsToAGradientFromAnotherPath()
    {
        // x feeds the layer and a second term: the layer writes its part straight into x's gradient, adding to (or
        // being added to by) the other; and 9 values per channel have a SIMD part and a scalar tail on every width.
        var bn = new BatchNorm2d(3);
        bn.To(DType.Float64);
        SetAffine(bn, [0.8, -1.1, 1.7], [0.0, 0.3, -0.2]);
        var x = Rand64([2, 3, 3, 3], seed: 31, low: -1, high: 2);
        var w = Rand64([2, 3, 3, 3], seed: 32).Detach();
        AssertGradients(() => (bn.Forward(x) * w).Sum() + (x * x).Sum(), x, bn.Weight!.Data, bn.Bias!.Data);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LargeInputsAreBitIdenticalOnAnyThreadCount(bool training)
    {
        // [16, 24, 11, 13]: channels spread over the threads; every channel's sums stay on one thread in one order.
        var x0 = Rand64([16, 24, 11, 13], seed: 41, low: -2, high: 3).Detach().ToDType(DType.Float32);
        var wy = Rand64([16, 24, 11, 13], seed: 42).Detach().ToDType(DType.Float32);
        (float[] Y, float[] Dx, float[] Dg, float[] Db, float[] Mean) Run(int threads)
        {
            int keep = Threads.Max;
            Threads.Max = threads;
            try
            {
                var bn = new BatchNorm2d(24);
                bn.Train(training);
                var x = x0.Detach();
                x.RequiresGrad = true;
                var y = bn.Forward(x);
                (y * wy).Sum().Backward();
                return (y.ToArray(), x.Grad!.ToArray(), bn.Weight!.Grad!.ToArray(), bn.Bias!.Grad!.ToArray(), bn.RunningMean.ToArray());
            }
            finally { Threads.Max = keep; }
        }
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one.Y, two.Y);
        Assert.Equal(one.Dx, two.Dx);
        Assert.Equal(one.Dg, two.Dg);
        Assert.Equal(one.Db, two.Db);
        Assert.Equal(one.Mean, two.Mean);
        // And the values are right: the normalized output of channel 0 has mean β = 0 and variance γ² = 1 in training.
        if (training)
        {
            var ch0 = Enumerable.Range(0, 16).SelectMany(b => one.Y.Skip((b * 24) * 143).Take(143)).Select(v => (double)v).ToArray();
            Assert.Equal(0, ch0.Average(), 5);
            Assert.Equal(1, ch0.Select(v => v * v).Average(), 4);
        }
    }

    [Fact]
    public void Float32AgreesWithFloat64()
    {
        var x64 = Rand64([4, 3, 5], seed: 2, low: -2, high: 2);
        var x32 = x64.Detach().ToDType(DType.Float32);
        x32.RequiresGrad = true;
        var bn32 = new BatchNorm1d(3);
        var bn64 = new BatchNorm1d(3);
        bn64.To(DType.Float64);
        var w = Rand64([4, 3, 5], seed: 3).Detach();
        var y32 = bn32.Forward(x32);
        var y64 = bn64.Forward(x64);
        (y32 * w.ToDType(DType.Float32)).Sum().Backward();
        (y64 * w).Sum().Backward();
        AssertClose(y64.ToDoubleArray(), y32.ToDoubleArray(), 1e-5);
        AssertClose(x64.Grad!.ToDoubleArray(), x32.Grad!.ToDoubleArray(), 1e-4);
        AssertClose(bn64.RunningVar.ToDoubleArray(), bn32.RunningVar.ToDoubleArray(), 1e-6);
    }

    [Fact]
    public void ParametersAndBuffersAreNamedAsInPyTorch()
    {
        var bn = new BatchNorm2d(4);
        Assert.Equal(new[] { "weight", "bias" }, bn.NamedParameters().Select(p => p.Name));
        Assert.All(bn.Parameters(), p => Assert.True(p.IsBias));
        Assert.Equal(new[] { 1f, 1, 1, 1 }, bn.Weight!.Data.ToArray());
        Assert.Equal(new float[4], bn.Bias!.Data.ToArray());
        Assert.Equal(new[] { "running_mean", "running_var", "num_batches_tracked" }, bn.NamedBuffers().Select(b => b.Name));
        bn.To(DType.Float64);
        Assert.Equal(DType.Float64, bn.RunningMean.DType);
        Assert.Equal(DType.Float64, bn.NamedBuffers().First().Buffer.DType);
    }

    [Fact]
    public void BadInputsNameTheLayerAndTheShapes()
    {
        var e1 = Assert.Throws<ShapeException>(() => new BatchNorm2d(3).Forward(Tensor.Zeros([2, 3, 4])));
        Assert.Contains("BatchNorm2d(3)", e1.Message);
        Assert.Contains("[N, 3, H, W]", e1.Message);
        Assert.Contains("[2,3,4]", e1.Message);
        var e2 = Assert.Throws<ShapeException>(() => new BatchNorm1d(3).Forward(Tensor.Zeros([2, 4])));
        Assert.Contains("[2,4]", e2.Message);
        var e3 = Assert.Throws<ShapeException>(() => new BatchNorm1d(3).Forward(Tensor.Zeros([1, 3])));
        Assert.Contains("more than one value per channel", e3.Message);
        var e4 = Assert.Throws<ValueException>(() => new BatchNorm1d(3).Forward(Tensor.Zeros([2, 3], DType.Float64)));
        Assert.Contains("Float64", e4.Message);
    }
}
