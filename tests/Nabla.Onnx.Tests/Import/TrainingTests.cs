using DataType = Nabla.Onnx.Protobuf.TensorProto.Types.DataType;
using Nabla.Autograd;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;
using Xunit;
using static Nabla.Onnx.Tests.Import.TestModel;

namespace Nabla.Onnx.Tests.Import;

/// <summary>Imported graphs train: gradients reach the initializer parameters and match central differences.</summary>
public class TrainingTests
{
    [Fact]
    public void SgdOnAnImportedMlpLowersTheLossAndChangesTheInitializers()
    {
        var model = LoadTests.Mlp().Load();
        model.Train();
        var before = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Data.ToArray());
        var x = Tensor.Randn([32, 4], new Generator(11));
        var target = Tensor.Concat([x.Narrow(1, 0, 1) * 2.0 - x.Narrow(1, 1, 1), x.Narrow(1, 2, 1).Abs()], 1);
        var optimizer = new SGD(model.Parameters(), learningRate: 0.05);
        AssertLossHalves(model, x, target, optimizer, 100);
        foreach (var (name, p) in model.NamedParameters())
            Assert.NotEqual(before[name], p.Data.ToArray());
    }

    /// <summary>Trains on (x, target) with MSE for <paramref name="steps"/> steps; the loss must at least halve.</summary>
    internal static void AssertLossHalves(Module model, Tensor x, Tensor target, Optimizer optimizer, int steps)
    {
        var loss = new MSE();
        double first = 0, last = 0;
        for (int step = 0; step < steps; step++)
        {
            optimizer.ZeroGrad();
            var l = loss.Forward(model.Forward(x), target);
            l.Backward();
            optimizer.Step();
            if (step == 0) first = l.Item();
            last = l.Item();
        }
        Assert.True(last < 0.5 * first, $"loss went from {first} to {last}");
    }

    static void AssertGradients(OnnxModule model, Tensor x, Func<Tensor[], Tensor> combine)
    {
        model.To(DType.Float64);
        x.RequiresGrad = true;
        var inputs = new List<Tensor> { x };
        inputs.AddRange(model.Parameters().Select(p => p.Data));
        Assert.True(inputs.Count > 1);
        var result = GradCheck.Check(() => combine(model.Run(x)), inputs);
        Assert.True(result.Passed, result.ToString());
    }

    static Tensor Rand64(int[] shape, int seed) => Tensor.Uniform(shape, -1, 1, new Generator((ulong)seed), DType.Float64);

    [Fact]
    public void GemmGradientsMatchCentralDifferences()
    {
        var model = new TestModel().Input("x", 3, 4).Output("y")
            .Init("w", Tensor.Randn([5, 4], new Generator(1))).Init("b", Tensor.Randn([5], new Generator(2)))
            .Init("w2", Tensor.Randn([5, 2], new Generator(3))).Init("c", Tensor.Randn([3, 2], new Generator(4)))
            .Node("Gemm", ["x", "w", "b"], ["h"], "fc1", Attr("transB", 1L))
            .Node("Tanh", ["h"], ["t"])
            .Node("Gemm", ["t", "w2", "c"], ["y"], "fc2", Attr("alpha", 0.5f), Attr("beta", 2f))
            .Load();
        AssertGradients(model, Rand64([3, 4], 5), o => o[0]);
    }

    [Fact]
    public void ConvGradientsMatchCentralDifferences()
    {
        var model = new TestModel().Input("x", 2, 4, 5, 6).Output("y")
            .Init("conv.weight", Tensor.Randn([6, 2, 3, 3], new Generator(1)) * 0.3).Init("conv.bias", Tensor.Randn([6], new Generator(2)))
            .Node("Conv", ["x", "conv.weight", "conv.bias"], ["y"], "conv",
                Attr("group", 2L), Attr("strides", 2L, 1L), Attr("pads", 1L, 0L, 0L, 2L), Attr("kernel_shape", 3L, 3L))
            .Load();
        AssertGradients(model, Rand64([2, 4, 5, 6], 3), o => o[0]);
    }

    [Fact]
    public void BatchNormTrainingModeGradientsMatchCentralDifferences()
    {
        var model = new TestModel().Input("x", 3, 2, 2, 2).Output("y")
            .Init("bn.weight", Tensor.FromArray([1.5f, -0.5f], 2)).Init("bn.bias", Tensor.FromArray([0.1f, 0.2f], 2))
            .Init("bn.running_mean", Tensor.Zeros([2])).Init("bn.running_var", Tensor.Ones([2]))
            .Node("BatchNormalization", ["x", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"], ["y"], "bn")
            .Load();
        model.Train();
        AssertGradients(model, Rand64([3, 2, 2, 2], 4), o => o[0] * o[0]);
    }

    [Theory]
    [InlineData("LSTM", "forward", 0L)]
    [InlineData("LSTM", "bidirectional", 0L)]
    [InlineData("GRU", "reverse", 0L)]
    [InlineData("GRU", "bidirectional", 1L)]
    [InlineData("RNN", "forward", 0L)]
    public void RecurrentGradientsMatchCentralDifferences(string op, string direction, long linearBeforeReset)
    {
        int gates = op switch { "LSTM" => 4, "GRU" => 3, _ => 1 };
        int dirs = direction == "bidirectional" ? 2 : 1, hidden = 3, input = 2, steps = 3, batch = 2;
        var model = new TestModel().Input("x", steps, batch, input).Input("h0", dirs, batch, hidden).Output("y").Output("y_h")
            .Init("w", Tensor.Randn([dirs, gates * hidden, input], new Generator(1)) * 0.5)
            .Init("r", Tensor.Randn([dirs, gates * hidden, hidden], new Generator(2)) * 0.5)
            .Init("b", Tensor.Randn([dirs, 2 * gates * hidden], new Generator(3)) * 0.1);
        var attributes = new List<Protobuf.AttributeProto> { Attr("hidden_size", (long)hidden), Attr("direction", direction) };
        if (op == "GRU") attributes.Add(Attr("linear_before_reset", linearBeforeReset));
        model.Node(op, ["x", "w", "r", "b", "", "h0"], ["y", "y_h"], "rnn", [.. attributes]);
        var loaded = model.Load();
        var h0 = Rand64([dirs, batch, hidden], 7);
        h0.RequiresGrad = true;
        loaded.To(DType.Float64);
        var x = Rand64([steps, batch, input], 8);
        x.RequiresGrad = true;
        var inputs = new List<Tensor> { x, h0 };
        inputs.AddRange(loaded.Parameters().Select(p => p.Data));
        var result = GradCheck.Check(() =>
        {
            var o = loaded.Run(x, h0);
            return Tensor.Concat([o[0].Reshape(-1), o[1].Reshape(-1) * 2.0]);
        }, inputs);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void GradientsFlowThroughShapeIndexAndActivationOps()
    {
        // Pad, Slice with a step, Gather, Transpose, Softmax, Erf, MaxPool and AveragePool with asymmetric pads.
        var model = new TestModel().Input("x", 1, 2, 5, 5).Output("y")
            .InitInts("pads", [0, 0, 1, 2, 0, 0, 2, 1]).InitInts("starts", [0]).InitInts("ends", [7]).InitInts("axes", [3]).InitInts("steps", [2])
            .InitInts("idx", [1, 0])
            .Node("Pad", ["x", "pads"], ["p"], "pad", Attr("mode", "reflect"))
            .Node("Slice", ["p", "starts", "ends", "axes", "steps"], ["s"], "slice")
            .Node("Gather", ["s", "idx"], ["g"], "gather", Attr("axis", 1L))
            .Node("Erf", ["g"], ["e"], "erf")
            .Node("MaxPool", ["e"], ["m"], "max", Attr("kernel_shape", 2L, 2L), Attr("pads", 0L, 1L, 1L, 0L))
            .Node("AveragePool", ["e"], ["a"], "avg", Attr("kernel_shape", 3L, 2L), Attr("pads", 1L, 0L, 0L, 1L))
            .Node("Transpose", ["a"], ["t"], "transpose", Attr("perm", 0L, 1L, 3L, 2L))
            .Node("Softmax", ["t"], ["sm"], "softmax", Attr("axis", 2L))
            .Node("ReduceMean", ["m"], ["rm"], "mean", Attr("axes", 2L, 3L))
            .Node("Mul", ["sm", "rm"], ["y"], "mul")
            .Load();
        model.To(DType.Float64);
        var x = Rand64([1, 2, 5, 5], 9);
        x.RequiresGrad = true;
        var result = GradCheck.Check(() => model.Forward(x), [x]);
        Assert.True(result.Passed, result.ToString());
    }

    [Theory]
    [InlineData("Erf")]
    [InlineData("Sin")]
    [InlineData("Atan")]
    [InlineData("Cosh")]
    public void ElementwiseMathGradientsMatchCentralDifferences(string op)
    {
        var model = new TestModel().Input("x", 2, 3).Output("y").Node(op, ["x"], ["y"], "f").Load();
        model.To(DType.Float64);
        var x = Rand64([2, 3], 12);
        x.RequiresGrad = true;
        var result = GradCheck.Check(() => model.Forward(x), [x]);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void LayoutOpGradientsMatchCentralDifferences()
    {
        // DepthToSpace → CumSum (reverse, exclusive) → Trilu → GatherElements.
        var model = new TestModel().Input("x", 1, 4, 2, 3).Output("y")
            .InitInts("axis", [3], []).InitInts("k", [1], []).InitInts("idx", [0, 1, 2, 1, 3, 0, 2, 2, 5, 4, 0, 1], 1, 1, 4, 3)
            .Node("DepthToSpace", ["x"], ["d"], "d2s", Attr("blocksize", 2L), Attr("mode", "CRD"))
            .Node("CumSum", ["d", "axis"], ["c"], "cumsum", Attr("exclusive", 1L), Attr("reverse", 1L))
            .Node("Trilu", ["c", "k"], ["t"], "trilu", Attr("upper", 0L))
            .Node("GatherElements", ["t", "idx"], ["y"], "gather", Attr("axis", 3L))
            .Load();
        model.To(DType.Float64);
        var x = Rand64([1, 4, 2, 3], 13);
        x.RequiresGrad = true;
        var result = GradCheck.Check(() => model.Forward(x), [x]);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void LayerNormAndSoftmaxCrossEntropyGradientsMatchCentralDifferences()
    {
        var model = new TestModel().Input("x", 2, 3, 4).Input("labels", DataType.Int64, 2, 4).Output("loss")
            .Init("ln.weight", Tensor.Randn([4], new Generator(1))).Init("ln.bias", Tensor.Randn([4], new Generator(2)))
            .Init("class_weights", Tensor.FromArray([0.5f, 2f, 1f], 3))
            .Node("LayerNormalization", ["x", "ln.weight", "ln.bias"], ["n"], "ln", Attr("axis", -1L))
            .Node("SoftmaxCrossEntropyLoss", ["n", "labels", "class_weights"], ["loss"], "loss", Attr("ignore_index", 2L))
            .Load();
        model.To(DType.Float64);
        var x = Rand64([2, 3, 4], 14);
        x.RequiresGrad = true;
        var labels = Tensor.FromArray([0f, 1f, 2f, 1f, 2f, 0f, 0f, 1f], 2, 4);
        var inputs = new List<Tensor> { x };
        inputs.AddRange(model.Parameters().Select(p => p.Data));
        Assert.Equal(3, inputs.Count);
        var result = GradCheck.Check(() => model.Run(x, labels)[0], inputs);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void StateDictsAndCheckpointsUseTheInitializerNames()
    {
        var model = LoadTests.Mlp().Load();
        string path = Path.Combine(Path.GetTempPath(), "nabla-onnx-ckpt-" + Guid.NewGuid().ToString("N") + ".safetensors");
        try
        {
            Nabla.IO.Checkpoint.Save(path, model);
            var other = LoadTests.Mlp().Load();
            foreach (var p in other.Parameters()) p.Data.Zero();
            Nabla.IO.Checkpoint.Load(path, other);
            var x = Tensor.Randn([2, 4], new Generator(3));
            Assert.Equal(model.Forward(x).ToArray(), other.Forward(x).ToArray());
        }
        finally { File.Delete(path); }
    }
}
