using Nabla.Diagnostics;
using Nabla.Onnx.Protobuf;
using Nabla.Tensors;
using Xunit;
using static Nabla.Onnx.Tests.Import.TestModel;

namespace Nabla.Onnx.Tests.Import;

public class LoadTests
{
    internal static readonly Tensor W1 = Tensor.Randn([8, 4], new Generator(1)) * 0.5, B1 = Tensor.Randn([8], new Generator(2)) * 0.1;
    internal static readonly Tensor W2 = Tensor.Randn([2, 8], new Generator(3)) * 0.5, B2 = Tensor.Randn([2], new Generator(4)) * 0.1;

    /// <summary>x [batch, 4] → Gemm(transB) → Relu → Gemm(transB) → y [batch, 2], with PyTorch-style names.</summary>
    internal static TestModel Mlp() => new TestModel()
        .Input("x", "batch", 4).Output("y")
        .Init("fc1.weight", W1).Init("fc1.bias", B1).Init("fc2.weight", W2).Init("fc2.bias", B2)
        .Node("Gemm", ["x", "fc1.weight", "fc1.bias"], ["h"], "/fc1/Gemm", Attr("transB", 1))
        .Node("Relu", ["h"], ["r"], "/act/Relu")
        .Node("Gemm", ["r", "fc2.weight", "fc2.bias"], ["y"], "/fc2/Gemm", Attr("transB", 1));

    [Fact]
    public void GemmReluGemmComputesTheLinearLayers()
    {
        var model = Mlp().Load();
        var x = Tensor.Randn([3, 4], new Generator(5));
        var expected = Tensor.Linear(Tensor.Linear(x, W1, B1).ReLU(), W2, B2);
        var y = model.Forward(x);
        Assert.Equal([3, 2], y.Shape.ToArray());
        Assert.Equal(expected.ToArray(), y.ToArray());
    }

    [Fact]
    public void InitializersAtWeightInputsAreParametersNamedByTheInitializer()
    {
        var model = Mlp().Load();
        Assert.Equal(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"], model.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal(8 * 4 + 8 + 2 * 8 + 2, model.ParameterCount());
        Assert.True(model.Parameters().All(p => p.RequiresGrad));
        model.Freeze();
        Assert.Equal(0, model.ParameterCount(trainableOnly: true));
        Assert.Equal(["/fc1/Gemm", "/act/Relu", "/fc2/Gemm"], model.NamedChildren().Select(c => c.Name).ToArray());
    }

    [Fact]
    public void DescribesItsInputsOutputsOpsetAndProducer()
    {
        var model = Mlp().Load();
        Assert.Equal(17, model.Opset);
        Assert.Equal("nabla-tests 1.0", model.Producer);
        Assert.Equal(["x"], model.InputNames);
        Assert.Equal(["y"], model.OutputNames);
        Assert.Equal([-1, 4], model.Inputs[0].Shape);
        Assert.Equal(["batch", null], model.Inputs[0].DimNames);
        Assert.Equal("x: FLOAT [batch, 4]", model.Inputs[0].ToString());
        Assert.Equal("FLOAT", model.Outputs[0].ElementType);
    }

    [Fact]
    public void SummaryListsEveryNodeWithItsParameters()
    {
        var model = Mlp().Load();
        var summary = model.Summary(2, 4);
        Assert.Equal(["/fc1/Gemm", "/act/Relu", "/fc2/Gemm"], summary.Rows.Select(r => r.Name).ToArray());
        Assert.Equal([40L, 0L, 18L], summary.Rows.Select(r => r.Parameters).ToArray());
        Assert.Equal(58, summary.TotalParameters);
        Assert.Equal("Gemm(transB)", summary.Rows[0].Description);
        Assert.Equal([2, 8], summary.Rows[0].OutputShape!.Value.ToArray());
        Assert.Equal(2 * 8 * 4, summary.Rows[0].MultiplyAccumulates);
        Assert.Contains("/act/Relu", summary.ToString());
    }

    [Fact]
    public void WrongInputShapeIsAnErrorNamingTheInput()
    {
        var e = Assert.Throws<OnnxException>(() => Mlp().Load().Forward(Tensor.Zeros([3, 5])));
        Assert.Contains("x: FLOAT [batch, 4]", e.Message);
        Assert.Contains("[3,5]", e.Message);
    }

    [Fact]
    public void RunTakesSeveralInputsAndGivesEveryOutput()
    {
        var model = new TestModel().Input("a", 2, 3).Input("b", 3).Output("sum").Output("prod")
            .Node("Add", ["a", "b"], ["sum"]).Node("Mul", ["a", "b"], ["prod"]).Load();
        var a = Tensor.Randn([2, 3], new Generator(1));
        var b = Tensor.Randn([3], new Generator(2));
        var outputs = model.Run(a, b);
        Assert.Equal((a + b).ToArray(), outputs[0].ToArray());
        Assert.Equal((a * b).ToArray(), outputs[1].ToArray());
        var named = model.Run(new Dictionary<string, Tensor> { ["a"] = a, ["b"] = b });
        Assert.Equal((a * b).ToArray(), named["prod"].ToArray());
        Assert.Throws<OnnxException>(() => model.Forward(a));
    }

    [Fact]
    public void ShapeComputationsOfConstantsAreFoldedAtLoad()
    {
        // Reshape x [batch, 6] to [batch, 2, 3] with a shape built from Constant → Concat at load, and from Shape → Gather at run.
        var model = new TestModel().Input("x", "batch", 6).Output("y")
            .Node("Constant", [], ["tail"], "tail", ConstantInts("value", [2, 3]))
            .Node("Shape", ["x"], ["s"], "shape")
            .Node("Constant", [], ["zero"], "zero", ConstantInts("value", [0]))
            .Node("Gather", ["s", "zero"], ["n"], "batch")
            .Node("Concat", ["n", "tail"], ["shape"], "concat", Attr("axis", 0L))
            .Node("Reshape", ["x", "shape"], ["y"], "reshape")
            .Load();
        Assert.Equal(["shape", "batch", "concat", "reshape"], model.NamedChildren().Select(c => c.Name).ToArray());
        var x = Tensor.Arange(12).Reshape(2, 6);
        Assert.Equal([2, 2, 3], model.Forward(x).Shape.ToArray());
        Assert.Equal(x.ToArray(), model.Forward(x).ToArray());
    }

    internal static AttributeProto ConstantInts(string name, long[] values) => new()
    {
        Name = name,
        Type = AttributeProto.Types.AttributeType.Tensor,
        T = Nabla.Onnx.Format.TensorProtoData.FromInt64s("", values),
    };

    [Fact]
    public void DropoutIsTheIdentityInEvalAndDropsInTraining()
    {
        var model = new TestModel().Input("x", 1000).Output("y")
            .Node("Dropout", ["x", "ratio"], ["y"], "drop").Init("ratio", Tensor.Scalar(0.5)).Load();
        var x = Tensor.Ones([1000]);
        Assert.Equal(x.ToArray(), model.Forward(x).ToArray());
        model.Train();
        var y = model.Forward(x).ToArray();
        int dropped = y.Count(v => v == 0);
        Assert.InRange(dropped, 400, 600);
        Assert.All(y.Where(v => v != 0), v => Assert.Equal(2f, v));
        Assert.Empty(model.Parameters());
    }

    [Fact]
    public void BatchNormUsesRunningStatisticsInEvalAndBatchStatisticsInTraining()
    {
        var scale = Tensor.FromArray([1f, 2f], 2);
        var bias = Tensor.FromArray([0f, 1f], 2);
        var model = new TestModel().Input("x", "n", 2, 2, 2).Output("y")
            .Init("bn.weight", scale).Init("bn.bias", bias)
            .Init("bn.running_mean", Tensor.FromArray([0.5f, -1f], 2)).Init("bn.running_var", Tensor.FromArray([4f, 0.25f], 2))
            .Node("BatchNormalization", ["x", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"], ["y"], "bn", Attr("epsilon", 1e-5f))
            .Load();
        Assert.Equal(["bn.weight", "bn.bias"], model.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal(["bn.running_mean", "bn.running_var"], model.NamedBuffers().Select(b => b.Name).ToArray());
        var x = Tensor.Randn([3, 2, 2, 2], new Generator(7));
        var y = model.Forward(x).ToArray();
        var xs = x.ToArray();
        // Element 0 is channel 0: (x − 0.5)/2·1 + 0; element 4 is channel 1: (x + 1)/0.5·2 + 1.
        Assert.Equal((xs[0] - 0.5f) / 2f, y[0], 4);
        Assert.Equal((xs[4] + 1f) / 0.5f * 2f + 1f, y[4], 3);

        // Nabla's BatchNorm2d in training mode is the reference for batch statistics and running-statistics updates
        // (ONNX's momentum 0.9 is PyTorch's 0.1).
        var reference = new Nabla.NN.BatchNorm2d(2, epsilon: 1e-5, momentum: 0.1);
        reference.Weight!.Data.CopyFrom(scale);
        reference.Bias!.Data.CopyFrom(bias);
        reference.RunningMean.CopyFrom(Tensor.FromArray([0.5f, -1f], 2));
        reference.RunningVar.CopyFrom(Tensor.FromArray([4f, 0.25f], 2));
        model.Train();
        var yt = model.Forward(x);
        var yr = reference.Forward(x);
        AssertClose(yr.ToArray(), yt.ToArray(), 1e-5);
        var buffers = model.NamedBuffers().ToDictionary(b => b.Name, b => b.Buffer);
        AssertClose(reference.RunningMean.ToArray(), buffers["bn.running_mean"].ToArray(), 1e-6);
        AssertClose(reference.RunningVar.ToArray(), buffers["bn.running_var"].ToArray(), 1e-6);
    }

    internal static void AssertClose(float[] expected, float[] actual, double tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void LoadsFromAFileAStreamAndBytesAlike()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nabla-onnx-load-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path = Mlp().Save(dir);
            var x = Tensor.Randn([2, 4], new Generator(9));
            var fromFile = Onnx.Load(path).Forward(x).ToArray();
            using var stream = File.OpenRead(path);
            Assert.Equal(fromFile, Onnx.Load(stream).Forward(x).ToArray());
            Assert.Equal(fromFile, Onnx.Load(File.ReadAllBytes(path)).Forward(x).ToArray());
        }
        finally { Directory.Delete(dir, true); }
    }
}
