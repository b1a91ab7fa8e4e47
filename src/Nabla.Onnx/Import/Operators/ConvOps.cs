using Nabla.Tensors;

namespace Nabla.Onnx.Import.Operators;

/// <summary>Conv over 1-D and 2-D inputs on Nabla's Conv2d kernel (strides, pads, dilations, group, every auto_pad).</summary>
internal static class ConvOps
{
    public static void Register(Dictionary<string, OperatorEntry> ops) =>
        ops["Conv"] = new(BuildConv, [1, 2], [], "1-D and 2-D; strides, pads, dilations, group, auto_pad");

    static OpPlan BuildConv(NodeContext c)
    {
        var type = c.RequireFloat(0, 1, 2);
        string autoPad = Padding.AutoPad(c);
        long[]? pads = c.Ints("pads"), strides = c.Ints("strides"), dilations = c.Ints("dilations"), kernelShape = c.Ints("kernel_shape");
        int group = checked((int)c.Int("group", 1));
        int spatial = kernelShape?.Length ?? strides?.Length ?? dilations?.Length ?? (pads?.Length / 2)
                      ?? (c.Constants.Length > 1 && c.Constants[1] is { } w ? w.Dims.Length - 2 : -1);
        if (spatial > 2) throw c.Unsupported($"a {spatial}-D convolution (supported: 1-D and 2-D)");
        string desc = $"Conv({(kernelShape is null ? "" : string.Join("x", kernelShape))}{(strides?.Any(s => s != 1) == true ? $", stride {string.Join("x", strides)}" : "")}{(group != 1 ? $", group {group}" : "")})";
        return new OpPlan
        {
            Run = (i, _) =>
            {
                var x = i[0]!.F;
                var w = i[1]!.F;
                var b = i.Length > 2 ? i[2]?.F : null;
                int n = x.Rank - 2;
                if (n is < 1 or > 2 || w.Rank != x.Rank)
                    throw new OnnxException($"{c.Where}: expected a 1-D or 2-D convolution, got input {x.Shape} and weight {w.Shape}");
                bool oneD = n == 1;
                if (oneD) { x = x.Unsqueeze(2); w = w.Unsqueeze(2); }
                int[] input = x.Shape.ToArray()[2..], kernel = w.Shape.ToArray()[2..];
                int[] stride = Spatial(strides, n, oneD), dilation = Spatial(dilations, n, oneD);
                var (begin, end) = Padding.Resolve(autoPad, oneD && pads is not null ? [0, pads[0], 0, pads[1]] : pads, input, kernel, stride, dilation);
                (int, int) padding = (0, 0);
                if (begin.SequenceEqual(end)) padding = (begin[0], begin[1]);
                else x = Padding.Pad(x, [0, 0, .. begin], [0, 0, .. end]);
                var y = Tensor.Conv2d(x, w, b, (stride[0], stride[1]), padding, (dilation[0], dilation[1]), group);
                return [OnnxValue.Of(oneD ? y.Squeeze(2) : y)];
            },
            OutputTypes = [type],
            Description = desc,
            Macs = (input, output) => output.Rank > 2 ? (long)output.Numel * (input[1] / group) * KernelArea(kernelShape) : 0,
        };
    }

    static long KernelArea(long[]? kernel) => kernel?.Aggregate(1L, (p, k) => p * k) ?? 1;

    /// <summary>Per-spatial-axis values (default 1) widened to two axes for a 1-D convolution.</summary>
    public static int[] Spatial(long[]? values, int n, bool oneD)
    {
        var r = values is null ? Enumerable.Repeat(1, n).ToArray() : OpHelpers.ToInts(values);
        return oneD ? [1, r[0]] : r;
    }
}
