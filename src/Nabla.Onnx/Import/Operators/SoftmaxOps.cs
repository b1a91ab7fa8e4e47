using Nabla.Tensors;

namespace Nabla.Onnx.Import.Operators;

/// <summary>Softmax and LogSoftmax: before opset 13 the input is coerced to 2-D at the axis (default 1); from 13 on, along the axis (default -1).</summary>
internal static class SoftmaxOps
{
    public static void Register(Dictionary<string, OperatorEntry> ops)
    {
        ops["Softmax"] = new(c => Build(c, "Softmax", (x, a) => x.Softmax(a)), "opset < 13: coerced to 2-D; >= 13: one axis");
        ops["LogSoftmax"] = new(c => Build(c, "LogSoftmax", (x, a) => x.LogSoftmax(a)), "opset < 13: coerced to 2-D; >= 13: one axis");
    }

    static OpPlan Build(NodeContext c, string name, Func<Tensor, int, Tensor> f)
    {
        var type = c.RequireFloat(0);
        bool coerce = c.Opset < 13;
        long axis = c.Int("axis", coerce ? 1 : -1);
        return new OpPlan
        {
            Run = (i, _) =>
            {
                var x = i[0]!.F;
                if (x.Rank == 0) return [OnnxValue.Of(f(x.Reshape(1), 0).Reshape([]))];
                int a = OpHelpers.Axis(axis, x.Rank, c);
                if (!coerce) return [OnnxValue.Of(f(x, a))];
                int[] dims = x.Shape.ToArray();
                var flat = x.Reshape(OpHelpers.Product(dims[..a]), OpHelpers.Product(dims[a..]));
                return [OnnxValue.Of(f(flat, 1).Reshape(dims))];
            },
            OutputTypes = [type],
            Description = $"{name}(axis {axis})",
        };
    }
}
