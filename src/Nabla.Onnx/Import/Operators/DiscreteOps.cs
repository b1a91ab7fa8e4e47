using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Onnx.Import.Operators;

/// <summary>Operators with piecewise-constant results and so no gradient: OneHot, Mod.</summary>
internal static class DiscreteOps
{
    public static void Register(Dictionary<string, OperatorEntry> ops)
    {
        ops["OneHot"] = new(BuildOneHot, "no gradient");
        ops["Mod"] = new(BuildMod, "fmod 0 (integers, sign of the divisor) and 1 (sign of the dividend); no gradient");
    }

    static OpPlan BuildOneHot(NodeContext c)
    {
        c.RequireNumeric(0, 1, 2);
        var type = c.InputTypes[2];
        long axis = c.Int("axis", -1);
        return new OpPlan
        {
            Run = (i, _) =>
            {
                long[] indices = i[0]!.AsLongs();
                int depth = checked((int)i[1]!.AsDoubles()[0]);
                double[] offOn = i[2]!.AsDoubles();
                int[] dims = i[0]!.Dims;
                int a = OpHelpers.Axis(axis, dims.Length + 1, c);
                int outer = OpHelpers.Product(dims[..a]), inner = OpHelpers.Product(dims[a..]);
                var y = new double[outer * depth * inner];
                for (int o = 0; o < outer; o++)
                    for (int k = 0; k < inner; k++)
                    {
                        long idx = indices[o * inner + k];
                        if (idx < 0) idx += depth;
                        for (int j = 0; j < depth; j++) y[(o * depth + j) * inner + k] = j == idx ? offOn[1] : offOn[0];
                    }
                var t = Tensor.FromArray(y, [.. dims[..a], depth, .. dims[a..]]);
                return [ElementTypes.IsFloat(type) ? OnnxValue.Of(t.ToDType(Values.DTypeOf(type))) : OpHelpers.ToInts(t, type)];
            },
            OutputTypes = [type],
            Description = $"OneHot(axis {axis})",
        };
    }

    static OpPlan BuildMod(NodeContext c)
    {
        var type = c.RequireNumeric(0, 1);
        if (type == DataType.Bool) throw c.Unsupported("element type BOOL");
        bool fmod = c.Int("fmod", 0) != 0;
        if (ElementTypes.IsFloat(type) && !fmod) throw c.Invalid("floating-point Mod needs fmod 1");
        return new OpPlan
        {
            Run = (i, _) =>
            {
                var a = i[0]!;
                var b = i[1]!;
                int[] dims = OpHelpers.Broadcast(a.Dims, b.Dims);
                double[] x, y;
                using (GradMode.NoGrad())
                {
                    x = OpHelpers.BroadcastTo(OpHelpers.AsDouble(a), dims).ToDoubleArray();
                    y = OpHelpers.BroadcastTo(OpHelpers.AsDouble(b), dims).ToDoubleArray();
                }
                var r = new double[x.Length];
                for (int k = 0; k < r.Length; k++)
                {
                    double m = x[k] % y[k];
                    if (!fmod && m != 0 && (m < 0) != (y[k] < 0)) m += y[k];
                    r[k] = m;
                }
                var t = Values.Array(r, dims);
                return [ElementTypes.IsFloat(type) ? OnnxValue.Of(t.ToDType(Values.DTypeOf(type))) : OpHelpers.ToInts(t, type)];
            },
            OutputTypes = [type],
            Description = fmod ? "Mod(fmod)" : "Mod",
        };
    }
}
