using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>
/// A shortcut (residual) connection: y = x + f(x). The identity path carries the gradient straight through
/// (∂y/∂x = I + ∂f/∂x), which counters vanishing gradients in deep networks. f must keep the shape of x, unless a
/// <see cref="Shortcut"/> g is given: then y = g(x) + f(x), with g typically a strided 1×1 convolution (and batch norm)
/// that projects x to f's output shape when the branch changes channels or resolution.
/// </summary>
public sealed class Residual : Module
{
    /// <summary>Wraps <paramref name="body"/> (often a <see cref="Sequential"/>) with an identity shortcut, or with <paramref name="shortcut"/> if given.</summary>
    public Residual(Module body, Module? shortcut = null)
    {
        Body = body ?? throw new ArgumentNullException(nameof(body));
        Shortcut = shortcut;
    }

    /// <summary>The residual branch f.</summary>
    public Module Body { get; }

    /// <summary>The projection g on the shortcut path, or null for the identity.</summary>
    public Module? Shortcut { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var fx = ForwardChild(Body, input);
        var gx = Shortcut is null ? input : ForwardChild(Shortcut, input);
        if (fx.Shape != gx.Shape)
            throw new ShapeException(Shortcut is null
                ? $"Residual: the branch {Body.Describe()} maps {input.Shape} to {fx.Shape}; a shortcut x + f(x) needs f(x) of shape {input.Shape}"
                : $"Residual: the branch {Body.Describe()} gives {fx.Shape} but the shortcut {Shortcut.Describe()} gives {gx.Shape}; g(x) + f(x) needs equal shapes");
        return gx + fx;
    }

    /// <inheritdoc/>
    public override string Describe() => Shortcut is null ? "Residual" : "Residual(projection shortcut)";
}
