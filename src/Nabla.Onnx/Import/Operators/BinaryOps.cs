using Nabla.Tensors;

namespace Nabla.Onnx.Import.Operators;

/// <summary>
/// Elementwise operators over broadcast inputs: arithmetic (float and INT32/INT64), variadic Max/Min/Sum/Mean, PRelu,
/// comparisons and logic (BOOL results), Where.
/// </summary>
internal static class BinaryOps
{
    public static void Register(Dictionary<string, OperatorEntry> ops)
    {
        Arithmetic(ops, "Add", (a, b) => a + b);
        Arithmetic(ops, "Sub", (a, b) => a - b);
        Arithmetic(ops, "Mul", (a, b) => a * b);
        ops["Div"] = new(c => Plan(c, "Div", (a, b) => a / b, integer: (a, b) => Truncate(a / b)), [0, 1], [], "integer division truncates toward zero");
        ops["Pow"] = new(BuildPow, "integer results truncate toward zero");
        Variadic(ops, "Max", (a, b) => a.Maximum(b));
        Variadic(ops, "Min", (a, b) => a.Minimum(b));
        Variadic(ops, "Sum", (a, b) => a + b);
        ops["Mean"] = new(c =>
        {
            var type = c.RequireFloat(Enumerable.Range(0, c.Node.Input.Count).ToArray());
            int n = c.Node.Input.Count;
            return new OpPlan
            {
                Run = (i, _) => [OnnxValue.Of(i.Skip(1).Aggregate(i[0]!.F, (acc, v) => acc + v!.F) / n)],
                OutputTypes = [type],
                Description = "Mean",
            };
        });
        ops["PRelu"] = new(c =>
        {
            var type = c.RequireFloat(0, 1);
            return new OpPlan
            {
                Run = (i, _) => [OnnxValue.Of(i[0]!.F.ReLU() + i[1]!.F * i[0]!.F.Minimum(0.0))],
                OutputTypes = [type],
                Description = "PRelu",
            };
        }, [1], [], "");
        Compare(ops, "Equal", (a, b) => a.Equal(b));
        Compare(ops, "Less", (a, b) => a.Less(b));
        Compare(ops, "Greater", (a, b) => a.Greater(b));
        Compare(ops, "LessOrEqual", (a, b) => a.LessEqual(b));
        Compare(ops, "GreaterOrEqual", (a, b) => a.GreaterEqual(b));
        Logic(ops, "And", (a, b) => a & b);
        Logic(ops, "Or", (a, b) => a | b);
        Logic(ops, "Xor", (a, b) => a ^ b);
        ops["Not"] = new(c =>
        {
            c.RequireTypes(0, DataType.Bool);
            return new OpPlan { Run = (i, _) => [OnnxValue.OfInts(Array.ConvertAll(i[0]!.I, v => 1 - v), i[0]!.Dims, DataType.Bool)], OutputTypes = [DataType.Bool] };
        });
        ops["Where"] = new(BuildWhere);
    }

    static Tensor Truncate(Tensor t)
    {
        double[] d = t.ToDoubleArray();
        for (int k = 0; k < d.Length; k++) d[k] = Math.Truncate(d[k]);
        return Values.Array(d, t.Shape.ToArray());
    }

    static void Arithmetic(Dictionary<string, OperatorEntry> ops, string name, Func<Tensor, Tensor, Tensor> f) =>
        ops[name] = new(c => Plan(c, name, f, f), [0, 1], [], "");

    static OpPlan Plan(NodeContext c, string name, Func<Tensor, Tensor, Tensor> f, Func<Tensor, Tensor, Tensor> integer)
    {
        var type = c.RequireNumeric(0, 1);
        if (type == DataType.Bool) throw c.Unsupported("element type BOOL");
        if (c.InputTypes[1] != type)
            throw c.Invalid($"inputs have element types {ElementTypes.Name(type)} and {ElementTypes.Name(c.InputTypes[1])}; expected one type");
        CheckLegacyBroadcast(c);
        var g = ElementTypes.IsFloat(type) ? f : integer;
        return new OpPlan { Run = (i, _) => [OpHelpers.Map2(i[0]!, i[1]!, g)], OutputTypes = [type], Description = name };
    }

    /// <summary>Before opset 7, broadcasting needed the 'broadcast' attribute; from 7 on it is numpy-style, the attribute gone.</summary>
    static void CheckLegacyBroadcast(NodeContext c)
    {
        if (c.Has("broadcast") || c.Has("axis")) throw c.Unsupported("the pre-opset-7 attribute 'broadcast'/'axis'");
    }

    static OpPlan BuildPow(NodeContext c)
    {
        var type = c.RequireNumeric(0, 1);
        if (type == DataType.Bool || c.InputTypes[1] == DataType.Bool) throw c.Unsupported("element type BOOL");
        return new OpPlan
        {
            Run = (i, _) =>
            {
                var x = i[0]!;
                if (x.Tensor is not { } t)
                    return [OpHelpers.Map2(x, i[1]!, (a, b) => Truncate(a.Pow(b.ToDType(a.DType))))];
                var e = i[1]!.Tensor ?? OpHelpers.AsDouble(i[1]!);
                return [OnnxValue.Of(t.Pow(e.DType == t.DType ? e : e.ToDType(t.DType)))];
            },
            OutputTypes = [type],
            Description = "Pow",
        };
    }

    static void Variadic(Dictionary<string, OperatorEntry> ops, string name, Func<Tensor, Tensor, Tensor> f) =>
        ops[name] = new(c =>
        {
            int n = c.Node.Input.Count;
            var type = c.RequireNumeric(Enumerable.Range(0, n).ToArray());
            if (type == DataType.Bool) throw c.Unsupported("element type BOOL");
            return new OpPlan
            {
                Run = (i, _) => [i.Skip(1).Aggregate(i[0]!, (acc, v) => OpHelpers.Map2(acc, v!, f))],
                OutputTypes = [type],
                Description = name,
            };
        });

    static void Compare(Dictionary<string, OperatorEntry> ops, string name, Func<Tensor, Tensor, Tensor> f) =>
        ops[name] = new(c =>
        {
            var type = c.RequireNumeric(0, 1);
            if (type == DataType.Bool && name != "Equal") throw c.Unsupported("element type BOOL");
            return new OpPlan
            {
                Run = (i, _) =>
                {
                    using (Nabla.Autograd.GradMode.NoGrad())
                        return [OpHelpers.Map2(i[0]!, i[1]!, f, DataType.Bool)];
                },
                OutputTypes = [DataType.Bool],
                Description = name,
            };
        });

    static void Logic(Dictionary<string, OperatorEntry> ops, string name, Func<long, long, long> f) =>
        ops[name] = new(c =>
        {
            c.RequireTypes(0, DataType.Bool);
            c.RequireTypes(1, DataType.Bool);
            return new OpPlan
            {
                Run = (i, _) =>
                {
                    var a = i[0]!;
                    var b = i[1]!;
                    int[] dims = OpHelpers.Broadcast(a.Dims, b.Dims);
                    var ea = Expand(a, dims);
                    var eb = Expand(b, dims);
                    var r = new long[ea.Length];
                    for (int k = 0; k < r.Length; k++) r[k] = f(ea[k], eb[k]);
                    return [OnnxValue.OfInts(r, dims, DataType.Bool)];
                },
                OutputTypes = [DataType.Bool],
                Description = name,
            };
        });

    /// <summary>An integer value broadcast to <paramref name="dims"/>.</summary>
    static long[] Expand(OnnxValue v, int[] dims)
    {
        using (Nabla.Autograd.GradMode.NoGrad())
            return OpHelpers.ToInts(OpHelpers.BroadcastTo(OpHelpers.AsDouble(v), dims), DataType.Int64).I;
    }

    static OpPlan BuildWhere(NodeContext c)
    {
        c.RequireTypes(0, DataType.Bool);
        var type = c.RequireNumeric(1, 2);
        type = c.InputTypes[1];
        return new OpPlan
        {
            Run = (i, _) =>
            {
                var cond = OpHelpers.AsDouble(i[0]!);
                var a = i[1]!;
                var b = i[2]!;
                if (a.Tensor is { } x && b.Tensor is { } y)
                    return [OnnxValue.Of(Tensor.Where(cond.ToDType(x.DType), x, y))];
                using (Nabla.Autograd.GradMode.NoGrad())
                    return [OpHelpers.ToInts(Tensor.Where(cond, OpHelpers.AsDouble(a), OpHelpers.AsDouble(b)), a.Type)];
            },
            OutputTypes = [type],
            Description = "Where",
        };
    }
}
