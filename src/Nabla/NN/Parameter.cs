using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>
/// A learnable tensor of a module. Modules declare parameters as fields or properties of this type and
/// they are found automatically, named after the field (<c>weight</c>, <c>bias</c>) under the module's path
/// (<c>features.0.weight</c>).
/// </summary>
public sealed class Parameter
{
    private Tensor _data;

    /// <summary>Wraps <paramref name="data"/> as a trainable parameter (it is set to require grad).</summary>
    public Parameter(Tensor data, bool isBias = false)
    {
        _data = data.Keep();   // a parameter outlives any arena scope it may be created in (lazy layers)
        _data.RequiresGrad = true;
        IsBias = isBias;
    }

    /// <summary>The current value. Replacing it (same shape) keeps the parameter trainable.</summary>
    public Tensor Data
    {
        get => _data;
        set
        {
            if (value.Shape != _data.Shape)
                throw new Errors.ShapeException($"parameter '{Name}': new value has shape {value.Shape}, expected {_data.Shape}");
            bool req = _data.RequiresGrad;
            var hook = _data.GradReadyHook;
            _data.GradReadyHook = null;
            _data = value.Keep();
            _data.RequiresGrad = req;
            _data.GradReadyHook = hook;   // a hook set on the parameter (data-parallel training) follows its value
            _data.Name = Name;
        }
    }

    /// <summary>The gradient accumulated by the last backward passes, or null.</summary>
    public Tensor? Grad
    {
        get => _data.Grad;
        set => _data.Grad = value;
    }

    /// <summary>The hierarchical name given by the owning model (e.g. <c>features.0.weight</c>).</summary>
    public string Name { get; internal set; } = "";

    /// <summary>True for bias-like parameters (biases, batch-norm shifts and scales): weight decay and L1/L2 penalties skip them by default, as in the lectures' Σ over j ≠ 0.</summary>
    public bool IsBias { get; }

    /// <summary>False when frozen: no gradient is computed and optimizers leave it unchanged.</summary>
    public bool RequiresGrad
    {
        get => _data.RequiresGrad;
        set { _data.RequiresGrad = value; if (!value) _data.Grad = null; }
    }

    /// <summary>The shape of the value.</summary>
    public Shape Shape => _data.Shape;

    /// <summary>The number of elements.</summary>
    public int Numel => _data.Numel;

    /// <summary>Implicit use as its tensor value in expressions.</summary>
    public static implicit operator Tensor(Parameter p) => p._data;

    /// <inheritdoc/>
    public override string ToString() => $"Parameter {Name} {Shape}";
}
