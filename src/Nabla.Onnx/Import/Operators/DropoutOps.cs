using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Onnx.Import.Operators;

/// <summary>Dropout: the identity in evaluation; in training mode (or training_mode = true) inverted dropout with the node's generator.</summary>
internal static class DropoutOps
{
    public static void Register(Dictionary<string, OperatorEntry> ops) =>
        ops["Dropout"] = new(Build, "identity in eval; drops in training (ratio as attribute before opset 12, input from 12)");

    static OpPlan Build(NodeContext c)
    {
        var type = c.RequireFloat(0);
        double attrRatio = c.Opset < 12 ? c.Float("ratio", 0.5f) : 0.5;
        c.Ignore("seed");
        if (c.HasInput(2) && (c.Constants.Length <= 2 || c.Constants[2] is not { } mode || mode.AsLongs().Any(v => v != 0)))
            throw c.Unsupported("a training_mode input other than a constant false (the module's Train()/Eval() decides)");
        var maskType = c.Opset >= 10 ? DataType.Bool : type;
        return new OpPlan
        {
            Run = (i, run) =>
            {
                var x = i[0]!.F;
                double ratio = i.Length > 1 && i[1] is { } r ? OpHelpers.ScalarOf(r) : attrRatio;
                bool training = run.IsTraining;
                int[] dims = x.Shape.ToArray();
                if (!training || ratio == 0)
                    return [OnnxValue.Of(x), Mask(Enumerable.Repeat(1L, x.Numel).ToArray(), dims, maskType)];
                Tensor keep;
                using (GradMode.NoGrad())
                    keep = Tensor.Rand(dims, run.Generator, x.DType).GreaterEqual(Tensor.Scalar(ratio, x.DType));
                double scale = ratio >= 1 ? 0 : 1 / (1 - ratio);
                var kept = keep.ToDoubleArray();
                return [OnnxValue.Of(x * keep * scale), Mask(Array.ConvertAll(kept, v => (long)v), dims, maskType)];
            },
            OutputTypes = [type, maskType],
            Description = "Dropout",
            Foldable = false,
        };
    }

    static OnnxValue Mask(long[] keep, int[] dims, DataType type) =>
        ElementTypes.IsFloat(type)
            ? OnnxValue.Of(Values.Array(Array.ConvertAll(keep, v => (double)v), dims).ToDType(DType.Float32))
            : OnnxValue.OfInts(keep, dims, DataType.Bool);
}
