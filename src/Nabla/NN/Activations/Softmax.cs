using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>Softmax along an axis: yᵢ = e^(xᵢ) / Σⱼ e^(xⱼ); the outputs are positive and sum to 1, read as class probabilities.</summary>
public sealed class Softmax : Module
{
    /// <summary>Creates the activation over axis <paramref name="axis"/> (default: the last one, the classes of a [N, classes] batch).</summary>
    public Softmax(int axis = -1) => Axis = axis;

    /// <summary>The axis the normalization runs over.</summary>
    public int Axis { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Softmax(Axis);

    /// <inheritdoc/>
    public override string Describe() => $"Softmax(axis={Axis})";
}
