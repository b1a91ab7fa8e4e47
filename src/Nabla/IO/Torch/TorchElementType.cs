using System.Buffers.Binary;
using Nabla.Tensors;

namespace Nabla.IO.Torch;

/// <summary>
/// An element type of PyTorch weights as the files name it: the storage class in a <c>torch.save</c> pickle
/// (<c>torch.FloatStorage</c>) and the dtype tag in safetensors (<c>F32</c>). float32, float16 and bfloat16 load as
/// Float32; float64 and int64 as Float64 (exact for integers up to 2⁵³).
/// </summary>
internal sealed record TorchElementType(string Storage, string Name, string SafeTensorsTag, int Size)
{
    public static readonly TorchElementType Float32 = new("FloatStorage", "float32", "F32", 4);
    public static readonly TorchElementType Float64 = new("DoubleStorage", "float64", "F64", 8);
    public static readonly TorchElementType Float16 = new("HalfStorage", "float16", "F16", 2);
    public static readonly TorchElementType BFloat16 = new("BFloat16Storage", "bfloat16", "BF16", 2);
    public static readonly TorchElementType Int64 = new("LongStorage", "int64", "I64", 8);

    public static IReadOnlyList<TorchElementType> All { get; } = [Float32, Float64, Float16, BFloat16, Int64];

    /// <summary>The supported types, for error messages.</summary>
    public static string Supported(Func<TorchElementType, string> name) => string.Join(", ", All.Select(name));

    /// <summary>The type of a storage class name (<c>FloatStorage</c>), or null.</summary>
    public static TorchElementType? FromStorage(string storage) => All.FirstOrDefault(t => t.Storage == storage);

    /// <summary>The type of a safetensors dtype tag (<c>F32</c>), or null.</summary>
    public static TorchElementType? FromTag(string tag) => All.FirstOrDefault(t => t.SafeTensorsTag == tag);

    /// <summary>The Nabla element type values of this type load as.</summary>
    public DType Target => Size == 8 ? DType.Float64 : DType.Float32;

    /// <summary>Element <paramref name="index"/> of little-endian <paramref name="bytes"/> as a double.</summary>
    public double Read(ReadOnlySpan<byte> bytes, long index)
    {
        var b = bytes.Slice(checked((int)(index * Size)), Size);
        if (this == Float32) return BinaryPrimitives.ReadSingleLittleEndian(b);
        if (this == Float64) return BinaryPrimitives.ReadDoubleLittleEndian(b);
        if (this == Float16) return (double)BinaryPrimitives.ReadHalfLittleEndian(b);
        if (this == BFloat16) return BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b) << 16);
        return BinaryPrimitives.ReadInt64LittleEndian(b);
    }

    /// <summary>Writes <paramref name="value"/> as this type (Float32, Float64 or Int64) into <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination, double value)
    {
        if (this == Float32) BinaryPrimitives.WriteSingleLittleEndian(destination, (float)value);
        else if (this == Float64) BinaryPrimitives.WriteDoubleLittleEndian(destination, value);
        else if (this == Int64) BinaryPrimitives.WriteInt64LittleEndian(destination, checked((long)value));
        else throw new NotSupportedException($"writing {Name} is not supported");
    }

    /// <summary>
    /// A tensor of <paramref name="size"/> gathered from <paramref name="bytes"/> (a storage of this type) at
    /// <paramref name="offset"/> with <paramref name="stride"/> (in elements), as <see cref="Target"/>.
    /// The caller has checked that every index lies inside the storage.
    /// </summary>
    public Tensor Gather(ReadOnlySpan<byte> bytes, long offset, long[] size, long[] stride)
    {
        var shape = size.Select(s => checked((int)s)).ToArray();
        int n = shape.Aggregate(1, (a, b) => checked(a * b)), rank = shape.Length;
        var values = new double[n];
        var index = new int[rank];
        for (int i = 0; i < n; i++)
        {
            long at = offset;
            for (int d = 0; d < rank; d++) at += index[d] * stride[d];
            values[i] = Read(bytes, at);
            for (int d = rank - 1; d >= 0 && ++index[d] == shape[d]; d--) index[d] = 0;
        }
        if (Target == DType.Float64) return Tensor.Wrap(values, shape).Reshape(shape);
        return Tensor.Wrap(Array.ConvertAll(values, v => (float)v), shape).Reshape(shape);
    }

    /// <summary>The type PyTorch keeps the named tensor in when Nabla writes it: int64 for batch norm's counter, else the tensor's own.</summary>
    public static TorchElementType ForWriting(string name, Tensor t) =>
        name == "num_batches_tracked" || name.EndsWith(".num_batches_tracked", StringComparison.Ordinal) ? Int64
        : t.DType == DType.Float64 ? Float64 : Float32;
}
