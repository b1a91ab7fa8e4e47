using Nabla.Errors;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Xunit;
using static Nabla.Tests.Losses.LossAssert;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.Losses;

/// <summary>
/// One from-logits convention across the cross-entropy family: every member has <c>fromLogits</c> with the same meaning,
/// so the loss on logits equals the loss on the probabilities they stand for.
/// </summary>
public class FromLogitsTests
{
    private static readonly double[,] X = { { 1, 2, 0 }, { -1, 0.5, 3 }, { 0.2, 0.1, -0.4 }, { 4, -3, 0 } };
    private static readonly int[] Labels = [2, 0, 1, 0];
    private static readonly double[,] Soft = { { 0.2, 0.3, 0.5 }, { 1, 0, 0 }, { 0, 0.5, 0.5 }, { 0.1, 0.1, 0.8 } };

    private static void AssertSame(Tensor expected, Tensor actual, double tol = 1e-9)
        => AssertClose(expected.ToDoubleArray(), actual.ToDoubleArray(), tol);

    [Fact]
    public void TheDefaultsFollowTheLibraryTheNameComesFrom()
    {
        Assert.True(new CrossEntropy().FromLogits);                  // PyTorch's CrossEntropyLoss
        Assert.True(new BinaryCrossEntropyWithLogits().FromLogits);  // PyTorch's BCEWithLogitsLoss
        Assert.False(new CategoricalCrossEntropy().FromLogits);      // Keras: from_logits=False
        Assert.False(new SparseCategoricalCrossEntropy().FromLogits);
        Assert.False(new BinaryCrossEntropy().FromLogits);
        Assert.False(new CrossEntropy(fromLogits: false).FromLogits);
        Assert.True(new CategoricalCrossEntropy(fromLogits: true).FromLogits);
        Assert.True(new SparseCategoricalCrossEntropy(fromLogits: true).FromLogits);
        Assert.True(new BinaryCrossEntropy(fromLogits: true).FromLogits);
    }

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void EveryMultiClassLossOnLogitsEqualsItselfOnTheSoftmax(Reduction r)
    {
        var x = T64(X);
        var p = x.Softmax();
        var y = T64(Soft);
        AssertSame(new CrossEntropy(r, fromLogits: true).Forward(x, Labels), new CrossEntropy(r, fromLogits: false).Forward(p, Labels));
        AssertSame(new CrossEntropy(r).Forward(x, y), new CrossEntropy(r, fromLogits: false).Forward(p, y));
        AssertSame(new CategoricalCrossEntropy(r, fromLogits: true).Forward(x, y), new CategoricalCrossEntropy(r).Forward(p, y));
        AssertSame(new SparseCategoricalCrossEntropy(r, fromLogits: true).Forward(x, Labels), new SparseCategoricalCrossEntropy(r).Forward(p, Labels));
        // the three names agree with one another on the same data
        AssertSame(new CrossEntropy(r).Forward(x, Labels), new SparseCategoricalCrossEntropy(r, fromLogits: true).Forward(x, Labels));
        AssertSame(new CrossEntropy(r).Forward(x, y), new CategoricalCrossEntropy(r, fromLogits: true).Forward(x, y));
    }

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void CrossEntropyOnProbabilitiesKeepsLabelSmoothingAndClassWeights(Reduction r)
    {
        var x = T64(X);
        var p = x.Softmax();
        double[] w = [0.5, 2, 1];
        AssertSame(new CrossEntropy(r, 0.2, w).Forward(x, Labels), new CrossEntropy(r, 0.2, w, fromLogits: false).Forward(p, Labels));
        AssertSame(new CrossEntropy(r, 0.2, w).Forward(x, T64(Soft)), new CrossEntropy(r, 0.2, w, fromLogits: false).Forward(p, T64(Soft)));
        AssertSame(new CrossEntropy(r, 0.2, w).Forward(T32(X), Labels), new CrossEntropy(r, 0.2, w, fromLogits: false).Forward(T32(X).Softmax(), Labels), 1e-5);
    }

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void BinaryLossOnLogitsEqualsItselfOnTheSigmoidAndTheLogitsClass(Reduction r)
    {
        var x = T64(X);
        var y = T64(Soft);
        var onLogits = new BinaryCrossEntropy(r, positiveWeight: 2, fromLogits: true).Forward(x, y);
        AssertSame(new BinaryCrossEntropyWithLogits(r, positiveWeight: 2).Forward(x, y), onLogits, 0);
        AssertSame(new BinaryCrossEntropy(r, positiveWeight: 2).Forward(x.Sigmoid(), y), onLogits);
    }

    [Fact]
    public void CrossEntropyOnProbabilitiesHasTheGradientsOfItsFormula()
    {
        var p = Rand64([3, 4], 21, 0.05, 0.95);
        var soft = Rand64([3, 4], 22, 0, 1);
        var labels = Tensor.FromArray([3.0, 0, 2], 3);
        double[] w = [1, 0.5, 2, 1.5];
        foreach (var r in new[] { Reduction.Mean, Reduction.Sum, Reduction.None })
        {
            AssertGradients(() => new CrossEntropy(r, fromLogits: false).Forward(p, labels), p);
            AssertGradients(() => new CrossEntropy(r, 0.15, w, fromLogits: false).Forward(p, labels), p);
            AssertGradients(() => new CrossEntropy(r, 0.15, w, fromLogits: false).Forward(p, soft), p, soft);
            AssertGradients(() => new CategoricalCrossEntropy(r, fromLogits: true).Forward(p, soft), p, soft);
        }
        var x = Rand64([3, 2], 23, -4, 4);
        var t = Rand64([3, 2], 24, 0, 1);
        AssertGradients(() => new BinaryCrossEntropy(fromLogits: true).Forward(x, t), x, t);
    }

    [Fact]
    public void CrossEntropyOnProbabilitiesMatchesHandComputedValues()
    {
        var p = T64(new double[,] { { 0.7, 0.2, 0.1 }, { 0.25, 0.25, 0.5 } });
        AllReductions(r => new CrossEntropy(r, fromLogits: false).Forward(p, [0, 2]), [-Math.Log(0.7), -Math.Log(0.5)]);
        // a zero probability is clamped to epsilon: large and finite
        var zero = T64(new double[,] { { 1, 0 } });
        Assert.Equal(-Math.Log(1e-7), new CrossEntropy(fromLogits: false).Forward(zero, [1]).Item(), 9);
    }

    [Fact]
    public void ScoresGivenToAProbabilityLossAreRefusedNamingFromLogits()
    {
        var x = T64(X); // logits, some outside [0, 1]
        foreach (var make in new Func<Tensor>[]
        {
            () => new SparseCategoricalCrossEntropy().Forward(x, Labels),
            () => new CategoricalCrossEntropy().Forward(x, T64(Soft)),
            () => new CrossEntropy(fromLogits: false).Forward(x, Labels),
            () => new BinaryCrossEntropy().Forward(x, T64(Soft)),
        })
        {
            var e = Assert.Throws<ValueException>(make);
            Assert.Contains("prediction 2 at index [0,1] is not a probability in [0, 1]", e.Message);
            Assert.Contains("fromLogits: true", e.Message);
        }
    }

    [Fact]
    public void NaNProbabilitiesPassTheCheckSoThatDivergenceShows()
    {
        var p = T64(new double[,] { { double.NaN, 0.5 } });
        Assert.True(double.IsNaN(new BinaryCrossEntropy().Forward(p, T64(new double[,] { { 1, 0 } })).Item()));
        Assert.True(double.IsNaN(new CategoricalCrossEntropy().Forward(p, T64(new double[,] { { 1, 0 } })).Item()));
    }

    [Fact]
    public void PredictionsUseTheOutputActivationThatFromLogitsImplies()
    {
        var model = new Linear(3, 2);
        OutputActivation Of(Loss loss) => new Trainer(model, loss, new SGD(model.Parameters())).OutputActivation;
        Assert.Equal(OutputActivation.Softmax, Of(new CrossEntropy()));
        Assert.Equal(OutputActivation.None, Of(new CrossEntropy(fromLogits: false)));
        Assert.Equal(OutputActivation.Softmax, Of(new CategoricalCrossEntropy(fromLogits: true)));
        Assert.Equal(OutputActivation.None, Of(new CategoricalCrossEntropy()));
        Assert.Equal(OutputActivation.Softmax, Of(new SparseCategoricalCrossEntropy(fromLogits: true)));
        Assert.Equal(OutputActivation.None, Of(new SparseCategoricalCrossEntropy()));
        Assert.Equal(OutputActivation.Sigmoid, Of(new BinaryCrossEntropy(fromLogits: true)));
        Assert.Equal(OutputActivation.None, Of(new BinaryCrossEntropy()));
        Assert.Equal(OutputActivation.Sigmoid, Of(new BinaryCrossEntropyWithLogits()));
    }
}
