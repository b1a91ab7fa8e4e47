using Nabla.Tensors;

namespace Nabla.Onnx.Import.Operators;

/// <summary>
/// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (optional class weights, ignore_index, reduction none/sum/mean;
/// the log-probability output), differentiable in the scores and the weights: the picked log-probabilities are an index
/// selection of the flattened input.
/// </summary>
internal static class LossOps
{
    public static void Register(Dictionary<string, OperatorEntry> ops)
    {
        ops["NegativeLogLikelihoodLoss"] = new(c => Build(c, softmax: false), "reduction none/sum/mean, weights, ignore_index");
        ops["SoftmaxCrossEntropyLoss"] = new(c => Build(c, softmax: true), "reduction none/sum/mean, weights, ignore_index, log_prob output");
    }

    static OpPlan Build(NodeContext c, bool softmax)
    {
        var type = c.RequireFloat(0, 2);
        c.RequireTypes(1, DataType.Int64, DataType.Int32);
        string reduction = c.String("reduction", "mean");
        if (reduction is not ("none" or "sum" or "mean")) throw c.Invalid($"reduction '{reduction}'");
        long? ignore = c.Has("ignore_index") ? c.Int("ignore_index", 0) : null;
        return new OpPlan
        {
            Run = (i, _) =>
            {
                var x = i[0]!.F;
                var logProb = softmax ? x.LogSoftmax(1) : x;
                var loss = Loss(logProb, i[1]!, i.Length > 2 ? i[2]?.F : null, ignore, reduction, c);
                return [OnnxValue.Of(loss), softmax ? OnnxValue.Of(logProb) : null];
            },
            OutputTypes = OpHelpers.Same(type, softmax ? 2 : 1),
            Description = $"{c.Node.OpType}({reduction})",
        };
    }

    static Tensor Loss(Tensor logProb, OnnxValue target, Tensor? weight, long? ignore, string reduction, NodeContext c)
    {
        int[] dims = logProb.Shape.ToArray();
        int n = dims[0], classes = dims[1], inner = OpHelpers.Product(dims[2..]);
        if (target.Count != n * inner)
            throw new OnnxException($"{c.Where}: target {target} does not match input [{string.Join(", ", dims)}]");
        var flat = new int[target.Count];
        var cls = new int[target.Count];
        var keep = new double[target.Count];
        for (int e = 0; e < flat.Length; e++)
        {
            long t = target.I[e];
            bool ignored = ignore == t;
            if (!ignored && (t < 0 || t >= classes))
                throw new OnnxException($"{c.Where}: target {t} is out of range for {classes} classes");
            cls[e] = ignored ? 0 : (int)t;
            keep[e] = ignored ? 0 : 1;
            int b = e / inner, d = e % inner;
            flat[e] = (b * classes + cls[e]) * inner + d;
        }
        var mask = Values.Array(keep, [keep.Length]).ToDType(logProb.DType);
        var w = weight is null ? mask : weight.IndexSelect(0, cls) * mask;
        var loss = -(logProb.Reshape(logProb.Numel).IndexSelect(0, flat) * w);
        return reduction switch
        {
            "none" => loss.Reshape(target.Dims),
            "sum" => loss.Sum(),
            _ => loss.Sum() / w.Sum(),
        };
    }
}
