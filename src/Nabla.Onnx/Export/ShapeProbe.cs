using Nabla.Autograd;
using Nabla.Errors;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Onnx.Export;

/// <summary>
/// The input and output shapes every layer sees, found by running the model (in evaluation mode, without gradients)
/// on two zero batches that differ in the symbolic axes (batch size, and the time axis when it is symbolic). A dimension
/// that is the same in both runs is static; one that differs is symbolic and reported as −1.
/// </summary>
internal sealed class ShapeProbe
{
    private readonly Dictionary<Module, int[]> _inputs = new(ReferenceEqualityComparer.Instance);

    private ShapeProbe(int[] output) => Output = output;

    /// <summary>The model's output dimensions, −1 where symbolic.</summary>
    public int[] Output { get; }

    /// <summary>The input dimensions of <paramref name="layer"/> (−1 where symbolic), or null when it never ran.</summary>
    public int[]? InputOf(Module layer) => _inputs.GetValueOrDefault(layer);

    /// <summary>Runs the model twice; <paramref name="symbolicTime"/> also varies axis 1 of the input.</summary>
    public static ShapeProbe Run(Module model, int[] sample, bool symbolicTime)
    {
        var first = Observe(model, [2, .. sample]);
        int[] second = [3, .. sample];
        if (symbolicTime) second[1] += 1;
        var other = Observe(model, second);
        var probe = new ShapeProbe(Merge(first.Output, other.Output));
        foreach (var (m, dims) in first.Inputs)
            if (other.Inputs.TryGetValue(m, out var d2)) probe._inputs[m] = Merge(dims, d2);
        return probe;
    }

    private static int[] Merge(int[] a, int[] b) =>
        a.Length != b.Length ? a.Select(_ => -1).ToArray() : a.Select((d, i) => d == b[i] ? d : -1).ToArray();

    private static (int[] Output, Dictionary<Module, int[]> Inputs) Observe(Module model, int[] shape)
    {
        var inputs = new Dictionary<Module, int[]>(ReferenceEqualityComparer.Instance);
        var x = Tensor.Zeros(shape, model.Parameters().FirstOrDefault()?.Data.DType ?? DType.Float32);
        inputs[model] = shape;
        Tensor y;
        try
        {
            using (GradMode.NoGrad())
            using (Module.ObserveForward((m, input, _) => inputs.TryAdd(m, input.Shape.ToArray())))
                y = model.Forward(x);
        }
        catch (NablaException e)
        {
            throw new OnnxException(
                $"Onnx.Export: the model {model.Describe()} does not take inputs of shape [batch, {string.Join(", ", shape[1..])}] " +
                $"(the inputShape of one sample plus the batch axis): {e.Message}", e);
        }
        return (y.Shape.ToArray(), inputs);
    }
}
