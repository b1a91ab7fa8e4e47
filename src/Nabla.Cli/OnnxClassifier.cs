using Nabla.NN;
using Nabla.Onnx;
using Nabla.Tensors;

namespace Nabla.Cli;

/// <summary>
/// An imported ONNX classifier as predict and eval use a trained run's model: its output [batch, classes] as logits.
/// A graph that already ends in Softmax gives rows of probabilities; their logarithms are given instead, which the
/// softmax of predict and the cross-entropy of eval turn back into the same probabilities.
/// </summary>
internal sealed class OnnxClassifier(OnnxModule graph, string path) : Module
{
    private readonly OnnxModule _graph = graph;

    /// <summary>Runs the graph and returns logits (or log-probabilities) [batch, classes].</summary>
    public override Tensor Forward(Tensor input)
    {
        var y = _graph.Forward(input);
        if (y.Shape.Rank != 2 || y.Shape[0] != input.Shape[0])
            throw new CliException($"{path}: the model's output has shape {y.Shape} for a batch of {input.Shape[0]}; expected [batch, classes] scores", 1);
        return IsProbabilities(y) ? y.Clamp(1e-30, 1).Log() : y;
    }

    /// <summary>Rows of values in [0, 1] that sum to 1: the graph ends in Softmax.</summary>
    private static bool IsProbabilities(Tensor y)
    {
        var v = y.ToDoubleArray();
        int k = y.Shape[1];
        if (k < 2 || v.Any(x => x is < 0 or > 1 || !double.IsFinite(x))) return false;
        for (int r = 0; r < v.Length / k; r++)
        {
            double sum = 0;
            for (int c = 0; c < k; c++) sum += v[r * k + c];
            if (Math.Abs(sum - 1) > 1e-4) return false;
        }
        return true;
    }
}
