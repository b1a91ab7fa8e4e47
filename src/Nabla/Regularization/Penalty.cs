using Nabla.Errors;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Regularization;

/// <summary>
/// A regularization term λ·Σ_w r(w) over a set of tensors (usually a model's weights), returned as a recorded
/// rank-0 tensor to add to the data loss: <c>var total = loss.Forward(y, t) + l2.Forward(model);</c>.
/// The whole penalty is one autograd node, however many tensors it covers.
/// </summary>
/// <remarks>
/// This is the lectures' "loss function + regularization term". Optimizers' decoupled weight decay (AdamW) is separate
/// and does not go through the loss.
/// </remarks>
public abstract class Penalty
{
    /// <summary>Creates the penalty with strength λ (finite, ≥ 0).</summary>
    protected Penalty(double lambda)
    {
        if (!(lambda >= 0) || double.IsInfinity(lambda))
            throw new ValueException($"{GetType().Name}: lambda must be finite and non-negative, got {lambda}");
        Lambda = lambda;
    }

    /// <summary>λ, the strength of the penalty.</summary>
    public double Lambda { get; }

    /// <summary>The name used for the autograd node and in messages.</summary>
    public virtual string Name => GetType().Name;

    /// <summary>
    /// The penalty over exactly the given tensors (filter them first, e.g. skip biases). The result has the first
    /// tensor's element type; with no tensors it is a Float32 zero, outside the graph.
    /// </summary>
    public Tensor Forward(IEnumerable<Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToArray();
        if (list.Length == 0) return Tensor.Scalar(0);
        double total = 0;
        foreach (var t in list)
        {
            if (t is null) throw new ValueException($"{Name}: the set of tensors contains null");
            total += Value(t);
        }
        var y = Tensor.Scalar(Lambda * total, list[0].DType);
        double lambda = Lambda;
        return y.Record(Name, list, g =>
        {
            double scale = lambda * g.GetFlat(0);
            foreach (var t in list)
                if (t.RequiresGrad) t.AccumulateGrad(Gradient(t, scale));
        });
    }

    /// <summary>
    /// The penalty over trainable parameters: frozen ones (RequiresGrad false) are skipped, and so are bias-like ones
    /// (<see cref="Parameter.IsBias"/>) unless <paramref name="includeBiases"/> is true, as the lectures sum over weights only.
    /// </summary>
    public Tensor Forward(IEnumerable<Parameter> parameters, bool includeBiases = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return Forward(parameters.Where(p => p.RequiresGrad && (includeBiases || !p.IsBias)).Select(p => p.Data));
    }

    /// <summary>The penalty over a model's trainable parameters, as <see cref="Forward(IEnumerable{Parameter}, bool)"/>.</summary>
    public Tensor Forward(Module model, bool includeBiases = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Forward(model.Parameters(), includeBiases);
    }

    /// <summary>Σ r(w) over the elements of <paramref name="t"/> (without λ).</summary>
    private protected abstract double Value(Tensor t);

    /// <summary><paramref name="scale"/>·r′(w) for each element of <paramref name="t"/>, as a tensor of its shape and type.</summary>
    private protected abstract Tensor Gradient(Tensor t, double scale);

    /// <inheritdoc/>
    public override string ToString() => $"{Name}(lambda: {Lambda})";
}
