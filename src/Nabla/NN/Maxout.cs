using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>
/// A maxout layer, a learnable activation: each of the <see cref="OutFeatures"/> units computes k linear pieces
/// zᵢ = wᵢ·x + bᵢ and outputs the largest, max(z₁, …, z_k). ReLU is the special case max(z, 0) with one piece fixed at 0.
/// Implemented as a <see cref="Linear"/> layer to out·k features, viewed as [.., out, k], then a max over the pieces
/// (the in·out·k multiply-accumulates are the inner Linear's; the max adds none).
/// (in + 1)·out·k parameters.
/// </summary>
public sealed class Maxout : Module
{
    /// <summary>Creates the layer with <paramref name="pieces"/> linear pieces per unit (initialized as <see cref="Linear"/>).</summary>
    public Maxout(int inFeatures, int outFeatures, int pieces = 2, Generator? generator = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0 || pieces <= 0)
            throw new ValueException($"Maxout: feature and piece counts must be positive, got in={inFeatures}, out={outFeatures}, pieces={pieces}");
        Pieces = pieces;
        OutFeatures = outFeatures;
        Linear = new Linear(inFeatures, outFeatures * pieces, generator: generator);
    }

    /// <summary>The linear map to all pieces: row j·k + i of its weight is piece i of unit j.</summary>
    public Linear Linear { get; }

    /// <summary>Number of inputs per sample.</summary>
    public int InFeatures => Linear.InFeatures;

    /// <summary>Number of output units.</summary>
    public int OutFeatures { get; }

    /// <summary>Number of linear pieces k per unit.</summary>
    public int Pieces { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank == 0 || input.Shape[-1] != InFeatures)
            throw new ShapeException($"Maxout({InFeatures} → {OutFeatures}, k={Pieces}): expected input [.., {InFeatures}], got {input.Shape}");
        var z = ForwardChild(Linear, input);                              // [.., out·k]
        var dims = input.Shape.ToArray();
        dims[^1] = OutFeatures;
        var pieces = z.Reshape([.. dims, Pieces]);                         // [.., out, k]
        return pieces.Max(-1);                                            // [.., out]
    }

    /// <inheritdoc/>
    public override string Describe() => $"Maxout({InFeatures} → {OutFeatures}, k={Pieces})";
}
