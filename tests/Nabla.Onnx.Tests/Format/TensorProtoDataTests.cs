using Google.Protobuf;
using Nabla.Onnx.Format;
using Nabla.Onnx.Protobuf;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Onnx.Tests.Format;

public class TensorProtoDataTests
{
    const string Where = "test.onnx";

    [Fact]
    public void FloatTensorRoundTripsThroughRawData()
    {
        var t = Tensor.FromArray([1.5f, -2f, 3.25f, 0f, 1e-30f, -7f], 2, 3);
        var proto = TensorProtoData.FromTensor("w", t);
        Assert.Equal(24, proto.RawData.Length);
        Assert.Equal([2L, 3L], proto.Dims);
        var back = TensorProtoData.ToTensor(TensorProto.Parser.ParseFrom(proto.ToByteArray()), null, Where);
        Assert.Equal([2, 3], back.Shape.ToArray());
        Assert.Equal(t.ToArray(), back.ToArray());
    }

    [Fact]
    public void TypedFieldsAreReadLikeRawData()
    {
        var f = new TensorProto { Name = "f", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 3 }, FloatData = { 1f, 2f, 3f } };
        Assert.Equal([1f, 2f, 3f], TensorProtoData.ReadFloats(f, null, Where));
        var d = new TensorProto { Name = "d", DataType = (int)TensorProto.Types.DataType.Double, Dims = { 2 }, DoubleData = { 0.5, -4 } };
        Assert.Equal([0.5f, -4f], TensorProtoData.ReadFloats(d, null, Where));
        var h = new TensorProto { Name = "h", DataType = (int)TensorProto.Types.DataType.Float16, Dims = { 2 }, Int32Data = { 0x3C00, 0xC000 } };
        Assert.Equal([1f, -2f], TensorProtoData.ReadFloats(h, null, Where));
        var i = new TensorProto { Name = "i", DataType = (int)TensorProto.Types.DataType.Int32, Dims = { 3 }, Int32Data = { -1, 0, 7 } };
        Assert.Equal([-1L, 0L, 7L], TensorProtoData.ReadInt64s(i, null, Where));
        var shape = TensorProtoData.FromInt64s("s", [-1, 784]);
        Assert.Equal([-1L, 784L], TensorProtoData.ReadInt64s(shape, null, Where));
        var raw64 = new TensorProto { Name = "r", DataType = (int)TensorProto.Types.DataType.Int64, Dims = { 1 }, RawData = ByteString.CopyFrom(BitConverter.GetBytes(-5L)) };
        Assert.Equal([-5L], TensorProtoData.ReadInt64s(raw64, null, Where));
    }

    [Fact]
    public void DataThatDisagreesWithTheShapeNamesBothSizes()
    {
        var proto = TensorProtoData.FromTensor("fc.weight", Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2));
        proto.Dims[1] = 3;
        var e = Assert.Throws<OnnxException>(() => TensorProtoData.ReadFloats(proto, null, Where));
        Assert.Contains("fc.weight", e.Message);
        Assert.Contains("6 elements (24 bytes)", e.Message);
        Assert.Contains("16 bytes", e.Message);
    }

    [Fact]
    public void ExternalDataIsReadFromTheModelFolderAndAMissingFileIsNamed()
    {
        string dir = Directory.CreateTempSubdirectory("nabla-ext").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "w.bin"), [0, 0, 0, 0, 0, 0, 0x80, 0x3F, 0, 0, 0, 0x40]);
            var proto = new TensorProto
            {
                Name = "w", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 2 },
                DataLocation = TensorProto.Types.DataLocation.External,
                ExternalData = { new StringStringEntryProto { Key = "location", Value = "w.bin" }, new StringStringEntryProto { Key = "offset", Value = "4" } },
            };
            Assert.Equal([1f, 2f], TensorProtoData.ReadFloats(proto, dir, Where));
            proto.ExternalData[0].Value = "gone.bin";
            var e = Assert.Throws<OnnxException>(() => TensorProtoData.ReadFloats(proto, dir, Where));
            Assert.Contains("gone.bin", e.Message);
            Assert.Contains("does not exist", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void GarbageAndTruncatedFilesAreRefusedNamingTheFile()
    {
        string dir = Directory.CreateTempSubdirectory("nabla-onnx").FullName;
        try
        {
            string garbage = Path.Combine(dir, "garbage.onnx");
            File.WriteAllBytes(garbage, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x12]);
            var e = Assert.Throws<OnnxException>(() => OnnxFile.Read(garbage));
            Assert.Contains("garbage.onnx", e.Message);

            var model = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "g" } };
            model.Graph.Initializer.Add(TensorProtoData.FromTensor("w", Tensor.FromArray(new float[64], 64)));
            byte[] bytes = model.ToByteArray();
            string truncated = Path.Combine(dir, "truncated.onnx");
            File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
            e = Assert.Throws<OnnxException>(() => OnnxFile.Read(truncated));
            Assert.Contains("truncated.onnx", e.Message);
            Assert.Contains("not a valid ONNX model", e.Message);

            string good = Path.Combine(dir, "good.onnx");
            OnnxFile.Write(model, good);
            Assert.Equal(bytes, File.ReadAllBytes(good));
            Assert.Equal("w", OnnxFile.Read(good).Graph.Initializer[0].Name);
        }
        finally { Directory.Delete(dir, true); }
    }
}
