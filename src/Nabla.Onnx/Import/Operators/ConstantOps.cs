using Nabla.Tensors;

namespace Nabla.Onnx.Import.Operators;

/// <summary>Constant, ConstantOfShape, Range, Cast and CastLike (FLOAT, DOUBLE, BOOL and integer types but UINT64).</summary>
internal static class ConstantOps
{
    public static void Register(Dictionary<string, OperatorEntry> ops)
    {
        ops["Constant"] = new(BuildConstant, "value, value_float(s), value_int(s); no sparse or string values");
        ops["ConstantOfShape"] = new(BuildConstantOfShape);
        ops["Cast"] = new(BuildCast, "between FLOAT, DOUBLE, BOOL and integer types but UINT64; FLOAT16 not supported");
        ops["CastLike"] = new(c =>
        {
            c.RequireNumeric(0, 1);
            var to = c.InputTypes[1];
            return new OpPlan { Run = (i, _) => [Values.Cast(i[0]!, to)], OutputTypes = [to], Description = "CastLike" };
        });
        ops["Range"] = new(BuildRange);
    }

    static OpPlan BuildConstant(NodeContext c)
    {
        OnnxValue? value = null;
        int given = 0;
        if (c.TensorAttr("value") is { } t) { value = c.Decode(t); given++; }
        if (c.Has("value_float")) { value = OnnxValue.Of(Tensor.Scalar(c.Float("value_float", 0))); given++; }
        if (c.Floats("value_floats") is { } fs) { value = OnnxValue.Of(Tensor.FromArray(fs, fs.Length)); given++; }
        if (c.Has("value_int")) { value = OnnxValue.OfInts([c.Int("value_int", 0)], []); given++; }
        if (c.Ints("value_ints") is { } ls) { value = OnnxValue.OfInts(ls, [ls.Length]); given++; }
        if (c.Has("sparse_value")) throw c.Unsupported("attribute 'sparse_value'");
        if (c.Has("value_string") || c.Has("value_strings")) throw c.Unsupported("a string constant");
        if (given != 1 || value is null) throw c.Invalid($"a Constant needs exactly one value attribute, got {given}");
        var v = value;
        return new OpPlan { Run = (_, _) => [v], OutputTypes = [v.Type], Description = "Constant" };
    }

    static OpPlan BuildConstantOfShape(NodeContext c)
    {
        c.RequireTypes(0, DataType.Int64);
        var proto = c.TensorAttr("value");
        var value = proto is null ? OnnxValue.Of(Tensor.Scalar(0)) : c.Decode(proto);
        if (value.Count != 1) throw c.Invalid($"attribute 'value' must hold one element, got {value}");
        return new OpPlan
        {
            Run = (i, _) =>
            {
                int[] dims = OpHelpers.ToInts(i[0]!.I);
                if (value.Tensor is { } t) return [OnnxValue.Of(Tensor.Full(dims, t.GetFlat(0), t.DType))];
                return [OnnxValue.OfInts(Enumerable.Repeat(value.I[0], OpHelpers.Product(dims)).ToArray(), dims, value.Type)];
            },
            OutputTypes = [value.Type],
            Description = "ConstantOfShape",
        };
    }

    static OpPlan BuildCast(NodeContext c)
    {
        var to = (DataType)c.Int("to", 0);
        c.Int("saturate", 1);
        c.RequireNumeric(0);
        if (!ElementTypes.IsSupported(to)) throw c.Unsupported($"casting to {ElementTypes.Name(to)}");
        return new OpPlan { Run = (i, _) => [Values.Cast(i[0]!, to)], OutputTypes = [to], Description = $"Cast(to {ElementTypes.Name(to)})" };
    }

    static OpPlan BuildRange(NodeContext c)
    {
        var type = c.RequireNumeric(0, 1, 2);
        if (type == DataType.Bool) throw c.Unsupported("element type BOOL");
        return new OpPlan
        {
            Run = (i, _) =>
            {
                double start = OpHelpers.ScalarOf(i[0]!), limit = OpHelpers.ScalarOf(i[1]!), delta = OpHelpers.ScalarOf(i[2]!);
                int n = (int)Math.Max(0, Math.Ceiling((limit - start) / delta));
                var values = new double[n];
                for (int k = 0; k < n; k++) values[k] = start + k * delta;
                var t = Tensor.FromArray(values, n);
                return [ElementTypes.IsFloat(type) ? OnnxValue.Of(t.ToDType(Values.DTypeOf(type))) : OpHelpers.ToInts(t, type)];
            },
            OutputTypes = [type],
            Description = "Range",
        };
    }
}
