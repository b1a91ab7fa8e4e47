using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN.Recurrent;

/// <summary>
/// A sequence-classification (or regression) head: pools a sequence of features [N, T, F] over time (see
/// <see cref="SequencePooling"/>) and applies a <see cref="Linear"/> layer, giving [N, out] (e.g. class logits).
/// Typical use: <c>new Sequential(new LSTM(28, 128), new SequenceHead(128, 10))</c>.
/// </summary>
/// <remarks>
/// After a bidirectional layer, <see cref="SequencePooling.Last"/> combines the forward direction's final state with the
/// reverse direction's state after reading only the last step; <see cref="SequencePooling.Mean"/> (or the final hidden
/// states of <see cref="LSTM.Run"/>) uses both directions' full context.
/// </remarks>
public sealed class SequenceHead : Module
{
    private readonly Linear _linear;

    /// <summary>Creates the head.</summary>
    /// <param name="inFeatures">Features per step F (H·dirs after a recurrent layer).</param>
    /// <param name="outFeatures">Outputs per example.</param>
    /// <param name="pooling">How the steps are pooled (default: the last step).</param>
    /// <param name="batchFirst">True for [N, T, F] inputs (default), false for [T, N, F].</param>
    /// <param name="generator">Random source of the linear layer's initialization.</param>
    public SequenceHead(int inFeatures, int outFeatures, SequencePooling pooling = SequencePooling.Last, bool batchFirst = true, Generator? generator = null)
    {
        _linear = new Linear(inFeatures, outFeatures, bias: true, generator);
        Pooling = pooling;
        BatchFirst = batchFirst;
    }

    /// <summary>How the steps are pooled.</summary>
    public SequencePooling Pooling { get; }

    /// <summary>True for [N, T, F] inputs, false for [T, N, F].</summary>
    public bool BatchFirst { get; }

    /// <summary>The output layer.</summary>
    public Linear Linear => _linear;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        int f = _linear.InFeatures;
        if (input.Rank != 3 || input.Shape[2] != f)
            throw new ShapeException($"{Describe()}: expected input {(BatchFirst ? "[N, T, " : "[T, N, ")}{f}], got {input.Shape}");
        int axis = BatchFirst ? 1 : 0, steps = input.Shape[axis], n = input.Shape[1 - axis];
        if (steps == 0) throw new ShapeException($"{Describe()}: expected at least one step, got input {input.Shape}");
        var pooled = Pooling switch
        {
            SequencePooling.Last => input.Narrow(axis, steps - 1, 1).Reshape(n, f),
            SequencePooling.Mean => input.Mean(axis),
            _ => input.Max(axis),
        };
        return ForwardChild(_linear, pooled);
    }

    /// <inheritdoc/>
    public override string Describe() => $"SequenceHead({Pooling}, {_linear.InFeatures} → {_linear.OutFeatures})";
}
