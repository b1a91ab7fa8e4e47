using Nabla.Tensors;

namespace Nabla.Onnx.Import.Operators;

/// <summary>Elementwise one-input operators: activations and math functions (float), Abs/Neg/Identity also on integers, Clip.</summary>
internal static class UnaryOps
{
    public static void Register(Dictionary<string, OperatorEntry> ops)
    {
        Float(ops, "Relu", _ => x => x.ReLU());
        Float(ops, "LeakyRelu", c => { double a = c.Float("alpha", 0.01f); return x => x.LeakyReLU(a); }, "LeakyRelu(alpha)");
        Float(ops, "Elu", c => { double a = c.Float("alpha", 1f); return x => x.ELU(a); });
        Float(ops, "Selu", c =>
        {
            double a = c.Float("alpha", 1.67326319217681884765625f), g = c.Float("gamma", 1.05070102214813232421875f);
            return x => x.ELU(a) * g;
        });
        Float(ops, "Celu", c =>
        {
            double a = c.Float("alpha", 1f);
            return x => x.ReLU() + ((x / a).Exp() - 1.0).Minimum(0.0) * a;
        });
        Float(ops, "Sigmoid", _ => x => x.Sigmoid());
        Float(ops, "HardSigmoid", c =>
        {
            double a = c.Float("alpha", 0.2f), b = c.Float("beta", 0.5f);
            return x => (x * a + b).Clamp(0, 1);
        });
        Float(ops, "HardSwish", _ => x => x * (x * (1 / 6.0) + 0.5).Clamp(0, 1));
        Float(ops, "Tanh", _ => x => x.Tanh());
        Float(ops, "Softplus", _ => x => x.Softplus());
        Float(ops, "Softsign", _ => x => x / (x.Abs() + 1.0));
        Float(ops, "Exp", _ => x => x.Exp());
        Float(ops, "Log", _ => x => x.Log());
        Float(ops, "Sqrt", _ => x => x.Sqrt());
        Float(ops, "Reciprocal", _ => x => 1.0 / x);
        Math(ops, "Erf", MathFunction.Erf, MathFunction.ErfDerivative);
        Math(ops, "Sin", System.Math.Sin, System.Math.Cos);
        Math(ops, "Cos", System.Math.Cos, x => -System.Math.Sin(x));
        Math(ops, "Tan", System.Math.Tan, x => 1 / (System.Math.Cos(x) * System.Math.Cos(x)));
        Math(ops, "Asin", System.Math.Asin, x => 1 / System.Math.Sqrt(1 - x * x));
        Math(ops, "Acos", System.Math.Acos, x => -1 / System.Math.Sqrt(1 - x * x));
        Math(ops, "Atan", System.Math.Atan, x => 1 / (1 + x * x));
        Math(ops, "Sinh", System.Math.Sinh, System.Math.Cosh);
        Math(ops, "Cosh", System.Math.Cosh, System.Math.Sinh);
        Math(ops, "Asinh", System.Math.Asinh, x => 1 / System.Math.Sqrt(x * x + 1));
        Math(ops, "Acosh", System.Math.Acosh, x => 1 / System.Math.Sqrt(x * x - 1));
        Math(ops, "Atanh", System.Math.Atanh, x => 1 / (1 - x * x));
        Math(ops, "Floor", System.Math.Floor);
        Math(ops, "Ceil", System.Math.Ceiling);
        Math(ops, "Round", x => System.Math.Round(x, MidpointRounding.ToEven));
        Numeric(ops, "Sign", x => MathFunction.Apply(x, "sign", v => double.IsNaN(v) ? double.NaN : System.Math.Sign(v)));
        ops["IsNaN"] = new(c => Test(c, "IsNaN", (v, _) => double.IsNaN(v)));
        ops["IsInf"] = new(c =>
        {
            bool negative = c.Int("detect_negative", 1) != 0, positive = c.Int("detect_positive", 1) != 0;
            return Test(c, "IsInf", (v, _) => (negative && double.IsNegativeInfinity(v)) || (positive && double.IsPositiveInfinity(v)));
        });
        Float(ops, "ThresholdedRelu", c =>
        {
            double a = c.Float("alpha", 1f);
            return x => x * x.Greater(a);
        });
        Numeric(ops, "Abs", x => x.Abs());
        Numeric(ops, "Neg", x => -x);
        ops["Identity"] = new(c =>
        {
            c.RequireNumeric(0);
            return new OpPlan { Run = (i, _) => [i[0]], OutputTypes = [c.InputTypes[0]], Description = "Identity" };
        });
        ops["Clip"] = new(BuildClip, "min/max as attributes before opset 11, as inputs from 11");
    }

    static void Float(Dictionary<string, OperatorEntry> ops, string name, Func<NodeContext, Func<Tensor, Tensor>> build, string notes = "") =>
        ops[name] = new(c =>
        {
            var type = c.RequireFloat(0);
            var f = build(c);
            return new OpPlan { Run = (i, _) => [OnnxValue.Of(f(i[0]!.F))], OutputTypes = [type], Description = name };
        }, notes);

    /// <summary>A float function from <see cref="MathFunction"/>; without a derivative its gradient is zero.</summary>
    static void Math(Dictionary<string, OperatorEntry> ops, string name, Func<double, double> f, Func<double, double>? derivative = null) =>
        Float(ops, name, _ => x => MathFunction.Apply(x, name.ToLowerInvariant(), f, derivative), derivative is null ? "no gradient (zero almost everywhere)" : "");

    /// <summary>A per-element test of a float input, giving BOOL.</summary>
    static OpPlan Test(NodeContext c, string name, Func<double, int, bool> test)
    {
        c.RequireFloat(0);
        return new OpPlan
        {
            Run = (i, _) =>
            {
                double[] v = i[0]!.F.ToDoubleArray();
                var r = new long[v.Length];
                for (int k = 0; k < r.Length; k++) r[k] = test(v[k], k) ? 1 : 0;
                return [OnnxValue.OfInts(r, i[0]!.Dims, DataType.Bool)];
            },
            OutputTypes = [DataType.Bool],
            Description = name,
        };
    }

    static void Numeric(Dictionary<string, OperatorEntry> ops, string name, Func<Tensor, Tensor> f) =>
        ops[name] = new(c =>
        {
            var type = c.RequireNumeric(0);
            if (type == DataType.Bool) throw c.Unsupported("element type BOOL");
            return new OpPlan { Run = (i, _) => [OpHelpers.Map(i[0]!, f)], OutputTypes = [type], Description = name };
        });

    static OpPlan BuildClip(NodeContext c)
    {
        var type = c.RequireNumeric(0, 1, 2);
        if (type == DataType.Bool) throw c.Unsupported("element type BOOL");
        if (c.Opset < 11)
        {
            double lo = c.Float("min", float.MinValue), hi = c.Float("max", float.MaxValue);
            return new OpPlan { Run = (i, _) => [OpHelpers.Map(i[0]!, x => x.Clamp(lo, hi))], OutputTypes = [type], Description = "Clip" };
        }
        return new OpPlan
        {
            Run = (i, _) =>
            {
                double lo = i.Length > 1 && i[1] is { } a ? OpHelpers.ScalarOf(a) : double.NegativeInfinity;
                double hi = i.Length > 2 && i[2] is { } b ? OpHelpers.ScalarOf(b) : double.PositiveInfinity;
                return [OpHelpers.Map(i[0]!, x => lo > hi ? Tensor.Full(x.Shape.ToArray(), hi, x.DType) : x.Clamp(lo, hi))];
            },
            OutputTypes = [type],
            Description = "Clip",
        };
    }
}
