using Nabla.Tensors;
using Nabla.Training;
using Xunit;

namespace Nabla.Tests.Training;

public class MetricsTests
{
    [Fact]
    public void ConfusionMatrixCountsAndPerClassScores()
    {
        int[] actual = [0, 0, 0, 1, 1, 2, 2, 2, 2];
        int[] pred = [0, 0, 1, 1, 2, 2, 2, 2, 0];
        var cm = new ConfusionMatrix(pred, actual, 3);
        Assert.Equal(2, cm[0, 0]); Assert.Equal(1, cm[0, 1]); Assert.Equal(1, cm[2, 0]); Assert.Equal(3, cm[2, 2]);
        Assert.Equal(6.0 / 9, cm.Accuracy, 12);
        // class 0: TP 2, FP 1 (a 2 predicted as 0), FN 1 → P = 2/3, R = 2/3.
        Assert.Equal(2.0 / 3, cm.Precision(0), 12);
        Assert.Equal(2.0 / 3, cm.Recall(0), 12);
        // class 2: TP 3, FP 1, FN 1 → P = 3/4, R = 3/4, F1 = 3/4.
        Assert.Equal(0.75, cm.F1(2), 12);
        // class 1: TP 1, FP 1, FN 1 → 1/2 each.
        Assert.Equal((2.0 / 3 + 0.5 + 0.75) / 3, cm.MacroF1, 12);
        Assert.Contains("precision", cm.ToString());
        Assert.Equal(6.0 / 9, Metrics.Accuracy(pred, actual), 12);
    }

    [Fact]
    public void TopKAccuracyCountsLabelsAmongTheKBest()
    {
        var scores = Tensor.FromArray([0.1f, 0.5f, 0.4f, 0.7f, 0.2f, 0.1f], 2, 3);
        Assert.Equal(0.0, Metrics.TopKAccuracy(scores, [2, 1], 1));
        Assert.Equal(1.0, Metrics.TopKAccuracy(scores, [2, 1], 2));
        Assert.Equal(0.5, Metrics.TopKAccuracy(scores, [1, 1], 1));
    }

    [Fact]
    public void RegressionMetrics()
    {
        var y = Tensor.FromArray([1f, 2f, 3f, 4f]);
        var p = Tensor.FromArray([1f, 3f, 2f, 4f]);
        Assert.Equal(0.5, Metrics.MeanSquaredError(p, y), 12);
        Assert.Equal(0.5, Metrics.MeanAbsoluteError(p, y), 12);
        Assert.Equal(1 - 2.0 / 5.0, Metrics.RSquared(p, y), 12); // SS_res 2, SS_tot 5
    }

    [Fact]
    public void BadLabelsAreRejected()
    {
        Assert.Throws<Nabla.Errors.ValueException>(() => new ConfusionMatrix([3], [0], 3));
        Assert.Throws<Nabla.Errors.ShapeException>(() => Metrics.Accuracy([1, 2], [1]));
    }
}
