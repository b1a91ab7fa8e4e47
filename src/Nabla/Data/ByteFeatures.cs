using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// Features [N, ...] held compactly, one byte per value, with a table of the 256 float32 values the bytes stand for:
/// value = <see cref="Table"/>[byte]. Image pixels, for instance, use <see cref="Scaled"/> (Table[b] = b / 255).
/// A <see cref="TensorDataset"/> built on them takes a quarter of the memory of float32 features, and a
/// <see cref="DataLoader"/> widens only the rows of each batch, straight into the batch tensor.
/// </summary>
/// <remarks>
/// The bytes are kept by reference (not copied) and must not be changed afterwards; the table is copied.
/// <see cref="Rows"/> and <see cref="Reshape"/> are views of the same bytes; <see cref="Select"/> copies.
/// </remarks>
public sealed class ByteFeatures
{
    /// <summary>The number of entries of a value table: one per byte value.</summary>
    public const int TableLength = 256;

    private readonly byte[] _data;
    private readonly int _offset;
    private readonly float[] _table;
    private readonly int _numel, _rowLength;

    /// <summary>Features of the given shape [N, ...] whose values are <paramref name="table"/>[byte].</summary>
    /// <param name="data">The bytes, row-major; exactly the product of <paramref name="shape"/> of them (kept, not copied).</param>
    /// <param name="shape">The shape [N, ...]: its first axis indexes the examples.</param>
    /// <param name="table">The value of each byte 0..255 (<see cref="TableLength"/> entries; copied).</param>
    /// <exception cref="ValueException">The table does not hold 256 values.</exception>
    /// <exception cref="ShapeException">A scalar or negative shape, or a byte count that is not the product of the shape.</exception>
    public ByteFeatures(byte[] data, int[] shape, float[] table)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(table);
        if (table.Length != TableLength)
            throw new ValueException($"ByteFeatures: the value table must hold {TableLength} values (one per byte), got {table.Length}");
        if (shape.Length == 0) throw new ShapeException("ByteFeatures: the shape must have a first axis of examples, got a scalar shape []");
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ShapeException($"ByteFeatures: shape [{string.Join(",", shape)}] has a negative dimension");
            n *= d;
        }
        if (n != data.Length)
            throw new ShapeException($"ByteFeatures: shape [{string.Join(",", shape)}] needs {n} bytes, got {data.Length}");
        (_data, _table, Shape) = (data, (float[])table.Clone(), new Shape(shape));
        (_numel, _rowLength) = Sizes(Shape);
    }

    private ByteFeatures(byte[] data, int offset, Shape shape, float[] table)
    {
        (_data, _offset, Shape, _table) = (data, offset, shape, table);
        (_numel, _rowLength) = Sizes(Shape);
    }

    private static (int Numel, int RowLength) Sizes(Shape s)
    {
        int row = 1;
        foreach (int d in s.Dims[1..]) row *= d;
        return (s.Numel, row);
    }

    /// <summary>Features whose values are byte / <paramref name="divisor"/>, computed in float32 (255 maps pixels to [0, 1]).</summary>
    /// <remarks>Each value is exactly <c>b / divisor</c> in float32, the value <see cref="IdxData.ToTensor"/> gives.</remarks>
    public static ByteFeatures Scaled(byte[] data, int[] shape, float divisor = 255f) => new(data, shape, ScaleTable(divisor));

    /// <summary>The table b / <paramref name="divisor"/> for b = 0..255.</summary>
    internal static float[] ScaleTable(float divisor)
    {
        var t = new float[TableLength];
        for (int b = 0; b < t.Length; b++) t[b] = b / divisor;
        return t;
    }

    /// <summary>The shape [N, ...].</summary>
    public Shape Shape { get; }

    /// <summary>The number of examples N (the first axis).</summary>
    public int Count => Shape[0];

    /// <summary>The number of values in one example (the product of the shape without its first axis).</summary>
    public int RowLength => _rowLength;

    /// <summary>The bytes of these features, row-major (a view of the storage; do not keep it beyond the features' life).</summary>
    public ReadOnlySpan<byte> Data => _data.AsSpan(_offset, _numel);

    /// <summary>The value of each byte 0..255.</summary>
    public ReadOnlySpan<float> Table => _table;

    /// <summary>The position of the first value that is NaN or ±∞ in row-major order, or -1 (always -1 when the table is finite).</summary>
    public long IndexOfNonFinite()
    {
        if (_table.All(float.IsFinite)) return -1;
        var data = Data;
        for (int i = 0; i < data.Length; i++)
            if (!float.IsFinite(_table[data[i]])) return i;
        return -1;
    }

    /// <summary>The value at row-major position <paramref name="index"/>.</summary>
    public float this[long index] => (ulong)index < (ulong)_numel
        ? _table[_data[_offset + index]]
        : throw new ValueException($"ByteFeatures: index {index} is out of range for {_numel} values");

    /// <summary>Writes the values of rows <paramref name="start"/>..<paramref name="start"/>+<paramref name="count"/> into <paramref name="destination"/> (count × <see cref="RowLength"/> floats).</summary>
    public void WidenRows(int start, int count, Span<float> destination)
    {
        if (start < 0 || count < 0 || start > Count - count)
            throw new ValueException($"ByteFeatures.WidenRows: rows [{start}, {start + count}) are outside {Count} rows");
        int row = RowLength;
        CheckDestination("WidenRows", (long)count * row, destination.Length);
        Widen(_data.AsSpan(_offset + start * row, count * row), destination);
    }

    /// <summary>Writes the values of rows <paramref name="rows"/>, in that order, into <paramref name="destination"/> (rows.Length × <see cref="RowLength"/> floats).</summary>
    public void GatherRows(ReadOnlySpan<int> rows, Span<float> destination)
    {
        int row = RowLength;
        CheckDestination("GatherRows", (long)rows.Length * row, destination.Length);
        for (int k = 0; k < rows.Length; k++)
        {
            int i = rows[k];
            if ((uint)i >= (uint)Count) throw new ValueException($"ByteFeatures.GatherRows: row {i} is out of range for {Count} rows");
            if (k + PrefetchAhead < rows.Length) Prefetch(rows[k + PrefetchAhead], row);
            Widen(_data.AsSpan(_offset + i * row, row), destination.Slice(k * row, row));
        }
    }

    // Shuffled rows are scattered over the whole dataset (47 MB for MNIST), so each is a cache miss: asking for the rows
    // a few ahead lets their misses overlap instead of waiting for one row at a time.
    private const int PrefetchAhead = 4;

    private unsafe void Prefetch(int i, int row)
    {
        if (!Sse.IsSupported || (uint)i >= (uint)Count) return;
        fixed (byte* p = &_data[_offset + i * row])
            for (int b = 0; b < row; b += 64) Sse.Prefetch0(p + b);
    }

    private static void CheckDestination(string op, long needed, int length)
    {
        if (length != needed) throw new ShapeException($"ByteFeatures.{op}: the destination must hold {needed} floats, got {length}");
    }

    // dst[i] = table[src[i]]: a plain table lookup, exactly the table's values, about as fast as copying float rows. Compiled
    // fully optimised on first use: at tier 0 the first ~100 ms of batches would run several times slower.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Widen(ReadOnlySpan<byte> src, Span<float> dst)
    {
        ref float table = ref MemoryMarshal.GetArrayDataReference(_table);   // 256 entries: every byte indexes inside
        for (int i = 0; i < src.Length; i++) dst[i] = Unsafe.Add(ref table, src[i]);
    }

    /// <summary>All the values as a new float32 tensor of <see cref="Shape"/> (4 bytes per value).</summary>
    public Tensor ToTensor()
    {
        var values = GC.AllocateUninitializedArray<float>(_numel);   // every element is written below
        Widen(Data, values);
        return Tensor.Wrap(values, Shape.ToArray());
    }

    /// <summary>Rows <paramref name="start"/>..<paramref name="start"/>+<paramref name="count"/>: a view of the same bytes.</summary>
    public ByteFeatures Rows(int start, int count)
    {
        if (start < 0 || count < 0 || start > Count - count)
            throw new ValueException($"ByteFeatures.Rows: rows [{start}, {start + count}) are outside {Count} rows");
        var dims = Shape.ToArray();
        dims[0] = count;
        return new ByteFeatures(_data, _offset + start * RowLength, new Shape(dims), _table);
    }

    /// <summary>The same bytes viewed with another shape of the same number of values (e.g. [N,1,28,28] → [N,784]).</summary>
    public ByteFeatures Reshape(params int[] shape)
    {
        var s = new Shape(shape);
        if (shape.Length == 0 || s.Numel != _numel)
            throw new ShapeException($"ByteFeatures.Reshape: cannot view {Shape} ({_numel} values) as [{string.Join(",", shape)}]");
        return new ByteFeatures(_data, _offset, s, _table);
    }

    /// <summary>The rows <paramref name="rows"/>, in that order (copied; repeats allowed).</summary>
    public ByteFeatures Select(ReadOnlySpan<int> rows)
    {
        int row = RowLength;
        var data = GC.AllocateUninitializedArray<byte>(checked(rows.Length * row));
        var src = Data;
        for (int k = 0; k < rows.Length; k++)
        {
            int i = rows[k];
            if ((uint)i >= (uint)Count) throw new ValueException($"ByteFeatures.Select: row {i} is out of range for {Count} rows");
            src.Slice(i * row, row).CopyTo(data.AsSpan(k * row, row));
        }
        var dims = Shape.ToArray();
        dims[0] = rows.Length;
        return new ByteFeatures(data, 0, new Shape(dims), _table);
    }
}
