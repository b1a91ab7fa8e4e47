using Nabla.Data;
using Nabla.Data.Preprocessing;
using Nabla.Errors;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Xunit;

namespace Nabla.Tests.Reliability;

/// <summary>
/// The audit of public entry points: every bad input gets the documented error type, and its message names the
/// layer, option or file together with what was expected and what was found.
/// </summary>
public class BadInputTests
{
    private static T Fails<T>(Action act, params string[] fragments) where T : Exception
    {
        var e = Assert.Throws<T>(act);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
        return e;
    }

    private static Tensor X(params int[] shape) => Tensor.Randn(shape, new Generator(1));

    // ---- wrong input shapes, per layer ----

    [Fact]
    public void LinearNamesItselfAndBothShapes()
    {
        Fails<ShapeException>(() => new Linear(4, 3).Forward(X(2, 5)), "Linear(4 → 3)", "[.., 4]", "[2,5]");
        Fails<ShapeException>(() => new Linear(4, 3).Forward(Tensor.Scalar(1)), "Linear(4 → 3)", "[]");
        Fails<ValueException>(() => new Linear(0, 3), "Linear", "in=0");
    }

    [Fact]
    public void Conv2dNamesChannelsRankAndKernel()
    {
        Fails<ShapeException>(() => Tensor.Conv2d(X(2, 3, 8, 8), X(4, 2, 3, 3)), "conv2d", "3 channels", "[4,2,3,3]", "expects 2");
        Fails<ShapeException>(() => Tensor.Conv2d(X(3, 8, 8), X(4, 3, 3, 3)), "conv2d", "[N,C,H,W]", "[3,8,8]");
        Fails<ShapeException>(() => Tensor.Conv2d(X(1, 1, 2, 2), X(1, 1, 3, 3)), "conv2d", "kernel height 3", "input height 2");
        Fails<ShapeException>(() => Tensor.Conv2d(X(1, 1, 5, 5), X(2, 1, 3, 3), X(3)), "conv2d", "bias must be [2]", "[3]");
        Fails<ShapeException>(() => Tensor.Conv2d(X(1, 1, 5, 5), X(2, 1, 3, 3), stride: (0, 1)), "conv2d", "stride height 0");
    }

    [Fact]
    public void MaxPool2dNamesRankKernelAndStride()
    {
        Fails<ShapeException>(() => X(2, 4, 4).MaxPool2d((2, 2)), "max_pool2d", "[N,C,H,W]", "[2,4,4]");
        Fails<ShapeException>(() => X(1, 1, 4, 4).MaxPool2d((5, 5)), "max_pool2d", "kernel height 5", "input height 4");
        Fails<ShapeException>(() => X(1, 1, 4, 4).MaxPool2d((2, 2), stride: (1, 0)), "max_pool2d", "stride width 0");
        Fails<ShapeException>(() => X(1, 1, 4, 4).MaxPool2d((2, 2), padding: (2, 0)), "max_pool2d", "padding height 2");
    }

    [Fact]
    public void BatchNormNamesExpectedAndActualShapes()
    {
        Fails<ShapeException>(() => new BatchNorm1d(3).Forward(X(2, 4)), "BatchNorm1d(3)", "[N, 3] or [N, 3, L]", "[2,4]");
        Fails<ShapeException>(() => new BatchNorm1d(3).Forward(X(2, 3, 4, 4)), "BatchNorm1d(3)", "[2,3,4,4]");
        Fails<ShapeException>(() => new BatchNorm1d(3).Forward(X(3)), "BatchNorm1d(3)", "[3]");
        Fails<ShapeException>(() => new BatchNorm2d(3).Forward(X(2, 3)), "BatchNorm2d(3)", "[N, 3, H, W]", "[2,3]");
        Fails<ShapeException>(() => new BatchNorm2d(3).Forward(X(2, 5, 4, 4)), "BatchNorm2d(3)", "[2,5,4,4]");
        Fails<ShapeException>(() => new BatchNorm1d(3).Forward(X(1, 3)), "BatchNorm1d(3)", "more than one value per channel", "[1,3]");
        Fails<ValueException>(() => new BatchNorm2d(3, momentum: 2), "BatchNorm2d", "momentum", "2");
    }

    [Fact]
    public void FlattenMaxoutPReLUDropout()
    {
        Fails<ShapeException>(() => new Flatten(2).Forward(X(4, 5)), "Flatten(2, -1)", "[4,5]", "rank 2");
        Fails<ShapeException>(() => new Maxout(4, 3).Forward(X(2, 5)), "Maxout(4 → 3, k=2)", "[.., 4]", "[2,5]");
        Fails<ShapeException>(() => new PReLU(3).Forward(X(2, 4)), "PReLU(3)", "[N, 3, …]", "[2,4]");
        Fails<ShapeException>(() => new PReLU(3).Forward(X(6)), "PReLU(3)", "[6]");
        Fails<ValueException>(() => new PReLU(0), "PReLU", "got 0");
        foreach (double p in new[] { -0.1, 1.5, double.NaN, double.PositiveInfinity })
            Fails<ValueException>(() => new Dropout(p), "Dropout", "[0, 1]", $"got {p}");
    }

    [Fact]
    public void LayersPassNaNThroughWithoutThrowing()
    {
        // Policy: layers do not inspect values (that would cost every forward); NaN in gives NaN out, and
        // Fit/Evaluate refuse non-finite data up front (below).
        var x = Tensor.FromArray([1f, float.NaN, 3f, 4f], 1, 4);
        var y = new Linear(4, 2, generator: new Generator(2)).Forward(x);
        Assert.All(y.ToArray(), v => Assert.True(float.IsNaN(v)));
        // Through a whole evaluation-mode network (the inference arena path): ReLU keeps NaN, so every output is NaN.
        var m = new Sequential(new Linear(4, 3, generator: new Generator(4)), new ReLU(), new Linear(3, 2, generator: new Generator(5))).Eval();
        Assert.All(m.Forward(x).ToArray(), v => Assert.True(float.IsNaN(v)));
        // An infinite input makes every pre-activation of the first layer infinite (its weights are non-zero).
        var inf = new Linear(4, 3, generator: new Generator(6)).Forward(Tensor.FromArray([float.PositiveInfinity, 0, 0, 0], 1, 4));
        Assert.All(inf.ToArray(), v => Assert.True(float.IsInfinity(v)));
    }

    // ---- non-finite data ----

    private static Trainer Classifier(int inputs = 3, int classes = 4)
    {
        var model = new Sequential(new Linear(inputs, classes, generator: new Generator(3)));
        return new Trainer(model, new CrossEntropy(), new SGD(model.Parameters(), 0.1));
    }

    private static TensorDataset Data(int n = 10, int features = 3, int classes = 4)
    {
        var x = Tensor.Randn([n, features], new Generator(4));
        return new TensorDataset(x, Enumerable.Range(0, n).Select(i => i % classes).ToArray());
    }

    [Fact]
    public void FitRefusesNonFiniteFeaturesNamingRowAndColumn()
    {
        var data = Data(40, 3);
        data.Features.SetFlat(17 * 3 + 2, double.NaN);
        var t = Classifier();
        var before = t.Model.Parameters().Select(p => p.Data.ToArray()).ToList();
        Fails<ValueException>(() => t.Fit(data, epochs: 1), "Fit: training set", "features [40,3]", "NaN", "row 17, column 2");
        Assert.Equal(before, t.Model.Parameters().Select(p => p.Data.ToArray()).ToList());

        var val = Data(10, 3);
        val.Features.SetFlat(0, double.NegativeInfinity);
        Fails<ValueException>(() => t.Fit(Data(), epochs: 1, validation: val), "Fit: validation set", "-Infinity", "row 0, column 0");
        Fails<ValueException>(() => t.Evaluate(val), "Evaluate", "row 0, column 0");
    }

    [Fact]
    public void FitRefusesNonFiniteRegressionTargetsAndFindsTheLastElement()
    {
        var x = Tensor.Randn([33, 2], new Generator(5));
        var y = Tensor.Zeros([33, 1]);
        y.SetFlat(32, double.PositiveInfinity); // the scalar tail after the vector loop
        var model = new Sequential(new Linear(2, 1));
        var t = new Trainer(model, new MSE(), new Adam(model.Parameters()));
        Fails<ValueException>(() => t.Fit(new TensorDataset(x, y), epochs: 1), "targets [33,1]", "+Infinity", "row 32, column 0");
        var image = Tensor.Zeros([2, 1, 3, 3], DType.Float64);
        image.SetFlat(9 + 4, double.NaN);
        Fails<ValueException>(() => new TensorDataset(image, [0, 1]).EnsureFinite("check"), "check: features [2,1,3,3]", "row 1, column 4");
        new TensorDataset(Tensor.Zeros([0, 3]), []).EnsureFinite("empty is finite");
    }

    // ---- labels out of range ----

    [Fact]
    public void LabelsOutOfRangeNameTheLabelItsRowAndTheRange()
    {
        var logits = X(3, 4);
        Fails<ValueException>(() => new CrossEntropy().Forward(logits, [0, 4, 1]), "CrossEntropy", "label 4 at row 1", "[0, 4)");
        Fails<ValueException>(() => new CrossEntropy().Forward(logits, [0, 1, -1]), "CrossEntropy", "label -1 at row 2");
        Fails<ValueException>(() => new CrossEntropy().Forward(logits, Tensor.FromArray([0f, 2.5f, 1f])), "CrossEntropy", "2.5", "not a whole number");
        Fails<ValueException>(() => new CrossEntropy().Forward(logits, Tensor.FromArray([0f, float.NaN, 1f])), "CrossEntropy", "NaN at row 1");
        Fails<ShapeException>(() => new CrossEntropy().Forward(logits, [0, 1]), "CrossEntropy", "2 labels", "3 samples");
        Fails<ValueException>(() => new SparseCategoricalCrossEntropy(fromLogits: true).Forward(logits, [7, 0, 0]), "SparseCategoricalCrossEntropy", "label 7 at row 0", "[0, 4)");
        Fails<ValueException>(() => new SparseCategoricalCrossEntropy(fromLogits: false).Forward(logits.Softmax(), Tensor.FromArray([0f, 0f, 4f])), "SparseCategoricalCrossEntropy", "label 4 at row 2");
        Fails<ValueException>(() => Tensor.OneHot([0, 3], 3), "one_hot", "label 3 at position 1", "[0, 3)");
        Fails<ValueException>(() => Tensor.OneHot([0], 0), "one_hot", "got 0");
        var enc = new OneHotEncoder();
        enc.Fit([0, 1, 2]);
        Fails<ValueException>(() => enc.Transform([1, 5]), "OneHotEncoder.Transform", "label 5 at position 1", "0..2");
        Fails<ValueException>(() => new ConfusionMatrix([0, 5], [0, 1], 3), "ConfusionMatrix", "predicted 5", "at 1", "[0, 3)");
        Fails<ValueException>(() => new ConfusionMatrix([0, 1], [-2, 1], 3), "ConfusionMatrix", "true -2");
        Fails<ShapeException>(() => new ConfusionMatrix([0, 1], [0], 3), "ConfusionMatrix", "2 predictions", "1 labels");
        Fails<ValueException>(() => new TensorDataset(X(2, 3), [0, -1]), "TensorDataset", "label -1 at row 1");
    }

    [Fact]
    public void FitWithMoreClassesThanOutputsNamesTheLabel()
    {
        var t = Classifier(3, 4);
        var data = new TensorDataset(X(6, 3), [0, 1, 2, 3, 9, 0]);
        Fails<ValueException>(() => t.Fit(data, epochs: 1, batchSize: 6, shuffle: false), "CrossEntropy", "label 9 at row 4", "[0, 4)");
    }

    // ---- empty data, batch sizes, epochs ----

    [Fact]
    public void EmptyDatasetsAreRefusedByEveryConsumer()
    {
        var empty = new TensorDataset(Tensor.Zeros([0, 3]), []);
        Assert.Equal(0, empty.Count);
        Assert.Equal(0, empty.NumClasses);
        Fails<ValueException>(() => new DataLoader(empty, 4), "DataLoader", "empty", "0 examples");
        Fails<ValueException>(() => DataLoader.FullBatch(empty), "DataLoader", "empty");
        var t = Classifier();
        Fails<ValueException>(() => t.Fit(empty, epochs: 1), "Fit", "training set is empty");
        Fails<ValueException>(() => t.Fit(Data(), epochs: 1, validation: empty), "Fit", "validation set is empty");
        Fails<ValueException>(() => t.Evaluate(empty), "Evaluate", "empty");
        Fails<ShapeException>(() => t.Predict(Tensor.Zeros([0, 3])), "Predict", "N ≥ 1", "[0,3]");
        Fails<DataFormatException>(() => CsvReader.Read(new StringReader("a,b,label\n"), "head.csv", new CsvOptions { LabelColumn = "label" }), "head.csv", "no data rows");
        Fails<DataFormatException>(() => CsvReader.Read(new StringReader("\n\n"), "blank.csv"), "blank.csv", "no rows");
    }

    [Fact]
    public void BatchSizesBelowOneAreRefused()
    {
        foreach (int b in new[] { 0, -1, int.MinValue })
        {
            Fails<ValueException>(() => new DataLoader(Data(), b), "DataLoader", "batchSize must be positive", $"got {b}");
            Fails<ValueException>(() => Classifier().Fit(Data(), epochs: 1, batchSize: b), "Fit", "batch size", $"got {b}");
            Fails<ValueException>(() => Classifier().EvaluationBatchSize = b, "EvaluationBatchSize", $"got {b}");
        }
        Fails<ValueException>(() => new DataLoader(Data(10), 11, dropLast: true), "DataLoader", "dropLast", "11");
    }

    [Fact]
    public void EpochsBelowOneAreRefused()
    {
        foreach (int e in new[] { 0, -3 })
            Fails<ValueException>(() => Classifier().Fit(Data(), epochs: e), "Fit", "epochs", $"got {e}");
    }

    // ---- learning rates, for every optimizer ----

    public static TheoryData<string> OptimizerNames => ["SGD", "Adam", "AdamW", "AdaGrad", "AdaDelta", "RMSProp", "RMSPropNesterov"];

    private static Optimizer Make(string name, IEnumerable<ParamGroup> p, double lr) => name switch
    {
        "SGD" => new SGD(p, lr),
        "Adam" => new Adam(p, lr),
        "AdamW" => new AdamW(p, lr),
        "AdaGrad" => new AdaGrad(p, lr),
        "AdaDelta" => new AdaDelta(p, lr),
        "RMSProp" => new RMSProp(p, lr),
        "RMSPropNesterov" => new RMSPropNesterov(p, lr),
        _ => throw new ArgumentException(name),
    };

    private static Optimizer Make(string name, IEnumerable<Parameter> p, double lr) => name switch
    {
        "SGD" => new SGD(p, lr),
        "Adam" => new Adam(p, lr),
        "AdamW" => new AdamW(p, lr),
        "AdaGrad" => new AdaGrad(p, lr),
        "AdaDelta" => new AdaDelta(p, lr),
        "RMSProp" => new RMSProp(p, lr),
        "RMSPropNesterov" => new RMSPropNesterov(p, lr),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void EveryOptimizerRefusesNaNNegativeAndInfiniteLearningRates(string name)
    {
        var p = new Linear(2, 2).Parameters().ToList();
        foreach (double lr in new[] { double.NaN, -0.1, double.PositiveInfinity, double.NegativeInfinity })
        {
            Fails<ValueException>(() => Make(name, p, lr), name, "learning rate", $"got {lr}");
            var opt = Make(name, p, 0.01);
            Fails<ValueException>(() => opt.LearningRate = lr, name, "learning rate", $"got {lr}");
            Assert.Equal(0.01, opt.LearningRate);
            Fails<ValueException>(() => Make(name, new List<ParamGroup> { new(p, learningRate: lr) }, 0.01), name, "learning rate of group 0");
        }
        Assert.Equal(0, Make(name, p, 0).LearningRate); // 0 is allowed: a frozen run
        Fails<ValueException>(() => Make(name, new List<Parameter>(), 0.01), name, "parameter list is empty");
    }
}
