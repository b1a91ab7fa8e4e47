using Nabla.Tensors;

namespace Nabla.Onnx.Import.Operators;

/// <summary>Operators that pick or add elements by position: Gather, GatherElements, Slice (any steps), Pad (constant, reflect, edge).</summary>
internal static class IndexOps
{
    public static void Register(Dictionary<string, OperatorEntry> ops)
    {
        ops["Gather"] = new(BuildGather, [0], [], "any axis; negative indices; a float initializer as data (an embedding table) is a parameter");
        ops["GatherElements"] = new(BuildGatherElements, "negative indices");
        ops["Slice"] = new(BuildSlice, "attributes before opset 10, inputs (with steps) from 10");
        ops["Pad"] = new(BuildPad, "constant, reflect and edge modes; pads as an attribute before opset 11, as an input from 11");
    }

    /// <summary>Gather and GatherElements: data of any type, INT64/INT32 indices along one axis (negative ones count from the end).</summary>
    static OpPlan Gathering(NodeContext c, string name, Func<OnnxValue, OnnxValue, int, int[], OnnxValue> gather)
    {
        var type = c.RequireNumeric(0);
        c.RequireTypes(1, DataType.Int64, DataType.Int32);
        long axis = c.Int("axis", 0);
        return new OpPlan
        {
            Run = (i, _) =>
            {
                var data = i[0]!;
                var idx = i[1]!;
                int a = OpHelpers.Axis(axis, data.Dims.Length, c);
                int n = data.Dims[a];
                var positions = new int[idx.Count];
                for (int k = 0; k < positions.Length; k++)
                {
                    long v = idx.I[k];
                    if (v < -n || v >= n) throw new OnnxException($"{c.Where}: index {v} is out of range for axis {a} of size {n}");
                    positions[k] = (int)(v < 0 ? v + n : v);
                }
                return [gather(data, idx, a, positions)];
            },
            OutputTypes = [type],
            Description = $"{name}(axis {axis})",
        };
    }

    static OpPlan BuildGather(NodeContext c) => Gathering(c, "Gather", (data, idx, a, positions) =>
    {
        int[] dims = [.. data.Dims[..a], .. idx.Dims, .. data.Dims[(a + 1)..]];
        return OpHelpers.Map(data, t => t.IndexSelect(a, positions).Reshape(dims));
    });

    /// <summary>GatherElements as an index selection of the flattened data (differentiable).</summary>
    static OpPlan BuildGatherElements(NodeContext c) => Gathering(c, "GatherElements", (data, idx, a, positions) =>
    {
        int r = data.Dims.Length;
        if (idx.Dims.Length != r) throw new OnnxException($"{c.Where}: indices {idx} must have the rank of data {data}");
        var strides = new int[r];
        for (int k = r - 1, s = 1; k >= 0; s *= data.Dims[k], k--) strides[k] = s;
        var flat = new int[positions.Length];
        var pos = new int[r];
        for (int e = 0; e < flat.Length; e++)
        {
            int offset = 0;
            for (int k = 0; k < r; k++) offset += (k == a ? positions[e] : pos[k]) * strides[k];
            flat[e] = offset;
            for (int k = r - 1; k >= 0 && ++pos[k] == idx.Dims[k]; k--) pos[k] = 0;
        }
        return OpHelpers.Map(data, t => t.Reshape(t.Numel).IndexSelect(0, flat).Reshape(idx.Dims));
    });

    static OpPlan BuildSlice(NodeContext c)
    {
        var type = c.RequireNumeric(0);
        for (int k = 1; k < 5; k++) c.RequireTypes(k, DataType.Int64, DataType.Int32);
        bool attrs = c.Opset < 10;
        long[]? aStarts = attrs ? c.Ints("starts") : null, aEnds = attrs ? c.Ints("ends") : null, aAxes = attrs ? c.Ints("axes") : null;
        return new OpPlan
        {
            Run = (i, _) =>
            {
                var v = i[0]!;
                long[] starts = attrs ? aStarts! : i[1]!.I;
                long[] ends = attrs ? aEnds! : i[2]!.I;
                long[]? axes = attrs ? aAxes : i.Length > 3 ? i[3]?.I : null;
                long[]? steps = attrs ? null : i.Length > 4 ? i[4]?.I : null;
                return [OpHelpers.Map(v, t => Slice(t, starts, ends, axes, steps, c))];
            },
            OutputTypes = [type],
            Description = "Slice",
        };
    }

    static Tensor Slice(Tensor t, long[] starts, long[] ends, long[]? axes, long[]? steps, NodeContext c)
    {
        int r = t.Rank;
        for (int k = 0; k < starts.Length; k++)
        {
            int a = OpHelpers.Axis(axes?[k] ?? k, r, c);
            long step = steps?[k] ?? 1;
            if (step == 0) throw new OnnxException($"{c.Where}: step 0 on axis {a}");
            long n = t.Shape[a];
            long s = starts[k] < 0 ? starts[k] + n : starts[k];
            long e = ends[k] < 0 ? ends[k] + n : ends[k];
            if (step > 0) { s = Math.Clamp(s, 0, n); e = Math.Clamp(e, 0, n); }
            else { s = Math.Clamp(s, 0, n - 1); e = Math.Clamp(e, -1, n - 1); }
            if (step == 1)
            {
                t = t.Narrow(a, (int)s, (int)Math.Max(0, e - s));
                continue;
            }
            var idx = new List<int>();
            for (long j = s; step > 0 ? j < e : j > e; j += step) idx.Add((int)j);
            t = t.IndexSelect(a, idx.ToArray());
        }
        return t;
    }

    static OpPlan BuildPad(NodeContext c)
    {
        var type = c.RequireNumeric(0);
        c.RequireTypes(1, DataType.Int64);
        if (type == DataType.Bool) throw c.Unsupported("element type BOOL");
        string modeName = c.String("mode", "constant");
        Padding.Mode mode = modeName switch
        {
            "constant" => Padding.Mode.Constant,
            "reflect" => Padding.Mode.Reflect,
            "edge" => Padding.Mode.Edge,
            _ => throw c.Unsupported($"mode '{modeName}'"),
        };
        bool attrs = c.Opset < 11;
        long[]? aPads = attrs ? c.Ints("pads") ?? throw c.Invalid("attribute 'pads' is missing") : null;
        double aValue = attrs ? c.Float("value", 0f) : 0;
        if (c.HasInput(3)) throw c.Unsupported("the axes input");
        return new OpPlan
        {
            Run = (i, _) =>
            {
                var v = i[0]!;
                long[] pads = attrs ? aPads! : i[1]!.I;
                double value = attrs ? aValue : i.Length > 2 && i[2] is { } cv ? OpHelpers.ScalarOf(cv) : 0;
                int r = v.Dims.Length;
                if (pads.Length != 2 * r) throw new OnnxException($"{c.Where}: {pads.Length} pads for an input of rank {r}; expected {2 * r}");
                int[] begin = OpHelpers.ToInts(pads[..r]), end = OpHelpers.ToInts(pads[r..]);
                return [OpHelpers.Map(v, t => Padding.Pad(t, begin, end, mode, value))];
            },
            OutputTypes = [type],
            Description = $"Pad({modeName})",
        };
    }
}
