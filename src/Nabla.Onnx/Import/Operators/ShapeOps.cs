using Nabla.Tensors;

namespace Nabla.Onnx.Import.Operators;

/// <summary>
/// Operators that rearrange elements without computing new ones: Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Expand,
/// Concat, Split, Tile, and the shape queries Shape and Size. They work on float and integer values alike.
/// </summary>
internal static class ShapeOps
{
    public static void Register(Dictionary<string, OperatorEntry> ops)
    {
        ops["Reshape"] = new(BuildReshape, "shape input with 0 (copy) and -1 (infer); allowzero");
        ops["Flatten"] = new(c => Simple(c, "Flatten", (v, _) =>
        {
            int r = v.Dims.Length;
            long axis = c.Int("axis", 1);
            if (axis < -r || axis > r) throw new OnnxException($"{c.Where}: axis {axis} is out of range for rank {r}");
            int a = (int)(axis < 0 ? axis + r : axis);
            return v.WithDims([OpHelpers.Product(v.Dims[..a]), OpHelpers.Product(v.Dims[a..])]);
        }, "axis"));
        ops["Transpose"] = new(c =>
        {
            long[]? perm = c.Ints("perm");
            return Simple(c, "Transpose", (v, _) =>
            {
                int[] p = perm is null ? Enumerable.Range(0, v.Dims.Length).Reverse().ToArray() : OpHelpers.ToInts(perm);
                return OpHelpers.Map(v, t => t.Rank == 0 ? t : t.Permute(p));
            });
        });
        ops["Squeeze"] = new(c => AxesOp(c, "Squeeze", Squeeze), "axes as an attribute before opset 13, as an input from 13");
        ops["Unsqueeze"] = new(c => AxesOp(c, "Unsqueeze", Unsqueeze), "axes as an attribute before opset 13, as an input from 13");
        ops["Expand"] = new(c => Simple(c, "Expand", (v, i) =>
        {
            int[] dims = OpHelpers.Broadcast(v.Dims, OpHelpers.ToInts(i[1]!.I));
            return OpHelpers.Map(v, t => OpHelpers.BroadcastTo(t, dims));
        }));
        ops["Concat"] = new(BuildConcat);
        ops["Split"] = new(BuildSplit, "split sizes as an attribute before opset 13, as an input from 13");
        ops["Tile"] = new(c => Simple(c, "Tile", (v, i) =>
        {
            long[] repeats = i[1]!.I;
            return OpHelpers.Map(v, t =>
            {
                for (int a = 0; a < repeats.Length; a++)
                    if (repeats[a] != 1) t = Tensor.Concat(Enumerable.Repeat(t, (int)repeats[a]).ToArray(), a);
                return t;
            });
        }));
        ops["Shape"] = new(c =>
        {
            c.RequireNumeric(0);
            long start = c.Int("start", 0);
            long? end = c.Has("end") ? c.Int("end", 0) : null;
            return new OpPlan
            {
                Run = (i, _) =>
                {
                    int r = i[0]!.Dims.Length;
                    int s = (int)Math.Clamp(start < 0 ? start + r : start, 0, r);
                    int e = (int)Math.Clamp(end is { } e0 ? (e0 < 0 ? e0 + r : e0) : r, 0, r);
                    long[] dims = i[0]!.Dims[s..Math.Max(s, e)].Select(d => (long)d).ToArray();
                    return [OnnxValue.OfInts(dims, [dims.Length])];
                },
                OutputTypes = [DataType.Int64],
                Description = "Shape",
            };
        }, "start/end from opset 15");
        ops["Size"] = new(c =>
        {
            c.RequireNumeric(0);
            return new OpPlan { Run = (i, _) => [OnnxValue.OfInts([i[0]!.Count], [])], OutputTypes = [DataType.Int64], Description = "Size" };
        });
    }

    /// <summary>A one-output operator whose result has the input's element type.</summary>
    static OpPlan Simple(NodeContext c, string name, Func<OnnxValue, OnnxValue?[], OnnxValue> f, string keyAttribute = "")
    {
        var type = c.RequireNumeric(0);
        for (int k = 1; k < c.Node.Input.Count; k++) c.RequireTypes(k, DataType.Int64);
        string desc = keyAttribute.Length > 0 && c.Has(keyAttribute) ? $"{name}({keyAttribute} {c.Int(keyAttribute, 0)})" : name;
        return new OpPlan { Run = (i, _) => [f(i[0]!, i)], OutputTypes = [type], Description = desc };
    }

    static OpPlan BuildReshape(NodeContext c)
    {
        bool allowZero = c.Int("allowzero", 0) != 0;
        return Simple(c, "Reshape", (v, i) =>
        {
            long[] shape = i[1]!.I;
            var dims = new int[shape.Length];
            int infer = -1;
            for (int k = 0; k < dims.Length; k++)
            {
                if (shape[k] == -1) { infer = k; dims[k] = 1; }
                else if (shape[k] == 0 && !allowZero)
                    dims[k] = k < v.Dims.Length ? v.Dims[k] : throw new OnnxException($"{c.Where}: shape entry {k} is 0 (copy) but the input {v} has no axis {k}");
                else dims[k] = checked((int)shape[k]);
            }
            if (infer >= 0)
            {
                int known = OpHelpers.Product(dims);
                if (known == 0 || v.Count % known != 0)
                    throw new OnnxException($"{c.Where}: cannot reshape {v} to [{string.Join(", ", shape)}]");
                dims[infer] = v.Count / known;
            }
            if (OpHelpers.Product(dims) != v.Count)
                throw new OnnxException($"{c.Where}: cannot reshape {v} ({v.Count} elements) to [{string.Join(", ", shape)}]");
            return v.WithDims(dims);
        });
    }

    static OpPlan AxesOp(NodeContext c, string name, Func<OnnxValue, long[]?, NodeContext, OnnxValue> f)
    {
        long[]? attrAxes = c.Opset < 13 ? c.Ints("axes") : null;
        if (name == "Unsqueeze" && c.Opset < 13 && attrAxes is null) throw c.Invalid("attribute 'axes' is missing");
        var plan = Simple(c, name, (v, i) => f(v, c.Opset < 13 ? attrAxes : i.Length > 1 ? i[1]?.I : null, c));
        return new OpPlan
        {
            Run = plan.Run,
            OutputTypes = plan.OutputTypes,
            Description = attrAxes is null ? name : $"{name}(axes [{string.Join(", ", attrAxes)}])",
        };
    }

    static OnnxValue Squeeze(OnnxValue v, long[]? axes, NodeContext c)
    {
        int r = v.Dims.Length;
        var drop = axes is null
            ? Enumerable.Range(0, r).Where(k => v.Dims[k] == 1).ToHashSet()
            : axes.Select(a => OpHelpers.Axis(a, r, c)).ToHashSet();
        foreach (int k in drop)
            if (v.Dims[k] != 1) throw new OnnxException($"{c.Where}: cannot squeeze axis {k} of {v}: its size is not 1");
        return v.WithDims(Enumerable.Range(0, r).Where(k => !drop.Contains(k)).Select(k => v.Dims[k]).ToArray());
    }

    static OnnxValue Unsqueeze(OnnxValue v, long[]? axes, NodeContext c)
    {
        if (axes is null) throw new OnnxException($"{c.Where}: Unsqueeze needs axes");
        int r = v.Dims.Length + axes.Length;
        var add = axes.Select(a => OpHelpers.Axis(a, r, c)).ToHashSet();
        if (add.Count != axes.Length) throw new OnnxException($"{c.Where}: axes [{string.Join(", ", axes)}] repeat an axis");
        var dims = new int[r];
        int src = 0;
        for (int k = 0; k < r; k++) dims[k] = add.Contains(k) ? 1 : v.Dims[src++];
        return v.WithDims(dims);
    }

    static OpPlan BuildConcat(NodeContext c)
    {
        int n = c.Node.Input.Count;
        var type = c.RequireNumeric(Enumerable.Range(0, n).ToArray());
        for (int k = 1; k < n; k++)
            if (c.InputTypes[k] != type) throw c.Invalid($"input {k} is {ElementTypes.Name(c.InputTypes[k])}, input 0 {ElementTypes.Name(type)}");
        long axis = c.Has("axis") ? c.Int("axis", 0) : throw c.Invalid("attribute 'axis' is missing");
        return new OpPlan
        {
            Run = (i, _) =>
            {
                var parts = i.Where(v => v is not null).Select(v => v!).ToArray();
                int a = OpHelpers.Axis(axis, parts[0].Dims.Length, c);
                if (parts[0].IsFloat) return [OnnxValue.Of(Tensor.Concat(parts.Select(p => p.F).ToArray(), a))];
                using (Nabla.Autograd.GradMode.NoGrad())
                    return [OpHelpers.ToInts(Tensor.Concat(parts.Select(OpHelpers.AsDouble).ToArray(), a), type)];
            },
            OutputTypes = [type],
            Description = $"Concat(axis {axis})",
        };
    }

    static OpPlan BuildSplit(NodeContext c)
    {
        var type = c.RequireNumeric(0);
        long axis = c.Int("axis", 0);
        long[]? attrSplit = c.Opset < 13 ? c.Ints("split") : null;
        int outputs = c.Node.Output.Count;
        return new OpPlan
        {
            Run = (i, _) =>
            {
                var v = i[0]!;
                int a = OpHelpers.Axis(axis, v.Dims.Length, c);
                long[]? split = attrSplit ?? (i.Length > 1 ? i[1]?.I : null);
                int size = v.Dims[a];
                if (split is null)
                {
                    if (size % outputs != 0) throw new OnnxException($"{c.Where}: axis {a} of {v} does not split into {outputs} equal parts");
                    split = Enumerable.Repeat((long)(size / outputs), outputs).ToArray();
                }
                if (split.Length != outputs || split.Sum() != size)
                    throw new OnnxException($"{c.Where}: split [{string.Join(", ", split)}] does not cut axis {a} of {v} into {outputs} parts");
                var result = new OnnxValue?[outputs];
                int start = 0;
                for (int k = 0; k < outputs; k++)
                {
                    int s = start, len = (int)split[k];
                    result[k] = OpHelpers.Map(v, t => t.Narrow(a, s, len));
                    start += len;
                }
                return result;
            },
            OutputTypes = OpHelpers.Same(type, outputs),
            Description = $"Split(axis {axis})",
        };
    }
}
