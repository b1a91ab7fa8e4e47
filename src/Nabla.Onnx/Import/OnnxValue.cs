using Nabla.Onnx.Protobuf;
using Nabla.Tensors;

namespace Nabla.Onnx.Import;

/// <summary>
/// A value flowing through an imported graph: a floating-point Nabla tensor (FLOAT as Float32, DOUBLE as Float64, on the
/// autograd tape), or an integer/boolean tensor held as <c>long</c>s with its dimensions (shapes, indices, masks).
/// </summary>
internal sealed class OnnxValue
{
    OnnxValue(DataType type, Tensor? tensor, long[]? ints, int[] dims)
    {
        Type = type;
        Tensor = tensor;
        Ints = ints;
        Dims = dims;
    }

    /// <summary>The ONNX element type.</summary>
    public DataType Type { get; }

    /// <summary>The float tensor (FLOAT/DOUBLE values), else null.</summary>
    public Tensor? Tensor { get; }

    /// <summary>The integer or boolean elements in row-major order, else null.</summary>
    public long[]? Ints { get; }

    /// <summary>The dimensions.</summary>
    public int[] Dims { get; }

    /// <summary>Whether this is a float value.</summary>
    public bool IsFloat => Tensor is not null;

    /// <summary>The element count.</summary>
    public int Count => Tensor?.Numel ?? Ints!.Length;

    /// <summary>A float value holding <paramref name="t"/>.</summary>
    public static OnnxValue Of(Tensor t) =>
        new(t.DType == DType.Float64 ? DataType.Double : DataType.Float, t, null, t.Shape.ToArray());

    /// <summary>An integer or boolean value.</summary>
    public static OnnxValue OfInts(long[] values, int[] dims, DataType type = DataType.Int64)
    {
        if (ElementTypes.IsFloat(type)) throw new ArgumentException($"{type} is not an integer type", nameof(type));
        return new(type, null, values, dims);
    }

    /// <summary>The float tensor; an integer value here is a bug of the importer's type checks.</summary>
    public Tensor F => Tensor ?? throw new InvalidOperationException($"expected a float value, got {Type}");

    /// <summary>The integer elements; a float value here is a bug of the importer's type checks.</summary>
    public long[] I => Ints ?? throw new InvalidOperationException($"expected an integer value, got {Type}");

    /// <summary>The elements as doubles (either kind).</summary>
    public double[] AsDoubles() => Tensor is not null ? Tensor.ToDoubleArray() : Array.ConvertAll(Ints!, v => (double)v);

    /// <summary>The elements as longs (either kind; floats truncated toward zero).</summary>
    public long[] AsLongs() => Ints ?? Array.ConvertAll(Tensor!.ToDoubleArray(), v => (long)v);

    /// <summary>The same elements with other dimensions (same count).</summary>
    public OnnxValue WithDims(int[] dims) => Tensor is not null ? Of(Tensor.Reshape(dims)) : OfInts(Ints!, dims, Type);

    /// <summary>A short description for error messages, e.g. <c>FLOAT [2, 3]</c>.</summary>
    public override string ToString() => $"{ElementTypes.Name(Type)} [{string.Join(", ", Dims)}]";
}
