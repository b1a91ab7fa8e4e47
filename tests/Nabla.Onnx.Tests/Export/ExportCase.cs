using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Onnx.Tests.Export;

/// <summary>A model to export, the shape of one of its samples, and how to draw a batch of valid inputs for it.</summary>
internal sealed record ExportCase(string Name, Module Model, int[] Sample, Func<int, Generator, Tensor> Inputs)
{
    /// <summary>Normal inputs (images, features, sequences).</summary>
    public static Func<int, Generator, Tensor> Normal(int[] sample) => (n, g) => Tensor.Normal([n, .. sample], 0, 1, g);

    /// <summary>Token ids 0 … <paramref name="vocabulary"/> − 1 stored as floats, as Nabla's Embedding takes them.</summary>
    public static Func<int, Generator, Tensor> Tokens(int[] sample, int vocabulary) =>
        (n, g) =>
        {
            int[] dims = [n, .. sample];
            var ids = new float[dims.Aggregate(1, (a, b) => a * b)];
            for (int i = 0; i < ids.Length; i++) ids[i] = g.NextInt(vocabulary);
            return Tensor.FromArray(ids, dims);
        };

    /// <summary>
    /// Gives every batch-norm layer non-trivial running statistics and affine parameters, so an export that used batch
    /// statistics, or forgot γ and β, would not match.
    /// </summary>
    public static Module WithBatchNormState(Module model, Generator g)
    {
        foreach (var (_, m) in model.NamedModules())
        {
            if (m is not BatchNorm bn) continue;
            for (int c = 0; c < bn.NumFeatures; c++)
            {
                bn.RunningMean.SetFlat(c, 0.5 * g.NextNormal());
                bn.RunningVar.SetFlat(c, 0.5 + 1.5 * g.NextDouble());
                bn.Weight?.Data.SetFlat(c, 0.5 + g.NextDouble());
                bn.Bias?.Data.SetFlat(c, 0.3 * g.NextNormal());
            }
        }
        return model;
    }
}
