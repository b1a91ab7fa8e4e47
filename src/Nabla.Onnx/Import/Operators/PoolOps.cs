using Nabla.Tensors;

namespace Nabla.Onnx.Import.Operators;

/// <summary>
/// MaxPool and AveragePool over 1-D and 2-D inputs on Nabla's pooling kernels (pads, strides, ceil_mode, count_include_pad,
/// auto_pad; pads beyond half the kernel or asymmetric pads are applied explicitly), GlobalAveragePool, GlobalMaxPool.
/// </summary>
internal static class PoolOps
{
    public static void Register(Dictionary<string, OperatorEntry> ops)
    {
        ops["MaxPool"] = new(c => BuildPool(c, max: true), "1-D and 2-D; no dilations; the Indices output for 2-D NOTSET symmetric pads, storage_order 0");
        ops["AveragePool"] = new(c => BuildPool(c, max: false), "1-D and 2-D; pads, ceil_mode, count_include_pad");
        ops["GlobalAveragePool"] = new(c => Global(c, "GlobalAveragePool", (x, axes) => x.Mean(axes, keepDim: true)));
        ops["GlobalMaxPool"] = new(c => Global(c, "GlobalMaxPool", (x, axes) => x.Max(axes, keepDim: true)));
    }

    static OpPlan Global(NodeContext c, string name, Func<Tensor, int[], Tensor> f)
    {
        var type = c.RequireFloat(0);
        return new OpPlan
        {
            Run = (i, _) =>
            {
                var x = i[0]!.F;
                return [OnnxValue.Of(f(x, Enumerable.Range(2, x.Rank - 2).ToArray()))];
            },
            OutputTypes = [type],
            Description = name,
        };
    }

    static OpPlan BuildPool(NodeContext c, bool max)
    {
        var type = c.RequireFloat(0);
        string autoPad = Padding.AutoPad(c);
        long[] kernelShape = c.Ints("kernel_shape") ?? throw c.Invalid("attribute 'kernel_shape' is missing");
        long[]? pads = c.Ints("pads"), strides = c.Ints("strides"), dilations = c.Ints("dilations");
        bool ceil = c.Int("ceil_mode", 0) != 0;
        bool countPad = !max && c.Int("count_include_pad", 0) != 0;
        bool indices = max && c.HasOutput(1);
        if (max && c.Int("storage_order", 0) != 0 && indices) throw c.Unsupported("the Indices output with storage_order 1");
        if (indices && (autoPad != "NOTSET" || kernelShape.Length != 2 || (pads is not null && (pads[0] != pads[2] || pads[1] != pads[3] ||
                                                                                               pads[0] > kernelShape[0] / 2 || pads[1] > kernelShape[1] / 2))))
            throw c.Unsupported("the Indices output with auto_pad, asymmetric pads, pads beyond half the kernel or a 1-D pool");
        if (dilations is not null && dilations.Any(d => d != 1)) throw c.Unsupported($"dilations [{string.Join(", ", dilations)}]");
        int n = kernelShape.Length;
        if (ceil && (autoPad.StartsWith("SAME", StringComparison.Ordinal) ||
                     (pads is not null && Enumerable.Range(0, n).Any(k => pads[k] != pads[k + n] || pads[k] > kernelShape[k] / 2))))
            throw c.Unsupported($"ceil_mode 1 with auto_pad {autoPad} and pads [{string.Join(", ", pads ?? [])}] (asymmetric or beyond half the kernel)");
        if (n is < 1 or > 2) throw c.Unsupported($"{n}-D pooling (supported: 1-D and 2-D)");
        string name = max ? "MaxPool" : "AveragePool";
        string desc = $"{name}({string.Join("x", kernelShape)}{(strides is null ? "" : $", stride {string.Join("x", strides)}")})";
        return new OpPlan
        {
            Run = (i, _) =>
            {
                var x = i[0]!.F;
                if (x.Rank != n + 2)
                    throw new OnnxException($"{c.Where}: a {n}-D pool expects an input of rank {n + 2}, got {x.Shape}");
                bool oneD = n == 1;
                if (oneD) x = x.Unsqueeze(2);
                int[] kernel = oneD ? [1, (int)kernelShape[0]] : OpHelpers.ToInts(kernelShape);
                int[] stride = ConvOps.Spatial(strides, n, oneD);
                int[] input = x.Shape.ToArray()[2..];
                var (begin, end) = Padding.Resolve(autoPad, oneD && pads is not null ? [0, pads[0], 0, pads[1]] : pads, input, kernel, stride, [1, 1]);
                if (indices) return MaxWithIndices(x, kernel, stride, begin, ceil);
                var y = Pool(x, max, kernel, stride, begin, end, ceil, countPad);
                return [OnnxValue.Of(oneD ? y.Squeeze(2) : y)];
            },
            OutputTypes = max ? [type, DataType.Int64] : [type],
            Description = desc,
        };
    }

    /// <summary>MaxPool with ONNX's Indices output: the row-major index of each maximum in the whole (unpadded) input.</summary>
    static OnnxValue?[] MaxWithIndices(Tensor x, int[] kernel, int[] stride, int[] pad, bool ceil)
    {
        var (y, within) = x.MaxPool2dWithIndices((kernel[0], kernel[1]), (stride[0], stride[1]), (pad[0], pad[1]), ceil);
        int plane = x.Shape[2] * x.Shape[3], outPlane = y.Shape[2] * y.Shape[3];
        var flat = new long[within.Length];
        for (int k = 0; k < flat.Length; k++) flat[k] = (long)(k / outPlane) * plane + within[k];
        return [OnnxValue.Of(y), OnnxValue.OfInts(flat, y.Shape.ToArray())];
    }

    static Tensor Pool(Tensor x, bool max, int[] kernel, int[] stride, int[] begin, int[] end, bool ceil, bool countPad)
    {
        var k = (kernel[0], kernel[1]);
        var s = (stride[0], stride[1]);
        bool native = begin.SequenceEqual(end) && begin[0] <= kernel[0] / 2 && begin[1] <= kernel[1] / 2;
        if (native)
            return max ? x.MaxPool2d(k, s, (begin[0], begin[1]), ceil) : x.AvgPool2d(k, s, (begin[0], begin[1]), countPad, ceil);
        if (ceil) throw new OnnxUnsupportedException($"pooling with ceil_mode and pads [{string.Join(", ", begin.Concat(end))}] (asymmetric or beyond half the kernel) is not supported");
        if (max) return Padding.Pad(x, [0, 0, .. begin], [0, 0, .. end], Padding.Mode.Constant, double.NegativeInfinity).MaxPool2d(k, s);
        var padded = Padding.Pad(x, [0, 0, .. begin], [0, 0, .. end]).AvgPool2d(k, s);
        if (countPad) return padded;
        // Average over real elements only: divide by the share of each window that lies inside the input.
        var ones = Tensor.Ones([1, 1, x.Shape[2], x.Shape[3]], x.DType);
        var share = Padding.Pad(ones, [0, 0, .. begin], [0, 0, .. end]).AvgPool2d(k, s);
        return padded / share;
    }
}
