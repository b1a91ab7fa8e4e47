using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>Log-softmax along an axis: yᵢ = xᵢ − ln Σⱼ e^(xⱼ), the logarithm of <see cref="Softmax"/> computed stably; pairs with a negative log-likelihood loss.</summary>
public sealed class LogSoftmax : Module
{
    /// <summary>Creates the activation over axis <paramref name="axis"/> (default: the last one, the classes of a [N, classes] batch).</summary>
    public LogSoftmax(int axis = -1) => Axis = axis;

    /// <summary>The axis the normalization runs over.</summary>
    public int Axis { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.LogSoftmax(Axis);

    /// <inheritdoc/>
    public override string Describe() => $"LogSoftmax(axis={Axis})";
}
