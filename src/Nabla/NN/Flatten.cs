using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>
/// Merges axes <see cref="StartAxis"/>..<see cref="EndAxis"/> into one, a view without copying: the default turns a
/// [N, C, H, W] feature map into the [N, C·H·W] input a dense layer expects ("input is flattened").
/// </summary>
public sealed class Flatten : Module
{
    /// <summary>Creates the layer; the defaults keep the batch axis and flatten the rest.</summary>
    public Flatten(int startAxis = 1, int endAxis = -1)
    {
        StartAxis = startAxis;
        EndAxis = endAxis;
    }

    /// <summary>The first axis merged.</summary>
    public int StartAxis { get; }

    /// <summary>The last axis merged (negative counts from the end).</summary>
    public int EndAxis { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        int rank = input.Rank;
        int s = StartAxis < 0 ? StartAxis + rank : StartAxis, e = EndAxis < 0 ? EndAxis + rank : EndAxis;
        if (s < 0 || s >= rank || e < 0 || e >= rank || s > e)
            throw new ShapeException($"Flatten({StartAxis}, {EndAxis}): expected an input with axes {StartAxis}..{EndAxis}, got {input.Shape} (rank {rank})");
        return input.Flatten(s, e);
    }

    /// <inheritdoc/>
    public override string Describe() => $"Flatten({StartAxis}, {EndAxis})";
}
