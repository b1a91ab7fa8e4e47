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

    private Action<Tensor>? _gradReady;
    private static int s_gradReadyHooks;   // leaves with a hook: backward looks for them only when there are any

    /// <summary>True while at least one tensor has a <see cref="GradReadyHook"/>.</summary>
    internal static bool AnyGradReadyHook => Volatile.Read(ref s_gradReadyHooks) > 0;

    /// <summary>
    /// Called during <see cref="Backward"/> once per pass on a leaf that requires grad, as soon as its <see cref="Grad"/>
    /// for that pass is complete: after the last operation that uses it has added its contribution, while backward goes
    /// on through the rest of the graph (PyTorch's post-accumulate-grad hook). A leaf the pass does not reach gets no call.
    /// Data-parallel training uses it to start averaging gradients across processes before backward has finished.
    /// The hook runs on the thread running backward; it may read and change the gradient, not the graph.
    /// </summary>
    public Action<Tensor>? GradReadyHook
    {
        get => _gradReady;
        set
        {
            if (_gradReady is null && value is not null) Interlocked.Increment(ref s_gradReadyHooks);
            else if (_gradReady is not null && value is null) Interlocked.Decrement(ref s_gradReadyHooks);
            _gradReady = value;
        }
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
        Accumulate(gradient, owned: false);
    }

    /// <summary>
    /// <see cref="AccumulateGrad"/> for a gradient that the calling backward closure has just created and hands over
    /// (of this tensor's shape and type, referenced nowhere else): it becomes the gradient without a copy when there is
    /// none yet, and its storage returns to the arena otherwise. Never pass the closure's own gradient argument or a view of it.
    /// </summary>
    internal void AccumulateGradOwned(Tensor gradient)
    {
        if (!RequiresGrad) return;
        if (gradient.Shape != Shape || gradient.DType != DType)
        {
            AccumulateGrad(gradient);
            return;
        }
        Accumulate(gradient, owned: true);
    }

    private void Accumulate(Tensor gradient, bool owned)
    {
        if (IsLeaf)
        {
            if (_grad is null) Grad = owned ? gradient : CopyOf(gradient, persistent: true);   // Grad's setter keeps it
            else if (_gradIsZero)
            {
                _gradIsZero = false;
                _grad.CopyFrom(gradient);
            }
            else _grad.AddInPlace(gradient);
            if (owned && !ReferenceEquals(_grad, gradient)) TensorArena.ReleaseEarly(gradient);
        }
        else if (PendingGrad is null) PendingGrad = owned ? gradient : CopyOf(gradient, persistent: false);
        else
        {
            PendingGrad.AddInPlace(gradient);
            if (owned) TensorArena.ReleaseEarly(gradient);
        }
    }

    private static Tensor CopyOf(Tensor t, bool persistent)
    {
        var c = persistent ? Persistent(t.Shape, t.DType) : Uninitialized(t.Shape, t.DType);
        t.CopyElements(0, c, 0, t.Numel);
        return c;
    }

    /// <summary>
    /// For backward closures whose kernels write straight into the gradient: the tensor that holds this tensor's
    /// gradient (its <see cref="Grad"/> for a leaf, its pending gradient otherwise), created if needed, and whether the
    /// closure must add its contribution (<paramref name="accumulate"/> true) or overwrite every element (false).
    /// Returns null, doing nothing, when this tensor does not require grad.
    /// </summary>
    internal Tensor? GradSink(out bool accumulate)
    {
        accumulate = false;
        if (!RequiresGrad) return null;
        if (IsLeaf)
        {
            if (_grad is null)
            {
                _grad = Persistent(Shape, DType);
                return _grad;
            }
            if (_grad.Shape != Shape || _grad.DType != DType)
                throw new ShapeException($"AccumulateGrad: the existing gradient ({_grad.DType} {_grad.Shape}) does not match the tensor's {DType} {Shape}{NameSuffix}");
            accumulate = !_gradIsZero;
            _gradIsZero = false;
            return _grad;
        }
        if (PendingGrad is null) return PendingGrad = Uninitialized(Shape, DType);
        accumulate = true;
        return PendingGrad;
    }

    /// <summary>
    /// Records <paramref name="op"/> as the producer of this tensor so that backward calls <paramref name="backward"/>
    /// with this tensor's gradient. Does nothing when recording is off or no input requires grad.
    /// This is how custom differentiable operations are written: compute the forward result, then
    /// <c>result.Record("myop", [x], g => x.AccumulateGrad(...))</c>. The gradient handed to the closure is valid
    /// only during the call (its storage may be reused afterwards): accumulate from it, never keep it.
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
