using System.Text.Json;
using Nabla.Losses;
using Nabla.Tensors;
using Xunit;
using Xunit.Abstractions;
using static Nabla.Tests.Parity.ParityFixture;

namespace Nabla.Tests.Parity;

/// <summary>
/// Losses against PyTorch: MSE, MAE (L1Loss), CrossEntropy (labels or soft targets, class weights, label smoothing,
/// logits of ±1e4, probabilities through NLLLoss of log p), the Keras-named categorical cross-entropies, binary
/// cross-entropy on probabilities (near 0 and 1 too) and on logits (pos_weight, logits of ±1e4), KL divergence, and
/// the losses PyTorch has no class for (MSLE, hinge, squared hinge) against their formula written with torch operations.
/// Value and gradients with respect to the prediction, and to the target where both libraries differentiate it.
/// </summary>
/// <remarks>
/// Names: PyTorch's <c>L1Loss</c> is <see cref="MAE"/>, <c>BCELoss</c> <see cref="BinaryCrossEntropy"/>,
/// <c>BCEWithLogitsLoss</c> <see cref="BinaryCrossEntropyWithLogits"/> (also replayed as
/// <c>BinaryCrossEntropy(fromLogits: true)</c>), <c>KLDivLoss(reduction="batchmean")</c> <see cref="KLDivergence"/> with
/// <see cref="Reduction.Mean"/>, and <c>log_target</c> / a log-probability input are <c>logTarget</c> / <c>logPrediction</c>.
/// </remarks>
public class LossParityTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Losses => Names("losses");

    [Theory]
    [MemberData(nameof(Losses))]
    public void MatchesPyTorch(string name)
    {
        var c = Case(name);
        var check = new ParityCheck(c, output);
        var args = c.GetProperty("args");
        string lossName = c.GetProperty("loss").GetString()!;
        var losses = new List<(string Label, Loss Loss)> { ("", Build(lossName, args)) };
        if (lossName == "BinaryCrossEntropyWithLogits")
            losses.Add(("BinaryCrossEntropy(fromLogits) ", new BinaryCrossEntropy(ReductionOf(args), PositiveWeight(args), fromLogits: true)));

        var inputs = c.GetProperty("inputs");
        var grads = c.GetProperty("grads");
        foreach (var (label, loss) in losses)
        {
            var labelTensor = inputs.TryGetProperty("labels", out var l) ? l : default;
            // Labels go in both ways a user passes them: int[] and a [N] tensor of whole numbers.
            var ways = labelTensor.ValueKind == JsonValueKind.Object ? new[] { "int[] ", "tensor " } : [""];
            foreach (string way in ways)
            {
                var prediction = ToTensor(inputs.GetProperty("prediction"), requiresGrad: true);
                var target = inputs.TryGetProperty("target", out var t) ? ToTensor(t, requiresGrad: grads.TryGetProperty("target", out _)) : null;
                Tensor y = way switch
                {
                    "int[] " => loss.Forward(prediction, Ints(labelTensor)),
                    "tensor " => loss.Forward(prediction, Tensor.FromArray(Ints(labelTensor).Select(v => (double)v).ToArray())),
                    _ => loss.Forward(prediction, target!),
                };
                check.Tensor(label + way + "loss", c.GetProperty("outputs").GetProperty("y"), y);
                var upstream = ToTensor(c.GetProperty("upstream").GetProperty("y"));
                if (upstream.Numel != y.Numel)
                {
                    check.Mismatch(label + way + "gradients", $"not comparable: the loss has shape {y.Shape}, PyTorch's {upstream.Shape}");
                    continue;
                }
                y.Backward(upstream.Reshape(y.Shape.ToArray()));
                check.Tensor(label + way + "dprediction", grads.GetProperty("prediction"), prediction.Grad);
                if (grads.TryGetProperty("target", out var dt)) check.Tensor(label + way + "dtarget", dt, target!.Grad);
            }
        }
        check.Verify();
    }

    private static Reduction ReductionOf(JsonElement a) => a.GetProperty("reduction").GetString() switch
    {
        "mean" => Reduction.Mean,
        "sum" => Reduction.SumAll,      // PyTorch's 'sum': every element (Nabla's Sum adds per-sample means)
        "none" => Reduction.PerElement, // PyTorch's 'none': every element (Nabla's None gives one loss per sample)
        var r => throw new NotSupportedException($"parity: reduction '{r}'"),
    };

    private static double PositiveWeight(JsonElement a) => Num(a, "positive_weight", 1.0);

    private static Loss Build(string loss, JsonElement a)
    {
        var r = ReductionOf(a);
        return loss switch
        {
            "MSE" => new MSE(r),
            "MAE" => new MAE(r),
            "MSLE" => new MSLE(r),
            "Hinge" => new Hinge(r),
            "SquaredHinge" => new SquaredHinge(r),
            "CrossEntropy" => new CrossEntropy(r, Num(a, "label_smoothing", 0), DoubleArray(a, "class_weights"), Bool(a, "from_logits", true)),
            "CategoricalCrossEntropy" => new CategoricalCrossEntropy(r, Bool(a, "from_logits")),
            "SparseCategoricalCrossEntropy" => new SparseCategoricalCrossEntropy(r, Bool(a, "from_logits")),
            "BinaryCrossEntropy" => new BinaryCrossEntropy(r, PositiveWeight(a), Bool(a, "from_logits")),
            "BinaryCrossEntropyWithLogits" => new BinaryCrossEntropyWithLogits(r, PositiveWeight(a)),
            "KLDivergence" => new KLDivergence(r, Bool(a, "log_prediction"), Bool(a, "log_target")),
            _ => throw new NotSupportedException($"parity: loss '{loss}' has no Nabla counterpart in the replay"),
        };
    }
}
