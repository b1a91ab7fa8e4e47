using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>
/// A shortcut (residual) connection: y = x + f(x). The identity path carries the gradient straight through
/// (∂y/∂x = I + ∂f/∂x), which counters vanishing gradients in deep networks. f must keep the shape of x.
/// </summary>
public sealed class Residual : Module
{
    /// <summary>Wraps <paramref name="body"/> (often a <see cref="Sequential"/>) with a shortcut.</summary>
    public Residual(Module body) => Body = body ?? throw new ArgumentNullException(nameof(body));

    /// <summary>The residual branch f.</summary>
    public Module Body { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var fx = ForwardChild(Body, input);
        if (fx.Shape != input.Shape)
            throw new ShapeException($"Residual: the branch {Body.Describe()} maps {input.Shape} to {fx.Shape}; a shortcut x + f(x) needs f(x) of shape {input.Shape}");
        return input + fx;
    }

    /// <inheritdoc/>
    public override string Describe() => "Residual";
}
