using Nabla.Errors;
using Nabla.Losses;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.Losses.LossAssert;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.Losses;

public class NLLTests
{
    // log-probabilities (any numbers: the loss does not check them)
    private static readonly double[,] LogP = { { -0.5, -1.2, -2.0 }, { -0.1, -3.0, -2.5 }, { -1.0, -1.0, -1.1 }, { -0.7, -0.9, -1.9 } };

    [Fact]
    public void WeightedWithAnIgnoredLabelAsPyTorch()
    {
        // lₙ = −w_y·x_y with w = [0.5, 2, 1.5], labels [2, ignored, 0, 1]: 1.5·2 = 3, 0, 0.5·1 = 0.5, 2·0.9 = 1.8;
        // mean = 5.3 / (1.5 + 0.5 + 2) = 1.325. F.nll_loss(lp, torch.tensor([2, -100, 0, 1]), weight=w) gives
        // none [3, 0, 0.5, 1.8], sum 5.3, mean 1.325, and for the mean lp.grad = −w_y/4 at each label: −0.375, −0.125, −0.5.
        double[] w = [0.5, 2, 1.5];
        int[] labels = [2, -100, 0, 1];
        AllReductions(r => new NLL(r, w).Forward(T64(LogP), labels), [3, 0, 0.5, 1.8], meanDenominator: 4, tol: 1e-15);
        var x = T64(LogP, grad: true);
        new NLL(classWeights: w).Forward(x, Tensor.FromArray([2.0, -100, 0, 1], 4)).Backward();
        Assert.Equal([0, 0, -0.375, 0, 0, 0, -0.125, 0, 0, 0, -0.5, 0], x.Grad!.ToDoubleArray());
        Assert.Equal([3.0, 0, 0.5, 1.8], new NLL(Reduction.PerElement, w).Forward(T64(LogP), labels).ToDoubleArray());
    }

    [Fact]
    public void LogSoftmaxThenNLLIsCrossEntropy()
    {
        var x = Rand64([5, 4], 41, -3, 3);
        int[] labels = [0, 3, 1, 1, 2];
        foreach (var r in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
            AssertClose(new CrossEntropy(r).Forward(x, labels).ToDoubleArray(), new NLL(r).Forward(x.LogSoftmax(-1), labels).ToDoubleArray(), 1e-14);
    }

    [Fact]
    public void Gradients()
    {
        var x = Rand64([4, 3], 42, -3, 0);
        foreach (var r in Enum.GetValues<Reduction>())
        {
            AssertGradients(() => new NLL(r).Forward(x, [0, 2, 1, 2]), x);
            AssertGradients(() => new NLL(r, [0.3, 1, 2.5], ignoreIndex: 1).Forward(x, [0, 2, 1, 2]), x);
        }
    }

    [Fact]
    public void EveryLabelIgnoredGivesZeroAndBadLabelsAreNamed()
    {
        var x = T64(LogP, grad: true);
        var loss = new NLL().Forward(x, [-100, -100, -100, -100]);
        Assert.Equal(0, loss.Item());
        loss.Backward();
        Assert.All(x.Grad!.ToDoubleArray(), v => Assert.Equal(0, v));

        var e = Assert.Throws<ValueException>(() => new NLL().Forward(T64(LogP), [0, 3, 1, 1]));
        Assert.Contains("label 3 at row 1", e.Message);
        Assert.Throws<ValueException>(() => new NLL().Forward(T64(LogP), Tensor.FromArray([0, 1.5, 1, 1], 4)));
        Assert.Throws<ShapeException>(() => new NLL(classWeights: [1.0, 2]).Forward(T64(LogP), [0, 1, 1, 1]));
        Assert.Throws<ValueException>(() => new NLL(classWeights: [0.0, 0, 1]).Forward(T64(LogP), [0, 1, 1, 0]));
    }
}
