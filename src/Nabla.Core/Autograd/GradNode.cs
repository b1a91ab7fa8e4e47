using System.Diagnostics.CodeAnalysis;
using Nabla.Errors;
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

    /// <summary>Throws the error of a second backward pass through a graph the first one released.</summary>
    [MemberNotNull(nameof(Backward))]
    public void EnsureNotFreed()
    {
        if (Backward is null)
            throw new AutogradException($"Backward: the graph behind '{Op}' was already freed by an earlier Backward; pass retainGraph: true to the first call to run backward twice");
    }
}
