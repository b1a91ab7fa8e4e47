using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// One recorded operation in the graph: its name, its inputs and the closure that turns the gradient of
/// its output into gradients of its inputs (by calling <see cref="Tensor.AccumulateGrad"/> on each).
/// </summary>
internal sealed class GradNode(string op, Tensor[] inputs, Action<Tensor> backward)
{
    public readonly string Op = op;
    public Tensor[] Inputs = inputs;
    public Action<Tensor>? Backward = backward;
    public int Stamp;

    /// <summary>True once a backward pass has released this node.</summary>
    public bool Freed => Backward is null;
}
