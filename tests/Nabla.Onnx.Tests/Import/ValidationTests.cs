using DataType = Nabla.Onnx.Protobuf.TensorProto.Types.DataType;
using Google.Protobuf;
using Nabla.Onnx.Protobuf;
using Nabla.Tensors;
using Xunit;
using static Nabla.Onnx.Tests.Import.TestModel;

namespace Nabla.Onnx.Tests.Import;

/// <summary>Load-time errors: each names the file, node, operator or value, and nothing half-loaded is returned.</summary>
public sealed class ValidationTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "nabla-onnx-validation-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    [Fact]
    public void MissingGarbageAndTruncatedFilesNameTheFile()
    {
        Directory.CreateDirectory(_dir);
        string missing = Path.Combine(_dir, "missing.onnx");
        Assert.Contains("does not exist", Assert.Throws<OnnxException>(() => Onnx.Load(missing)).Message);
        string garbage = Path.Combine(_dir, "garbage.onnx");
        File.WriteAllBytes(garbage, [0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x02]);
        Assert.Contains(garbage, Assert.Throws<OnnxException>(() => Onnx.Load(garbage)).Message);
        string truncated = Path.Combine(_dir, "truncated.onnx");
        byte[] bytes = LoadTests.Mlp().Bytes();
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<OnnxException>(() => Onnx.Load(truncated));
        Assert.Contains(truncated, e.Message);
        Assert.Throws<OnnxException>(() => Onnx.Load(bytes[..(bytes.Length / 2)]));
    }

    [Theory]
    [InlineData(18)]
    [InlineData(6)]
    public void OpsetsOutsideTheSupportedRangeAreRefused(int opset)
    {
        var model = LoadTests.Mlp();
        model.Proto.OpsetImport[0].Version = opset;
        var e = Assert.Throws<OnnxUnsupportedException>(model.Load);
        Assert.Contains($"opset {opset}", e.Message);
        Assert.Contains("7 to 17", e.Message);
    }

    [Fact]
    public void OtherDomainsAreRefusedByName()
    {
        var model = LoadTests.Mlp();
        model.Proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.microsoft", Version = 1 });
        Assert.Contains("'com.microsoft'", Assert.Throws<OnnxUnsupportedException>(model.Load).Message);
    }

    [Fact]
    public void AnInitializerWhoseDataDisagreesWithItsShapeIsNamed()
    {
        var model = LoadTests.Mlp();
        model.Proto.Graph.Initializer[0].Dims[1] = 5;
        var e = Assert.Throws<OnnxException>(model.Load);
        Assert.IsNotType<OnnxUnsupportedException>(e);
        Assert.Contains("fc1.weight", e.Message);
        Assert.Contains("40 elements (160 bytes)", e.Message);
    }

    [Fact]
    public void AValueThatNothingProducesNamesTheNodeAndTheValue()
    {
        var model = new TestModel().Input("x", 2).Output("y").Node("Relu", ["h"], ["y"], "act");
        var e = Assert.Throws<OnnxException>(model.Load);
        Assert.Contains("node 0 'act' (Relu) reads 'h'", e.Message);
    }

    [Fact]
    public void ACycleNamesTheNodesInIt()
    {
        var model = new TestModel().Input("x", 2).Output("y")
            .Node("Add", ["x", "b"], ["a"], "first").Node("Relu", ["a"], ["b"], "second").Node("Relu", ["a"], ["y"], "out");
        var e = Assert.Throws<OnnxException>(model.Load);
        Assert.Contains("cycle", e.Message);
        Assert.Contains("'first'", e.Message);
        Assert.Contains("'second'", e.Message);
    }

    [Fact]
    public void NodesOutOfOrderAreSortedTopologically()
    {
        var model = new TestModel().Input("x", 2).Output("y")
            .Node("Neg", ["a"], ["y"], "second").Node("Relu", ["x"], ["a"], "first").Load();
        Assert.Equal(["first", "second"], model.NamedChildren().Select(c => c.Name).ToArray());
        Assert.Equal([-1f, -0f], model.Forward(Tensor.FromArray([1f, -2f], 2)).ToArray());
    }

    [Fact]
    public void AMissingExternalDataFileIsNamed()
    {
        var model = LoadTests.Mlp();
        var w = model.Proto.Graph.Initializer[0];
        w.RawData = ByteString.Empty;
        w.DataLocation = TensorProto.Types.DataLocation.External;
        w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
        string path = model.Save(_dir);
        var e = Assert.Throws<OnnxException>(() => Onnx.Load(path));
        Assert.Contains("weights.bin", e.Message);
        Assert.Contains("does not exist", e.Message);
        // With the file next to the model it loads.
        File.WriteAllBytes(Path.Combine(_dir, "weights.bin"), Nabla.Onnx.Format.TensorProtoData.FromTensor("w", LoadTests.W1).RawData.ToByteArray());
        Assert.Equal(LoadTests.W1.ToArray(), Onnx.Load(path).NamedParameters().First().Parameter.Data.ToArray());
    }

    [Fact]
    public void AnUnknownOperatorIsRefusedNamingNodeOperatorAndOpset()
    {
        var model = new TestModel(13).Input("x", 2).Output("y").Node("Relu", ["x"], ["a"], "ok").Node("Gelu", ["a"], ["y"], "act");
        var e = Assert.Throws<OnnxUnsupportedException>(model.Load);
        Assert.Equal("ONNX stream: node 1 'act' (Gelu, opset 13): operator Gelu is not supported.", e.Message);
    }

    [Fact]
    public void UnsupportedAttributeValuesAndElementTypesAreRefusedAtLoad()
    {
        var pool = new TestModel().Input("x", 1, 1, 4, 4).Output("y")
            .Node("MaxPool", ["x"], ["y"], "pool", Attr("kernel_shape", 2L, 2L), Attr("dilations", 2L, 2L));
        var e = Assert.Throws<OnnxUnsupportedException>(pool.Load);
        Assert.Contains("node 0 'pool' (MaxPool, opset 17): dilations [2, 2] is not supported", e.Message);

        var conv3d = new TestModel().Input("x", 1, 1, 4, 4, 4).Input("w", 1, 1, 2, 2, 2).Output("y")
            .Node("Conv", ["x", "w"], ["y"], "", Attr("kernel_shape", 2L, 2L, 2L));
        Assert.Contains("node 0 (Conv, opset 17): a 3-D convolution", Assert.Throws<OnnxUnsupportedException>(conv3d.Load).Message);

        var intRelu = new TestModel().Input("x", DataType.Int64, 3).Output("y", DataType.Int64).Node("Relu", ["x"], ["y"], "r");
        Assert.Contains("element type INT64 of input 0 ('x'", Assert.Throws<OnnxUnsupportedException>(intRelu.Load).Message);

        var f16 = new TestModel().Input("x", DataType.Float16, 3).Output("y").Node("Relu", ["x"], ["y"]);
        Assert.Contains("FLOAT16", Assert.Throws<OnnxUnsupportedException>(f16.Load).Message);
    }

    [Fact]
    public void AnAttributeTheImporterDoesNotKnowIsRefused()
    {
        var model = new TestModel().Input("x", 2).Output("y").Node("Relu", ["x"], ["y"], "r", Attr("made_up", 1L));
        Assert.Contains("attribute 'made_up' is not supported", Assert.Throws<OnnxUnsupportedException>(model.Load).Message);
    }

    [Fact]
    public void AnUnproducedGraphOutputIsAnError()
    {
        var model = new TestModel().Input("x", 2).Output("z").Node("Relu", ["x"], ["y"]);
        Assert.Contains("graph output 'z'", Assert.Throws<OnnxException>(model.Load).Message);
    }
}
