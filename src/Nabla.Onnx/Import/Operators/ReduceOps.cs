using Nabla.Tensors;

namespace Nabla.Onnx.Import.Operators;

/// <summary>
/// Reductions over listed axes (all axes when none are listed) with keepdims: ReduceSum (axes as an input from opset 13),
/// ReduceMean, ReduceMax, ReduceMin, ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp (axes as an
/// attribute, opsets before 18); ArgMax and ArgMin.
/// </summary>
internal static class ReduceOps
{
    public static void Register(Dictionary<string, OperatorEntry> ops)
    {
        Reduce(ops, "ReduceSum", (x, a, k) => x.Sum(a, k), axesInputFrom: 13);
        Reduce(ops, "ReduceMean", (x, a, k) => x.Mean(a, k));
        Reduce(ops, "ReduceMax", (x, a, k) => x.Max(a, k));
        Reduce(ops, "ReduceMin", (x, a, k) => x.Min(a, k));
        Reduce(ops, "ReduceSumSquare", (x, a, k) => (x * x).Sum(a, k));
        Reduce(ops, "ReduceL1", (x, a, k) => x.Abs().Sum(a, k));
        Reduce(ops, "ReduceL2", (x, a, k) => (x * x).Sum(a, k).Sqrt());
        Reduce(ops, "ReduceLogSum", (x, a, k) => x.Sum(a, k).Log());
        Reduce(ops, "ReduceLogSumExp", LogSumExp);
        ops["ArgMax"] = new(c => BuildArg(c, "ArgMax", x => x), "select_last_index");
        ops["ArgMin"] = new(c => BuildArg(c, "ArgMin", x => -x), "select_last_index");
    }

    static Tensor LogSumExp(Tensor x, int[] axes, bool keep)
    {
        var m = x.Max(axes, keepDim: true).Detach();
        var s = (x - m).Exp().Sum(axes, keepDim: true).Log() + m;
        return keep ? s : s.Reshape(x.Shape.ToArray().Where((_, i) => !axes.Contains(i)).ToArray());
    }

    static void Reduce(Dictionary<string, OperatorEntry> ops, string name, Func<Tensor, int[], bool, Tensor> f, int axesInputFrom = 18) =>
        ops[name] = new(c =>
        {
            var type = c.RequireNumeric(0);
            if (type == DataType.Bool) throw c.Unsupported("element type BOOL");
            bool keep = c.Int("keepdims", 1) != 0;
            bool axesInput = c.Opset >= axesInputFrom;
            long[]? attrAxes = axesInput ? null : c.Ints("axes");
            bool noop = axesInput && c.Int("noop_with_empty_axes", 0) != 0;
            return new OpPlan
            {
                Run = (i, _) =>
                {
                    var x = i[0]!;
                    long[]? listed = axesInput ? (i.Length > 1 && i[1] is { } a ? a.I : null) : attrAxes;
                    if ((listed is null || listed.Length == 0) && noop) return [x];
                    int rank = x.Dims.Length;
                    int[] axes = listed is null || listed.Length == 0
                        ? Enumerable.Range(0, rank).ToArray()
                        : listed.Select(v => OpHelpers.Axis(v, rank, c)).Distinct().ToArray();
                    if (rank == 0) return [x];
                    return [OpHelpers.Map(x, t => f(t, axes, keep))];
                },
                OutputTypes = [type],
                Description = $"{name}({(attrAxes is null ? "" : $"axes [{string.Join(", ", attrAxes)}]")}{(keep ? "" : ", keepdims 0")})",
            };
        }, axesInputFrom < 18 ? $"axes as an input from opset {axesInputFrom}" : "axes as an attribute");

    static OpPlan BuildArg(NodeContext c, string name, Func<Tensor, Tensor> prepare)
    {
        c.RequireNumeric(0);
        long axis = c.Int("axis", 0);
        bool keep = c.Int("keepdims", 1) != 0;
        bool last = c.Int("select_last_index", 0) != 0;
        return new OpPlan
        {
            Run = (i, _) =>
            {
                var x = OpHelpers.AsDouble(i[0]!);
                int a = OpHelpers.Axis(axis, x.Rank, c);
                using (Nabla.Autograd.GradMode.NoGrad())
                {
                    var v = prepare(x.Detach());
                    if (!last) return [OpHelpers.ToInts(v.ArgMax(a, keep), DataType.Int64)];
                    // The last maximum: the first one along the reversed axis, mirrored back.
                    int n = v.Shape[a];
                    var reversed = v.IndexSelect(a, Enumerable.Range(0, n).Reverse().ToArray());
                    return [OpHelpers.ToInts((n - 1.0) - reversed.ArgMax(a, keep), DataType.Int64)];
                }
            },
            OutputTypes = [DataType.Int64],
            Description = $"{name}(axis {axis})",
        };
    }
}
