using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Onnx.Import;

/// <summary>
/// Helpers the operator families share. Integer values go through the float kernels as Float64 tensors (exact for
/// integers up to 2^53, which covers shapes, indices and masks) and come back as longs of their element type.
/// </summary>
internal static class OpHelpers
{
    /// <summary>Applies a tensor function to a float value, or to an integer value through Float64.</summary>
    public static OnnxValue Map(OnnxValue v, Func<Tensor, Tensor> f)
    {
        if (v.Tensor is { } t) return OnnxValue.Of(f(t));
        using (GradMode.NoGrad()) return ToInts(f(AsDouble(v)), v.Type);
    }

    /// <summary>Applies a binary tensor function (floats), or through Float64 (integers; <paramref name="type"/> is the result's type).</summary>
    public static OnnxValue Map2(OnnxValue a, OnnxValue b, Func<Tensor, Tensor, Tensor> f, DataType? type = null)
    {
        if (a.Tensor is { } x && b.Tensor is { } y)
        {
            var r = f(x, y);
            return type is { } t0 && !ElementTypes.IsFloat(t0) ? ToInts(r, t0) : OnnxValue.Of(r);
        }
        using (GradMode.NoGrad())
            return ToInts(f(AsDouble(a), AsDouble(b)), type ?? a.Type);
    }

    /// <summary>An integer value as a Float64 tensor.</summary>
    public static Tensor AsDouble(OnnxValue v) =>
        v.Tensor ?? Values.Array(Array.ConvertAll(v.I, x => (double)x), v.Dims);

    /// <summary>A float tensor of integral values as an integer value.</summary>
    public static OnnxValue ToInts(Tensor t, DataType type)
    {
        double[] d = t.ToDoubleArray();
        var r = new long[d.Length];
        for (int i = 0; i < r.Length; i++) r[i] = ElementTypes.Narrow((long)Math.Round(d[i]), type);
        return OnnxValue.OfInts(r, t.Shape.ToArray(), type);
    }

    /// <summary>A boolean value from a 0/1 float tensor.</summary>
    public static OnnxValue ToBool(Tensor t) => ToInts(t, DataType.Bool);

    /// <summary>An axis in [-rank, rank) normalized to [0, rank).</summary>
    public static int Axis(long axis, int rank, NodeContext? ctx = null, string what = "axis")
    {
        if (axis < -rank || axis >= rank)
        {
            string msg = $"{what} {axis} is out of range for rank {rank} (expected {-rank}..{rank - 1})";
            throw ctx is null ? new OnnxException(msg) : ctx.Invalid(msg);
        }
        return (int)(axis < 0 ? axis + rank : axis);
    }

    /// <summary>Numpy broadcasting of two shapes.</summary>
    public static int[] Broadcast(int[] a, int[] b)
    {
        int n = Math.Max(a.Length, b.Length);
        var r = new int[n];
        for (int i = 0; i < n; i++)
        {
            int da = i < n - a.Length ? 1 : a[i - (n - a.Length)];
            int db = i < n - b.Length ? 1 : b[i - (n - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new Nabla.Errors.ShapeException($"shapes [{string.Join(", ", a)}] and [{string.Join(", ", b)}] do not broadcast");
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    /// <summary>Broadcasts <paramref name="t"/> to <paramref name="dims"/> (differentiable: adds zeros of that shape).</summary>
    public static Tensor BroadcastTo(Tensor t, int[] dims) =>
        t.Shape.ToArray().SequenceEqual(dims) ? t : t + Tensor.Zeros(dims, t.DType);

    /// <summary>The product of the dimensions.</summary>
    public static int Product(IEnumerable<int> dims) => dims.Aggregate(1, (p, d) => checked(p * d));

    /// <summary>An integer list as ints, checked against the int range.</summary>
    public static int[] ToInts(long[] values) => Array.ConvertAll(values, v => checked((int)v));

    /// <summary>A float value's scalar as a double (Clip bounds, Pad values).</summary>
    public static double ScalarOf(OnnxValue v) => v.Count == 1 ? v.AsDoubles()[0] : throw new OnnxException($"expected a scalar, got {v}");

    /// <summary>The output types: <paramref name="n"/> copies of <paramref name="type"/>.</summary>
    public static DataType[] Same(DataType type, int n = 1) => Enumerable.Repeat(type, n).ToArray();
}
