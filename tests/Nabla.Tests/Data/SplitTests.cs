using Nabla.Data;
using Nabla.Errors;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Data;

public class SplitTests
{
    /// <summary>1000 rows, classes 0/1/2 in proportions 60/30/10 %, feature = row index (to trace rows).</summary>
    private static TensorDataset Imbalanced()
    {
        int n = 1000;
        var labels = Enumerable.Range(0, n).Select(i => i < 600 ? 0 : i < 900 ? 1 : 2).ToArray();
        var x = Tensor.FromArray(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), n, 1);
        return new TensorDataset(x, labels);
    }

    [Fact]
    public void StratifiedSplitKeepsClassProportions()
    {
        var ds = Imbalanced();
        var s = Split.TrainValidationTest(ds, (0.7, 0.1, 0.2), seed: 3, stratified: true);
        Assert.Equal((700, 100, 200), (s.Train.Count, s.Validation.Count, s.Test.Count));
        Assert.Equal(new[] { 420, 210, 70 }, s.Train.ClassCounts());
        Assert.Equal(new[] { 60, 30, 10 }, s.Validation.ClassCounts());
        Assert.Equal(new[] { 120, 60, 20 }, s.Test.ClassCounts());
        // Disjoint, complete, and the rows carry their own features and labels.
        var all = s.TrainIndices.Concat(s.ValidationIndices).Concat(s.TestIndices).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 1000), all);
        for (int i = 0; i < s.Test.Count; i++)
        {
            Assert.Equal(s.TestIndices[i], (int)s.Test.Features[i, 0]);
            Assert.Equal(ds.Labels![s.TestIndices[i]], s.Test.Labels![i]);
        }
        // Same seed, same split; another seed, another.
        Assert.Equal(s.TestIndices, Split.TrainValidationTest(ds, (0.7, 0.1, 0.2), 3, true).TestIndices);
        Assert.NotEqual(s.TestIndices, Split.TrainValidationTest(ds, (0.7, 0.1, 0.2), 4, true).TestIndices);
    }

    [Fact]
    public void UnstratifiedSplitHasTheRequestedSizesAndRejectsBadFractions()
    {
        var ds = Imbalanced();
        var s = Split.TrainValidationTest(ds, (0.5, 0.25, 0.25), seed: 1);
        Assert.Equal((500, 250, 250), (s.Train.Count, s.Validation.Count, s.Test.Count));
        Assert.Throws<ValueException>(() => Split.TrainValidationTest(ds, (0.5, 0.3, 0.3)));
        Assert.Throws<ValueException>(() => Split.TrainValidationTest(new TensorDataset(Tensor.Zeros([4, 1]), Tensor.Zeros([4, 1])), (0.5, 0.25, 0.25), stratified: true));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void KFoldValidatesEverySampleExactlyOnce(bool stratified)
    {
        var ds = Imbalanced();
        var folds = new KFold(7, shuffle: true, seed: 9, stratified: stratified).Split(ds);
        Assert.Equal(7, folds.Count);
        var seen = new int[ds.Count];
        foreach (var f in folds)
        {
            Assert.Empty(f.TrainIndices.Intersect(f.ValidationIndices));
            Assert.Equal(ds.Count, f.TrainIndices.Length + f.ValidationIndices.Length);
            Assert.InRange(f.ValidationIndices.Length, 1000 / 7, 1000 / 7 + 1);
            foreach (int i in f.ValidationIndices) seen[i]++;
            if (stratified)
            {
                var counts = new int[3];
                foreach (int i in f.ValidationIndices) counts[ds.Labels![i]]++;
                Assert.InRange(counts[0], 600 / 7, 600 / 7 + 1);
                Assert.InRange(counts[1], 300 / 7, 300 / 7 + 1);
                Assert.InRange(counts[2], 100 / 7, 100 / 7 + 1);
            }
        }
        Assert.All(seen, c => Assert.Equal(1, c));
    }

    [Fact]
    public void CrossValidationAveragesMetricsOverFolds()
    {
        var ds = Imbalanced();
        // The "metric" is the validation fold's mean feature (row index): across folds covering every row once with
        // equal sizes (1000 / 4), the mean of fold means is the overall mean 499.5.
        var folds = new List<double>();
        var r = CrossValidation.Run(ds, 4, (train, val) =>
        {
            Assert.Equal(750, train.Count);
            double m = val.Features.ToDoubleArray().Average();
            folds.Add(m);
            return new Dictionary<string, double> { ["mean_index"] = m, ["size"] = val.Count };
        }, seed: 2);
        Assert.Equal(4, r.FoldMetrics.Count);
        Assert.Equal(499.5, r.Mean["mean_index"], 9);
        double mu = folds.Average();
        Assert.Equal(Math.Sqrt(folds.Sum(v => (v - mu) * (v - mu)) / 4), r.StandardDeviation["mean_index"], 9);
        Assert.Equal(250, r.Mean["size"]);
        Assert.Equal(0, r.StandardDeviation["size"]);
        Assert.Throws<ValueException>(() => CrossValidation.Run(ds, 3, (t, v) => new Dictionary<string, double> { [$"m{t.Count}"] = 1 }));
    }
}
