using Nabla.Tensors;

namespace Nabla.Onnx.Import.Operators;

/// <summary>Softmax, LogSoftmax and Hardmax: before opset 13 the input is coerced to 2-D at the axis (default 1); from 13 on, along the axis (default -1).</summary>
internal static class SoftmaxOps
{
    public static void Register(Dictionary<string, OperatorEntry> ops)
    {
        ops["Softmax"] = new(c => Build(c, "Softmax", (x, a) => x.Softmax(a)), "opset < 13: coerced to 2-D; >= 13: one axis");
        ops["LogSoftmax"] = new(c => Build(c, "LogSoftmax", (x, a) => x.LogSoftmax(a)), "opset < 13: coerced to 2-D; >= 13: one axis");
        ops["Hardmax"] = new(c => Build(c, "Hardmax", Hardmax), "opset < 13: coerced to 2-D; >= 13: one axis; no gradient");
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

    /// <summary>1 at the first maximum along <paramref name="axis"/>, 0 elsewhere (piecewise constant: no gradient).</summary>
    static Tensor Hardmax(Tensor x, int axis)
    {
        int[] dims = x.Shape.ToArray();
        int n = dims[axis], inner = OpHelpers.Product(dims[(axis + 1)..]), outer = OpHelpers.Product(dims[..axis]);
        double[] v = x.ToDoubleArray();
        var y = new double[v.Length];
        for (int o = 0; o < outer; o++)
            for (int k = 0; k < inner; k++)
            {
                int best = 0;
                for (int j = 1; j < n; j++)
                    if (v[(o * n + j) * inner + k] > v[(o * n + best) * inner + k]) best = j;
                y[(o * n + best) * inner + k] = 1;
            }
        return Values.Array(y, dims).ToDType(x.DType);
    }
}
