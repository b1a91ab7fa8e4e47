using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Onnx.Import.Operators;

/// <summary>
/// BatchNormalization (running statistics in evaluation; batch statistics in training mode or with training_mode = 1),
/// InstanceNormalization and LayerNormalization, composed of differentiable tensor operations.
/// </summary>
internal static class NormalizationOps
{
    public static void Register(Dictionary<string, OperatorEntry> ops)
    {
        ops["BatchNormalization"] = new(BuildBatchNorm, [1, 2], [3, 4],
            "running statistics in eval; batch statistics when training (module in training mode, or training_mode = 1)");
        ops["InstanceNormalization"] = new(BuildInstanceNorm, [1, 2], [], "");
        ops["LayerNormalization"] = new(BuildLayerNorm, [1, 2], [], "Mean and InvStdDev outputs; stash_type 1");
    }

    /// <summary>[C] reshaped to [1, C, 1, ...] of rank <paramref name="rank"/>.</summary>
    static Tensor PerChannel(Tensor t, int rank)
    {
        var dims = Enumerable.Repeat(1, rank).ToArray();
        dims[1] = t.Numel;
        return t.Reshape(dims);
    }

    static OpPlan BuildBatchNorm(NodeContext c)
    {
        var type = c.RequireFloat(0, 1, 2, 3, 4);
        double eps = c.Float("epsilon", 1e-5f), momentum = c.Float("momentum", 0.9f);
        if (c.Opset < 9 && c.Int("spatial", 1) != 1) throw c.Unsupported("spatial 0");
        bool trainingAttr = c.Opset >= 14 && c.Int("training_mode", 0) != 0;
        if (c.Opset < 14 && (c.HasOutput(1) || c.HasOutput(2) || c.HasOutput(3) || c.HasOutput(4)))
            throw c.Unsupported("the optional statistics outputs before opset 14");
        if (!trainingAttr && (c.HasOutput(1) || c.HasOutput(2)))
            throw c.Invalid("running statistics outputs need training_mode 1");
        return new OpPlan
        {
            Run = (i, run) =>
            {
                var x = i[0]!.F;
                int r = x.Rank;
                if (r < 2) throw new OnnxException($"{c.Where}: expected an input [N, C, ...], got {x.Shape}");
                var scale = PerChannel(i[1]!.F, r);
                var bias = PerChannel(i[2]!.F, r);
                var runMean = i[3]!.F;
                var runVar = i[4]!.F;
                bool batchStats = trainingAttr || run.IsTraining;
                if (!batchStats)
                    return [OnnxValue.Of((x - PerChannel(runMean, r)) * (scale / (PerChannel(runVar, r) + eps).Sqrt()) + bias)];
                int[] axes = [0, .. Enumerable.Range(2, r - 2)];
                var mean = x.Mean(axes, keepDim: true);
                var variance = x.Variance(axes, keepDim: true);
                var y = (x - mean) * (scale / (variance + eps).Sqrt()) + bias;
                Tensor newMean, newVar;
                using (GradMode.NoGrad())
                {
                    int count = x.Numel / x.Shape[1];
                    // The ONNX spec updates with the biased batch variance; Nabla's own BatchNorm (like PyTorch) with the unbiased one.
                    double unbias = trainingAttr || count < 2 ? 1 : count / (count - 1.0);
                    newMean = runMean.Detach() * momentum + mean.Detach().Reshape(runMean.Shape.ToArray()) * (1 - momentum);
                    newVar = runVar.Detach() * momentum + variance.Detach().Reshape(runVar.Shape.ToArray()) * ((1 - momentum) * unbias);
                }
                if (trainingAttr) return [OnnxValue.Of(y), OnnxValue.Of(newMean), OnnxValue.Of(newVar)];
                using (GradMode.NoGrad())
                {
                    runMean.CopyFrom(newMean);
                    runVar.CopyFrom(newVar);
                }
                return [OnnxValue.Of(y)];
            },
            OutputTypes = OpHelpers.Same(type, 3),
            Description = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"BatchNormalization(eps {eps:g3})"),
            Foldable = false,
        };
    }

    static OpPlan BuildInstanceNorm(NodeContext c)
    {
        var type = c.RequireFloat(0, 1, 2);
        double eps = c.Float("epsilon", 1e-5f);
        return new OpPlan
        {
            Run = (i, _) =>
            {
                var x = i[0]!.F;
                int r = x.Rank;
                int[] axes = Enumerable.Range(2, r - 2).ToArray();
                var mean = x.Mean(axes, keepDim: true);
                var variance = x.Variance(axes, keepDim: true);
                return [OnnxValue.Of((x - mean) / (variance + eps).Sqrt() * PerChannel(i[1]!.F, r) + PerChannel(i[2]!.F, r))];
            },
            OutputTypes = [type],
            Description = "InstanceNormalization",
        };
    }

    static OpPlan BuildLayerNorm(NodeContext c)
    {
        var type = c.RequireFloat(0, 1, 2);
        double eps = c.Float("epsilon", 1e-5f);
        long axis = c.Int("axis", -1);
        if (c.Int("stash_type", 1) != 1) throw c.Unsupported("stash_type other than 1 (FLOAT)");
        return new OpPlan
        {
            Run = (i, _) =>
            {
                var x = i[0]!.F;
                int a = OpHelpers.Axis(axis, x.Rank, c);
                int[] axes = Enumerable.Range(a, x.Rank - a).ToArray();
                var mean = x.Mean(axes, keepDim: true);
                var variance = x.Variance(axes, keepDim: true);
                var invStd = 1.0 / (variance + eps).Sqrt();
                var y = (x - mean) * invStd * i[1]!.F;
                if (i.Length > 2 && i[2] is { } b) y += b.F;
                return [OnnxValue.Of(y), OnnxValue.Of(mean), OnnxValue.Of(invStd)];
            },
            OutputTypes = OpHelpers.Same(type, 3),
            Description = $"LayerNormalization(axis {axis})",
        };
    }
}
