using Nabla.Autograd;
using Nabla.Errors;

namespace Nabla.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Computes the gradient of this tensor with respect to every leaf that requires grad and adds it to
    /// their <see cref="Grad"/>. Without <paramref name="gradient"/> the tensor must hold a single value (a loss).
    /// The graph is freed afterwards unless <paramref name="retainGraph"/> is true.
    /// </summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false)
    {
        if (!RequiresGrad)
            throw new AutogradException($"Backward: the tensor of shape {Shape} does not require grad (no input of the computation had RequiresGrad = true, or it was computed under NoGrad)");
        if (gradient is null)
        {
            if (Numel != 1)
                throw new AutogradException($"Backward: the tensor has shape {Shape}; backward without an explicit gradient needs a single-value tensor (reduce it, e.g. with Sum() or Mean())");
            gradient = Full(Shape, 1.0, DType);
        }
        else if (gradient.Shape != Shape)
            throw new ShapeException($"Backward: gradient shape {gradient.Shape} differs from the tensor's shape {Shape}");
        else if (gradient.DType != DType) gradient = gradient.ToDType(DType);
        BackwardEngine.Run(this, gradient, retainGraph);
    }

    /// <summary>
    /// Adds <paramref name="gradient"/> to this tensor's gradient (its <see cref="Grad"/> for a leaf, its pending
    /// gradient during backward otherwise). Custom operations call it from their backward closure; it does nothing
    /// when the tensor does not require grad. The gradient is copied, never aliased.
    /// </summary>
    public void AccumulateGrad(Tensor gradient)
    {
        if (!RequiresGrad) return;
        if (gradient.Shape != Shape)
            throw new ShapeException($"AccumulateGrad: gradient shape {gradient.Shape} differs from the tensor's shape {Shape}{NameSuffix}");
        if (gradient.DType != DType) gradient = gradient.ToDType(DType);
        if (IsLeaf)
            Grad = Grad is null ? gradient.Clone() : Grad.AddInPlace(gradient);
        else
            PendingGrad = PendingGrad is null ? gradient.Clone() : PendingGrad.AddInPlace(gradient);
    }

    /// <summary>
    /// Records <paramref name="op"/> as the producer of this tensor so that backward calls <paramref name="backward"/>
    /// with this tensor's gradient. Does nothing when recording is off or no input requires grad.
    /// This is how custom differentiable operations are written: compute the forward result, then
    /// <c>result.Record("myop", [x], g => x.AccumulateGrad(...))</c>.
    /// </summary>
    public Tensor Record(string op, Tensor[] inputs, Action<Tensor> backward)
    {
        if (!GradMode.IsEnabled) return this;
        bool any = false;
        foreach (var t in inputs) any |= t.RequiresGrad;
        if (!any) return this;
        if (Node != null) throw new AutogradException($"Record: the tensor was already produced by '{Node.Op}'");
        Node = new GradNode(op, inputs, backward);
        _requiresGrad = true;
        return this;
    }

    /// <summary>True when an operation on <paramref name="a"/> would be recorded.</summary>
    internal static bool Recording(Tensor a) => a.RequiresGrad && GradMode.IsEnabled;

    /// <summary>True when an operation on <paramref name="a"/> and <paramref name="b"/> would be recorded.</summary>
    internal static bool Recording(Tensor a, Tensor b) => (a.RequiresGrad || b.RequiresGrad) && GradMode.IsEnabled;
}
