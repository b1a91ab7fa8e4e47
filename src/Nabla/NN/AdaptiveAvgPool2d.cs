using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>
/// Adaptive average pooling (PyTorch's <c>AdaptiveAvgPool2d</c>): pools [N, C, H, W] to a fixed [N, C, OH, OW] whatever
/// H and W are. Output row i averages input rows ⌊i·H/OH⌋ … ⌈(i + 1)·H/OH⌉ − 1, and columns likewise, so the windows
/// cover the whole map and overlap by one row or column where H is not a multiple of OH. With output 1×1 it is
/// <see cref="GlobalAvgPool2d"/> without the flattening (the output stays [N, C, 1, 1], as in PyTorch). No parameters.
/// </summary>
public sealed class AdaptiveAvgPool2d : Module
{
    /// <summary>Creates the layer.</summary>
    /// <param name="outputSize">OH×OW, each at least 1 (a single number for a square output).</param>
    public AdaptiveAvgPool2d(Size2d outputSize)
    {
        if (!outputSize.AllAtLeast(1)) throw new ValueException($"AdaptiveAvgPool2d: the output size must be positive, got {outputSize}");
        OutputSize = outputSize;
    }

    /// <summary>The output's height and width.</summary>
    public Size2d OutputSize { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4)
            throw new ShapeException($"{Describe()}: expected input [N,C,H,W], got {input.Shape}");
        return input.AdaptiveAvgPool2d(OutputSize.ToTuple());
    }

    /// <summary>E.g. <c>AdaptiveAvgPool2d(7x7)</c>.</summary>
    public override string Describe() => $"AdaptiveAvgPool2d({OutputSize})";
}
