using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>
/// Global average pooling: the mean of each channel's whole H×W map, [N, C, H, W] → [N, C]. Replaces flattening before
/// the classifier in residual networks; the output no longer depends on the input's height and width. No parameters.
/// </summary>
public sealed class GlobalAvgPool2d : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4)
            throw new ShapeException($"GlobalAvgPool2d: expected input [N,C,H,W], got {input.Shape}");
        return input.GlobalAvgPool2d();
    }

    /// <inheritdoc/>
    public override string Describe() => "GlobalAvgPool2d";
}
