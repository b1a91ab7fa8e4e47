using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Nabla.Onnx.Protobuf;
using Nabla.Tensors;

namespace Nabla.Onnx.Format;

/// <summary>
/// Converts between ONNX <c>TensorProto</c>s and Nabla data: float tensors (FLOAT, DOUBLE, FLOAT16) as Nabla tensors,
/// integer and boolean tensors as <c>long</c> arrays. Data may be in the typed fields, in <c>raw_data</c> (little-endian) or in an
/// external file next to the model; every size is checked against the dimensions.
/// </summary>
internal static class TensorProtoData
{
    /// <summary>The dimensions of <paramref name="proto"/>, each checked to be non-negative.</summary>
    public static int[] Dims(TensorProto proto, string where)
    {
        var dims = new int[proto.Dims.Count];
        for (int i = 0; i < dims.Length; i++)
        {
            long d = proto.Dims[i];
            if (d < 0 || d > int.MaxValue)
                throw new OnnxException($"{where}: tensor '{proto.Name}' has dimension {i} = {d}; expected 0..{int.MaxValue}.");
            dims[i] = (int)d;
        }
        return dims;
    }

    /// <summary>The element count the dimensions declare.</summary>
    public static long Count(TensorProto proto, string where)
    {
        long n = 1;
        foreach (int d in Dims(proto, where))
            n = checked(n * d);
        return n;
    }

    /// <summary>Whether <paramref name="proto"/> holds floating-point data (FLOAT, DOUBLE or FLOAT16).</summary>
    public static bool IsFloat(TensorProto proto) => (TensorProto.Types.DataType)proto.DataType
        is TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Float16;

    /// <summary>The values of a floating-point tensor as a float32 Nabla tensor of its shape.</summary>
    public static Tensor ToTensor(TensorProto proto, string? modelDirectory, string where)
    {
        int[] dims = Dims(proto, where);
        return Tensor.FromArray(ReadFloats(proto, modelDirectory, where), dims);
    }

    /// <summary>The values of a floating-point tensor, in row-major order.</summary>
    public static float[] ReadFloats(TensorProto proto, string? modelDirectory, string where)
    {
        long count = Count(proto, where);
        var type = (TensorProto.Types.DataType)proto.DataType;
        ReadOnlySpan<byte> raw = RawBytes(proto, modelDirectory, where);
        var result = new float[count];
        switch (type)
        {
            case TensorProto.Types.DataType.Float:
                Decode(proto, where, raw, result, 4, b => BinaryPrimitives.ReadSingleLittleEndian(b), proto.FloatData.Count, i => proto.FloatData[i]);
                break;
            case TensorProto.Types.DataType.Double:
                Decode(proto, where, raw, result, 8, b => (float)BinaryPrimitives.ReadDoubleLittleEndian(b),
                    proto.DoubleData.Count, i => (float)proto.DoubleData[i]);
                break;
            case TensorProto.Types.DataType.Float16:
                Decode(proto, where, raw, result, 2, b => (float)BinaryPrimitives.ReadHalfLittleEndian(b),
                    proto.Int32Data.Count, i => (float)BitConverter.UInt16BitsToHalf((ushort)proto.Int32Data[i]));
                break;
            default:
                throw new OnnxException($"{where}: tensor '{proto.Name}' has element type {type}; expected FLOAT, DOUBLE or FLOAT16.");
        }
        return result;
    }

    /// <summary>The values of an integer or boolean tensor (INT64, INT32, INT16, INT8, UINT8, UINT16, UINT32, BOOL) as longs.</summary>
    public static long[] ReadInt64s(TensorProto proto, string? modelDirectory, string where)
    {
        long count = Count(proto, where);
        var type = (TensorProto.Types.DataType)proto.DataType;
        ReadOnlySpan<byte> raw = RawBytes(proto, modelDirectory, where);
        var result = new long[count];
        int width = type switch
        {
            TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64 => 8,
            TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 => 4,
            TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Uint16 => 2,
            TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Bool => 1,
            _ => throw new OnnxException(
                $"{where}: tensor '{proto.Name}' has element type {type}; expected an integer or BOOL type."),
        };
        if (raw.Length > 0)
        {
            CheckBytes(proto, where, raw.Length, count, width);
            for (int i = 0; i < result.Length; i++)
            {
                var b = raw.Slice(width * i, width);
                result[i] = type switch
                {
                    TensorProto.Types.DataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(b),
                    TensorProto.Types.DataType.Uint64 => (long)BinaryPrimitives.ReadUInt64LittleEndian(b),
                    TensorProto.Types.DataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(b),
                    TensorProto.Types.DataType.Uint32 => BinaryPrimitives.ReadUInt32LittleEndian(b),
                    TensorProto.Types.DataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(b),
                    TensorProto.Types.DataType.Uint16 => BinaryPrimitives.ReadUInt16LittleEndian(b),
                    TensorProto.Types.DataType.Int8 => (sbyte)b[0],
                    _ => b[0],
                };
            }
            return result;
        }
        if (type == TensorProto.Types.DataType.Int64)
        {
            CheckCount(proto, where, proto.Int64Data.Count, count);
            proto.Int64Data.CopyTo(result, 0);
        }
        else if (type is TensorProto.Types.DataType.Uint64 or TensorProto.Types.DataType.Uint32)
        {
            CheckCount(proto, where, proto.Uint64Data.Count, count);
            for (int i = 0; i < result.Length; i++) result[i] = (long)proto.Uint64Data[i];
        }
        else
        {
            CheckCount(proto, where, proto.Int32Data.Count, count);
            for (int i = 0; i < result.Length; i++) result[i] = proto.Int32Data[i];
        }
        return result;
    }

    /// <summary>A FLOAT tensor named <paramref name="name"/> holding <paramref name="tensor"/>'s values (raw little-endian data).</summary>
    public static TensorProto FromTensor(string name, Tensor tensor)
    {
        float[] values = tensor.ToArray();
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        foreach (int d in tensor.Shape.ToArray()) proto.Dims.Add(d);
        var bytes = new byte[values.Length * 4];
        if (BitConverter.IsLittleEndian)
            MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(bytes);
        else
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        proto.RawData = ByteString.CopyFrom(bytes);
        return proto;
    }

    /// <summary>An INT64 tensor named <paramref name="name"/> with the given values and dimensions (a 1-D tensor when none are given).</summary>
    public static TensorProto FromInt64s(string name, long[] values, params long[] dims)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(dims.Length == 0 ? [values.Length] : dims);
        proto.Int64Data.Add(values);
        return proto;
    }

    delegate float FromBytes(ReadOnlySpan<byte> bytes);

    /// <summary>
    /// Fills <paramref name="result"/> from the raw little-endian data (elements of <paramref name="width"/> bytes) when
    /// there is any, else from the typed field holding <paramref name="typedCount"/> values; sizes checked either way.
    /// </summary>
    static void Decode(TensorProto proto, string where, ReadOnlySpan<byte> raw, float[] result, int width, FromBytes fromBytes,
        int typedCount, Func<int, float> typed)
    {
        if (raw.Length > 0 || typedCount == 0)
        {
            CheckBytes(proto, where, raw.Length, result.Length, width);
            for (int i = 0; i < result.Length; i++) result[i] = fromBytes(raw.Slice(width * i, width));
        }
        else
        {
            CheckCount(proto, where, typedCount, result.Length);
            for (int i = 0; i < result.Length; i++) result[i] = typed(i);
        }
    }

    static ReadOnlySpan<byte> RawBytes(TensorProto proto, string? modelDirectory, string where)
    {
        if (proto.DataLocation != TensorProto.Types.DataLocation.External)
            return proto.RawData.Span;
        return ExternalData.Read(proto, modelDirectory, where);
    }

    static void CheckBytes(TensorProto proto, string where, int bytes, long count, int width)
    {
        if (bytes != count * width)
            throw new OnnxException(
                $"{where}: tensor '{proto.Name}' of shape [{string.Join(", ", proto.Dims)}] needs {count} elements ({count * width} bytes); " +
                $"its data has {bytes} bytes.");
    }

    static void CheckCount(TensorProto proto, string where, int actual, long count)
    {
        if (actual != count)
            throw new OnnxException(
                $"{where}: tensor '{proto.Name}' of shape [{string.Join(", ", proto.Dims)}] needs {count} elements; its data has {actual}.");
    }
}
