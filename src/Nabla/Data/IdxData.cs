using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// The content of an IDX file: its dimensions (outermost first) and its unsigned bytes, row-major.
/// Produced by <see cref="IdxReader"/>.
/// </summary>
public sealed class IdxData
{
    /// <summary>Creates the content from dimensions and data; <paramref name="data"/> must hold exactly the product of the dimensions.</summary>
    public IdxData(string source, int[] dims, byte[] data)
    {
        long n = 1;
        foreach (int d in dims)
        {
            if (d < 0) throw new ValueException($"IdxData: dimension {d} of {source} is negative");
            n *= d;
        }
        if (n != data.Length) throw new ValueException($"IdxData: {source}: dimensions [{string.Join(",", dims)}] need {n} bytes, data has {data.Length}");
        Source = source;
        Dims = (int[])dims.Clone();
        Data = data;
    }

    /// <summary>The file (or stream) name the data came from, for messages.</summary>
    public string Source { get; }

    /// <summary>The dimensions declared in the header, outermost first: [count] for labels, [count, rows, cols] for images.</summary>
    public IReadOnlyList<int> Dims { get; }

    /// <summary>The number of records: the first dimension.</summary>
    public int Count => Dims[0];

    /// <summary>The elements as unsigned bytes, row-major (not copied).</summary>
    public byte[] Data { get; }

    /// <summary>The elements as integers (for label files).</summary>
    public int[] ToInt32Array()
    {
        var r = new int[Data.Length];
        for (int i = 0; i < r.Length; i++) r[i] = Data[i];
        return r;
    }

    /// <summary>
    /// A float32 tensor of the elements divided by <paramref name="divisor"/> (255 maps pixels to [0, 1]),
    /// in the given shape, or in the file's own shape when none is given.
    /// </summary>
    public Tensor ToTensor(float divisor = 255f, params int[] shape)
    {
        var f = ToFloatArray(divisor);
        int[] dims = shape.Length == 0 ? Dims.ToArray() : shape;
        return Tensor.Wrap(f, dims);
    }

    /// <summary>Data[i] / divisor for every byte.</summary>
    internal float[] ToFloatArray(float divisor)
    {
        var f = GC.AllocateUninitializedArray<float>(Data.Length); // every element is written below
        ReadOnlySpan<byte> src = Data;
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            // byte → ushort → uint → float, then an exact IEEE division (same result as the scalar loop).
            int w = System.Numerics.Vector<byte>.Count;
            for (; i <= src.Length - w; i += w) Widen(src.Slice(i, w), divisor, f.AsSpan(i, w));
        }
        for (; i < f.Length; i++) f[i] = src[i] / divisor;
        return f;
    }

    // dst[0:w] = src[0:w] / divisor for one Vector<byte> of bytes (loaded whole before anything is stored).
    private static void Widen(ReadOnlySpan<byte> src, float divisor, Span<float> dst)
    {
        int q = System.Numerics.Vector<float>.Count;
        var div = new System.Numerics.Vector<float>(divisor);
        System.Numerics.Vector.Widen(new System.Numerics.Vector<byte>(src), out var s0, out var s1);
        System.Numerics.Vector.Widen(s0, out var u0, out var u1);
        System.Numerics.Vector.Widen(s1, out var u2, out var u3);
        System.Numerics.Vector.Divide(System.Numerics.Vector.ConvertToSingle(u0), div).CopyTo(dst);
        System.Numerics.Vector.Divide(System.Numerics.Vector.ConvertToSingle(u1), div).CopyTo(dst.Slice(q));
        System.Numerics.Vector.Divide(System.Numerics.Vector.ConvertToSingle(u2), div).CopyTo(dst.Slice(2 * q));
        System.Numerics.Vector.Divide(System.Numerics.Vector.ConvertToSingle(u3), div).CopyTo(dst.Slice(3 * q));
    }
}
