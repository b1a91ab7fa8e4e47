using Nabla.Onnx.Format;
using Nabla.Onnx.Protobuf;
using Nabla.Tensors;

namespace Nabla.Onnx.Import;

/// <summary>Conversions between ONNX tensors and <see cref="OnnxValue"/>s.</summary>
internal static class Values
{
    /// <summary>
    /// Decodes <paramref name="proto"/>: FLOAT and FLOAT16 as Float32 tensors, DOUBLE as Float64, INT64/INT32/BOOL as longs.
    /// Other element types are refused (through <paramref name="node"/> when a node holds the tensor).
    /// </summary>
    public static OnnxValue FromProto(TensorProto proto, string? modelDirectory, string where, NodeContext? node = null)
    {
        var type = (DataType)proto.DataType;
        int[] dims = TensorProtoData.Dims(proto, where);
        if (type == DataType.Double)
        {
            // Read as float would lose precision: decode the doubles directly.
            double[] d = proto.RawData.Length > 0 || proto.DataLocation == TensorProto.Types.DataLocation.External
                ? ReadDoubles(proto, modelDirectory, where)
                : proto.DoubleData.ToArray();
            if (d.LongLength != TensorProtoData.Count(proto, where))
                throw new OnnxException($"{where}: tensor '{proto.Name}' of shape [{string.Join(", ", dims)}] needs " +
                                        $"{TensorProtoData.Count(proto, where)} elements; its data has {d.Length}.");
            return OnnxValue.Of(Array(d, dims));
        }
        if (type is DataType.Float)
            return OnnxValue.Of(dims.Length == 0
                ? Tensor.Scalar(TensorProtoData.ReadFloats(proto, modelDirectory, where)[0])
                : TensorProtoData.ToTensor(proto, modelDirectory, where));
        if (ElementTypes.IsInt(type))
        {
            var longs = TensorProtoData.ReadInt64s(proto, modelDirectory, where);
            for (int i = 0; i < longs.Length; i++) longs[i] = ElementTypes.Narrow(longs[i], type);
            return OnnxValue.OfInts(longs, dims, type);
        }
        string what = $"tensor '{proto.Name}' of element type {ElementTypes.Name(type)}";
        if (node is not null) throw node.Unsupported(what);
        throw new OnnxUnsupportedException($"{where}: {what} is not supported (supported: FLOAT, DOUBLE, BOOL and integer types but UINT64).");
    }

    static double[] ReadDoubles(TensorProto proto, string? modelDirectory, string where)
    {
        byte[] raw = proto.DataLocation == TensorProto.Types.DataLocation.External
            ? ExternalData.Read(proto, modelDirectory, where)
            : proto.RawData.ToByteArray();
        if (raw.Length % 8 != 0)
            throw new OnnxException($"{where}: tensor '{proto.Name}' has {raw.Length} bytes of DOUBLE data; expected a multiple of 8.");
        var d = new double[raw.Length / 8];
        for (int i = 0; i < d.Length; i++) d[i] = System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(raw.AsSpan(8 * i, 8));
        return d;
    }

    /// <summary>A Float64 tensor of <paramref name="dims"/> holding <paramref name="data"/>; rank 0 (one value) when no dimension is given.</summary>
    public static Tensor Array(double[] data, int[] dims) => dims.Length == 0 ? Tensor.Scalar(data[0], DType.Float64) : Tensor.FromArray(data, dims);

    /// <summary>A float scalar of the given float type.</summary>
    public static Tensor Scalar(double v, DataType type) => Tensor.Scalar(v, type == DataType.Double ? DType.Float64 : DType.Float32);

    /// <summary>The Nabla dtype of a float element type.</summary>
    public static DType DTypeOf(DataType type) => type == DataType.Double ? DType.Float64 : DType.Float32;

    /// <summary>Converts a value to another element type (ONNX Cast: floats to integers truncate toward zero, to BOOL test non-zero).</summary>
    public static OnnxValue Cast(OnnxValue v, DataType to)
    {
        if (ElementTypes.IsFloat(to))
        {
            if (v.Tensor is { } t) return OnnxValue.Of(t.DType == DTypeOf(to) ? t : t.ToDType(DTypeOf(to)));
            double[] d = System.Array.ConvertAll(v.I, x => (double)x);
            var tensor = Array(d, v.Dims);
            return OnnxValue.Of(to == DataType.Double ? tensor : tensor.ToDType(DType.Float32));
        }
        if (v.Ints is { } ints) return OnnxValue.OfInts(System.Array.ConvertAll(ints, x => ElementTypes.Narrow(x, to)), v.Dims, to);
        double[] src = v.F.ToDoubleArray();
        var r = new long[src.Length];
        for (int i = 0; i < r.Length; i++)
            r[i] = to == DataType.Bool ? (src[i] != 0 ? 1 : 0) : ElementTypes.Narrow(double.IsNaN(src[i]) ? long.MinValue : (long)src[i], to);
        return OnnxValue.OfInts(r, v.Dims, to);
    }
}
