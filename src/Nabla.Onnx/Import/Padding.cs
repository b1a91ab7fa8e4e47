using Nabla.Tensors;

namespace Nabla.Onnx.Import;

/// <summary>
/// Differentiable padding along any axes: constant (concatenated blocks), edge and reflect (index selection); negative
/// pads crop. Also the auto_pad arithmetic of convolution and pooling.
/// </summary>
internal static class Padding
{
    public enum Mode { Constant, Reflect, Edge }

    /// <summary>Pads axis k by <paramref name="begin"/>[k] before and <paramref name="end"/>[k] after.</summary>
    public static Tensor Pad(Tensor x, int[] begin, int[] end, Mode mode = Mode.Constant, double value = 0)
    {
        for (int axis = 0; axis < begin.Length; axis++)
        {
            int b = begin[axis], e = end[axis];
            if (b < 0 || e < 0)
            {
                int n = x.Shape[axis];
                int start = Math.Max(0, -b), stop = n - Math.Max(0, -e);
                if (stop < start) throw new Nabla.Errors.ShapeException($"pad: cropping {-b} and {-e} from axis {axis} of size {n} leaves nothing");
                x = x.Narrow(axis, start, stop - start);
                b = Math.Max(0, b);
                e = Math.Max(0, e);
            }
            if (b == 0 && e == 0) continue;
            x = mode == Mode.Constant ? PadConstant(x, axis, b, e, value) : x.IndexSelect(axis, Indices(x.Shape[axis], b, e, mode));
        }
        return x;
    }

    static Tensor PadConstant(Tensor x, int axis, int b, int e, double value)
    {
        var parts = new List<Tensor>(3);
        int[] dims = x.Shape.ToArray();
        if (b > 0) { dims[axis] = b; parts.Add(Tensor.Full(dims, value, x.DType)); }
        parts.Add(x);
        if (e > 0) { dims[axis] = e; parts.Add(Tensor.Full(dims, value, x.DType)); }
        return Tensor.Concat(parts, axis);
    }

    static int[] Indices(int n, int b, int e, Mode mode)
    {
        if (n == 0) throw new Nabla.Errors.ShapeException($"pad: {mode} padding of an empty axis");
        if (mode == Mode.Reflect && (b >= n || e >= n))
            throw new Nabla.Errors.ShapeException($"pad: reflect padding of {b} and {e} needs an axis longer than both, got {n}");
        var idx = new int[b + n + e];
        for (int j = 0; j < idx.Length; j++)
        {
            int i = j - b;
            idx[j] = mode == Mode.Edge
                ? Math.Clamp(i, 0, n - 1)
                : i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
        }
        return idx;
    }

    /// <summary>
    /// The begin and end pads of the spatial axes for an auto_pad of SAME_UPPER/SAME_LOWER (output = ⌈in/stride⌉),
    /// VALID (none) or NOTSET (the explicit <paramref name="pads"/>, begins then ends).
    /// </summary>
    public static (int[] Begin, int[] End) Resolve(string autoPad, long[]? pads, int[] input, int[] kernel, int[] stride, int[] dilation)
    {
        int n = kernel.Length;
        var begin = new int[n];
        var end = new int[n];
        switch (autoPad)
        {
            case "NOTSET":
                if (pads is not null)
                    for (int k = 0; k < n; k++) { begin[k] = checked((int)pads[k]); end[k] = checked((int)pads[k + n]); }
                break;
            case "VALID":
                break;
            default:
                for (int k = 0; k < n; k++)
                {
                    int outSize = (input[k] + stride[k] - 1) / stride[k];
                    int total = Math.Max(0, (outSize - 1) * stride[k] + (kernel[k] - 1) * dilation[k] + 1 - input[k]);
                    begin[k] = autoPad == "SAME_LOWER" ? (total + 1) / 2 : total / 2;
                    end[k] = total - begin[k];
                }
                break;
        }
        return (begin, end);
    }

    /// <summary>Reads and checks auto_pad.</summary>
    public static string AutoPad(NodeContext c)
    {
        string autoPad = c.String("auto_pad", "NOTSET");
        if (autoPad is not ("NOTSET" or "VALID" or "SAME_UPPER" or "SAME_LOWER"))
            throw c.Invalid($"auto_pad '{autoPad}' is not an ONNX value (NOTSET, VALID, SAME_UPPER, SAME_LOWER)");
        if (autoPad != "NOTSET" && c.Has("pads")) c.Ints("pads");
        return autoPad;
    }
}
