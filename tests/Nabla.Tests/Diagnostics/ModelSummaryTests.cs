using Nabla.Diagnostics;
using Nabla.Errors;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Diagnostics;

public class ModelSummaryTests
{
    private static Sequential Mlp() => new(new Linear(784, 256), new ReLU(), new Linear(256, 128), new ReLU(), new Linear(128, 10));

    [Fact]
    public void MlpCountsFollowTheDenseFormula()
    {
        var s = Mlp().Summary(1, 784);
        Assert.Equal((784 + 1) * 256 + (256 + 1) * 128 + (128 + 1) * 10, s.TotalParameters);
        Assert.Equal(235_146, s.TotalParameters);
        Assert.Equal(s.TotalParameters, s.TrainableParameters);
        Assert.Equal(784 * 256 + 256 * 128 + 128 * 10, s.TotalMultiplyAccumulates);
        Assert.Equal(new[] { "0", "1", "2", "3", "4" }, s.Rows.Select(r => r.Name));
        Assert.Equal(new Shape?[] { new Shape(1, 256), new Shape(1, 256), new Shape(1, 128), new Shape(1, 128), new Shape(1, 10) }, s.Rows.Select(r => r.OutputShape));
        Assert.Equal(new long[] { 785 * 256, 0, 257 * 128, 0, 129 * 10 }, s.Rows.Select(r => r.Parameters));
        Assert.Equal(new long[] { 784 * 256, 0, 256 * 128, 0, 128 * 10 }, s.Rows.Select(r => r.MultiplyAccumulates));
        Assert.Equal(new Shape(1, 10), s.OutputShape);
    }

    [Fact]
    public void MacsScaleWithTheBatch()
    {
        var s = ModelSummary.Summary(Mlp(), 8, 784);
        Assert.Equal(8L * (784 * 256 + 256 * 128 + 128 * 10), s.TotalMultiplyAccumulates);
        Assert.Equal(new Shape(8, 10), s.OutputShape);
    }

    [Fact]
    public void TableIsAlignedAndShowsTheTotals()
    {
        string text = Mlp().Summary(1, 784).ToString();
        var lines = text.Split('\n');
        Assert.StartsWith("Layer", lines[0]);
        var rowLines = lines.Skip(2).TakeWhile(l => !l.StartsWith('=')).ToList();
        Assert.Equal(5, rowLines.Count);
        Assert.All(rowLines, l => Assert.Equal(lines[0].Length, l.Length));
        Assert.Contains("Linear(784 → 256)", rowLines[0]);
        Assert.Contains("[1,256]", rowLines[0]);
        Assert.EndsWith("200,704", rowLines[0]);
        Assert.Contains("Total params: 235,146", text);
        Assert.Contains("Trainable params: 235,146", text);
        Assert.Contains("Total MACs: 234,752", text);
    }

    [Fact]
    public void NestedModulesGetHierarchicalRows()
    {
        var model = new Sequential(
            new Flatten(),
            new Residual(new Sequential(new Linear(12, 12), new PReLU())),
            new BatchNorm1d(12),
            new Maxout(12, 5, pieces: 3),
            new Dropout(0.5));
        var s = model.Summary(2, 3, 4);
        Assert.Equal(new[] { "0", "1", "1.body", "1.body.0", "1.body.1", "2", "3", "3.linear", "4" }, s.Rows.Select(r => r.Name));
        Assert.Equal(new[] { 1, 1, 2, 3, 3, 1, 1, 2, 1 }, s.Rows.Select(r => r.Depth));
        var byName = s.Rows.ToDictionary(r => r.Name);
        Assert.Equal(new Shape(2, 12), byName["0"].OutputShape);
        Assert.Equal(new Shape(2, 15), byName["3.linear"].OutputShape);
        Assert.Equal(new Shape(2, 5), byName["3"].OutputShape);
        Assert.Equal(2L * 12 * 15, byName["3.linear"].MultiplyAccumulates);
        Assert.Equal(13 * 15, byName["3.linear"].Parameters);
        Assert.Equal(2 * 12, byName["2"].Parameters);
        Assert.Equal(1, byName["1.body.1"].Parameters);
        Assert.Equal(2L * (12 * 12 + 12 * 15), s.TotalMultiplyAccumulates);
        Assert.Equal(model.ParameterCount(), s.Rows.Sum(r => r.Parameters));
        Assert.Contains("    1.body.0", s.ToString()); // indented by depth
    }

    [Fact]
    public void LeavesTheModelAsItWas()
    {
        var gen = new Generator(5);
        var bn = new BatchNorm1d(4);
        var inner = new Sequential(new Linear(4, 4), new Dropout(0.5, gen));
        var model = new Sequential(inner, bn);
        inner.Eval(); // mixed modes must survive
        var state = gen.GetState();
        var s = model.Summary(3, 4);
        Assert.True(model.IsTraining);
        Assert.True(bn.IsTraining);
        Assert.False(inner.IsTraining);
        Assert.False(inner.Layers[1].IsTraining);
        Assert.Equal(0, bn.NumBatchesTracked.Item());
        Assert.Equal(new[] { 0f, 0, 0, 0 }, bn.RunningMean.ToArray());
        Assert.Equal(state, gen.GetState());
        Assert.All(model.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void FrozenParametersAreNotTrainable()
    {
        var model = Mlp();
        ((Linear)model.Layers[0]).Freeze();
        var s = model.Summary(1, 784);
        Assert.Equal(235_146, s.TotalParameters);
        Assert.Equal(235_146 - 785 * 256, s.TrainableParameters);
        Assert.Equal(785 * 256, s.NonTrainableParameters);
        Assert.Equal(0, s.Rows[0].TrainableParameters);
    }

    private sealed class FakeConv : Module
    {
        public override Tensor Forward(Tensor input) => input * 2.0;
        public override long MultiplyAccumulates(Shape input, Shape output) => 7L * output.Numel;
    }

    private sealed class Twice : Module
    {
        private readonly FakeConv _layer = new();
        public override Tensor Forward(Tensor input) => ForwardChild(_layer, ForwardChild(_layer, input));
    }

    private sealed class Hidden : Module
    {
        private readonly Linear _fc = new(3, 2);
        public override Tensor Forward(Tensor input) => _fc.Forward(input); // not through ForwardChild: unobserved
    }

    [Fact]
    public void ModulesDeclareTheirOwnMacsAndRepeatedCallsAddUp()
    {
        var s = new Twice().Summary(2, 5);
        var row = Assert.Single(s.Rows);
        Assert.Equal("layer", row.Name);
        Assert.Equal(2 * 7L * 10, row.MultiplyAccumulates);
    }

    [Fact]
    public void UnobservedModulesAreListedWithoutAShape()
    {
        var s = new Hidden().Summary(1, 3);
        var row = Assert.Single(s.Rows);
        Assert.Null(row.OutputShape);
        Assert.Equal(8, row.Parameters);
        Assert.Contains(" - ", s.ToString());
        Assert.Equal(new Shape(1, 2), s.OutputShape);
    }

    [Fact]
    public void ASingleLayerIsItsOwnRow()
    {
        var s = new Linear(3, 2).Summary(4, 3);
        var row = Assert.Single(s.Rows);
        Assert.Equal("Linear", row.Name);
        Assert.Equal(4L * 3 * 2, row.MultiplyAccumulates);
        Assert.Equal(new Shape(4, 2), row.OutputShape);
    }

    [Fact]
    public void BadInputShapeIsReported()
    {
        var ex = Assert.Throws<ShapeException>(() => Mlp().Summary(1, 100));
        Assert.Contains("Linear(784 → 256)", ex.Message);
        Assert.Throws<ShapeException>(() => Mlp().Summary());
    }
}
