using DataType = Nabla.Onnx.Protobuf.TensorProto.Types.DataType;
using Google.Protobuf;
using Nabla.Onnx.Format;
using Nabla.Onnx.Protobuf;
using Nabla.Tensors;

namespace Nabla.Onnx.Tests.Import;

/// <summary>Builds small ONNX models in tests: inputs, outputs, initializers and nodes, serialized for Onnx.Load.</summary>
internal sealed class TestModel
{
    public ModelProto Proto { get; }
    GraphProto Graph => Proto.Graph;

    public TestModel(int opset = 17, string producer = "nabla-tests")
    {
        Proto = new ModelProto
        {
            IrVersion = 8,
            ProducerName = producer,
            ProducerVersion = "1.0",
            Graph = new GraphProto { Name = "test" },
        };
        Proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
    }

    static ValueInfoProto Info(string name, DataType type, object[]? dims)
    {
        var tt = new TypeProto.Types.Tensor { ElemType = (int)type };
        if (dims is not null)
        {
            tt.Shape = new TensorShapeProto();
            foreach (var d in dims)
                tt.Shape.Dim.Add(d is string s ? new TensorShapeProto.Types.Dimension { DimParam = s } : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d) });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tt } };
    }

    /// <summary>A graph input; dims are numbers or symbol names.</summary>
    public TestModel Input(string name, params object[] dims) => Input(name, DataType.Float, dims);

    public TestModel Input(string name, DataType type, params object[] dims)
    {
        Graph.Input.Add(Info(name, type, dims));
        return this;
    }

    public TestModel Output(string name, DataType type = DataType.Float)
    {
        Graph.Output.Add(Info(name, type, null));
        return this;
    }

    public TestModel Init(string name, Tensor value)
    {
        Graph.Initializer.Add(TensorProtoData.FromTensor(name, value));
        return this;
    }

    public TestModel InitInts(string name, long[] values, params long[] dims)
    {
        Graph.Initializer.Add(TensorProtoData.FromInt64s(name, values, dims));
        return this;
    }

    public TestModel Node(string op, string[] inputs, string[] outputs, string name = "", params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        node.Attribute.Add(attributes);
        Graph.Node.Add(node);
        return this;
    }

    public byte[] Bytes() => Proto.ToByteArray();

    public OnnxModule Load() => Onnx.Load(Bytes());

    public string Save(string dir, string file = "model.onnx")
    {
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, file);
        File.WriteAllBytes(path, Bytes());
        return path;
    }

    public static AttributeProto Attr(string name, long v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = v };
    public static AttributeProto Attr(string name, float v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = v };
    public static AttributeProto Attr(string name, string v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(v) };

    public static AttributeProto Attr(string name, params long[] v)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.Add(v);
        return a;
    }
}
