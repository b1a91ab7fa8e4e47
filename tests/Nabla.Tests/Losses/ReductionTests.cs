using Nabla.Losses;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.Losses.LossAssert;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.Losses;

/// <summary>PyTorch's reductions (over every element) beside Keras's (over per-sample losses).</summary>
public class ReductionTests
{
    private static readonly double[,] X = { { 0.2, -1.0, 0.5 }, { 1.5, 0.3, -0.4 } };
    private static readonly double[,] Y = { { 0.0, -0.5, 1.0 }, { 1.0, 1.0, 0.0 } };

    [Fact]
    public void MSEReductionsOfBothConventions()
    {
        // squared differences: 0.04 0.25 0.25 | 0.25 0.49 0.16 (F.mse_loss with 'none' prints these; 'sum' 1.44, 'mean' 0.24)
        double[] each = [0.04, 0.25, 0.25, 0.25, 0.49, 0.16];
        var mse = (Reduction r) => new MSE(r).Forward(T64(X), T64(Y));
        var perElement = mse(Reduction.PerElement);
        Assert.Equal([2, 3], perElement.Shape.ToArray());
        AssertClose(each, perElement.ToDoubleArray(), 1e-14);
        AssertClose([1.44], [mse(Reduction.SumAll).Item()], 1e-14);
        AssertClose([0.24], [mse(Reduction.MeanAll).Item()], 1e-14);
        AssertClose([0.24], [mse(Reduction.Mean).Item()], 1e-14);
        // Keras's: per-sample means 0.18 and 0.3, their sum 0.48 (a third of PyTorch's sum over 3 elements per sample)
        AssertClose([0.18, 0.3], mse(Reduction.None).ToDoubleArray(), 1e-14);
        AssertClose([0.48], [mse(Reduction.Sum).Item()], 1e-14);
    }

    [Fact]
    public void KLDivergenceMeanAllIsPyTorchsMean()
    {
        // q = [[0.2,0.3,0.5],[0.6,0.1,0.3]], p = [[0.1,0.6,0.3],[0,0.5,0.5]]; F.kl_div(q.log(), p, reduction=...):
        // 'none' = p·(log p − log q); 'sum' 1.25345767125022101; 'mean' 0.20890961187503684; 'batchmean' 0.62672883562511050
        var q = T64(new double[,] { { 0.2, 0.3, 0.5 }, { 0.6, 0.1, 0.3 } });
        var p = T64(new double[,] { { 0.1, 0.6, 0.3 }, { 0.0, 0.5, 0.5 } });
        var kl = (Reduction r) => new KLDivergence(r).Forward(q, p);
        double[] each = [0.1 * Math.Log(0.1 / 0.2), 0.6 * Math.Log(0.6 / 0.3), 0.3 * Math.Log(0.3 / 0.5), 0, 0.5 * Math.Log(0.5 / 0.1), 0.5 * Math.Log(0.5 / 0.3)];
        AssertClose(each, kl(Reduction.PerElement).ToDoubleArray(), 1e-14);
        Assert.Equal([2, 3], kl(Reduction.PerElement).Shape.ToArray());
        AssertClose([1.25345767125022101], [kl(Reduction.SumAll).Item()], 1e-14);
        AssertClose([1.25345767125022101], [kl(Reduction.Sum).Item()], 1e-14);
        AssertClose([0.20890961187503684], [kl(Reduction.MeanAll).Item()], 1e-14);
        AssertClose([0.62672883562511050], [kl(Reduction.Mean).Item()], 1e-14);
    }

    [Fact]
    public void CrossEntropiesReducePerSampleUnderEitherConvention()
    {
        var x = T64(new double[,] { { 1, 2, 0.5 }, { -1, 0, 3 } });
        int[] labels = [1, 2];
        foreach (var (pytorch, keras) in new[] { (Reduction.PerElement, Reduction.None), (Reduction.SumAll, Reduction.Sum), (Reduction.MeanAll, Reduction.Mean) })
        {
            Assert.Equal(new CrossEntropy(keras).Forward(x, labels).ToDoubleArray(), new CrossEntropy(pytorch).Forward(x, labels).ToDoubleArray());
            Assert.Equal(new SparseCategoricalCrossEntropy(keras, fromLogits: true).Forward(x, labels).ToDoubleArray(),
                new SparseCategoricalCrossEntropy(pytorch, fromLogits: true).Forward(x, labels).ToDoubleArray());
            var soft = T64(new double[,] { { 0.2, 0.8, 0 }, { 0, 0, 1 } });
            var p = x.Softmax(-1);
            Assert.Equal(new CategoricalCrossEntropy(keras).Forward(p, soft).ToDoubleArray(), new CategoricalCrossEntropy(pytorch).Forward(p, soft).ToDoubleArray());
        }
        Assert.Equal([2], new CrossEntropy(Reduction.PerElement).Forward(x, labels).Shape.ToArray());
    }

    [Fact]
    public void PerElementGradientsFlowElementByElement()
    {
        var p = Rand64([2, 3], 31, -1, 1);
        var t = Rand64([2, 3], 32, -1, 1);
        // d/dp of Σ c ⊙ (p − t)² is 2c ⊙ (p − t): each element keeps its own incoming gradient, without a 1/M
        var c = Tensor.FromArray([1.0, 2, 3, 4, 5, 6], 2, 3);
        (new MSE(Reduction.PerElement).Forward(p, t) * c).Sum().Backward();
        var expected = new double[6];
        for (int i = 0; i < 6; i++) expected[i] = 2 * (i + 1) * (p.GetFlat(i) - t.GetFlat(i));
        AssertClose(expected, p.Grad!.ToDoubleArray(), 1e-14);
        foreach (var r in Enum.GetValues<Reduction>())
        {
            AssertGradients(() => new MSE(r).Forward(p, t), p, t);
            AssertGradients(() => new KLDivergence(r).Forward(p.Sigmoid(), t.Sigmoid()), p, t);
        }
    }
}
