namespace Nabla.Training;

/// <summary>
/// The NaN guard: after every step, stops training as soon as the loss, a parameter or a gradient is not finite,
/// naming the first offending tensor (a parameter before a gradient before the loss). The epoch is abandoned, so epoch-end checkpoints keep the last good weights.
/// </summary>
public sealed class TerminateOnNaN : Callback
{
    /// <summary>The description of the first non-finite value found, or null.</summary>
    public string? Fault { get; private set; }

    /// <inheritdoc/>
    public override void OnBatchEnd(TrainingContext context, BatchResult batch)
    {
        // A non-finite parameter is the likeliest cause of everything else, so it is named first; then a gradient;
        // the loss alone only when every tensor is finite (the data or the loss function overflowed).
        string? fault = null;
        var named = context.Model.NamedParameters().ToList();
        foreach (var (name, p) in named)
            if (FirstNonFinite(p.Data) is int pi) { fault = $"parameter '{name}' is {p.Data.GetFlat(pi)} at index {pi}"; break; }
        if (fault is null)
            foreach (var (name, p) in named)
                if (FirstNonFinite(p.Grad) is int gi) { fault = $"gradient of '{name}' is {p.Grad!.GetFlat(gi)} at index {gi}"; break; }
        if (!double.IsFinite(batch.Loss)) fault = fault is null ? $"the loss is {batch.Loss}" : $"{fault} (the loss is {batch.Loss})";
        if (fault is null) return;
        Fault = fault;
        context.StopTraining = true;
        context.StopReason = $"non-finite value at epoch {batch.Epoch}, batch {batch.Index + 1}: {fault}";
    }

    private static int? FirstNonFinite(Tensors.Tensor? t) => t?.IndexOfNonFinite() is int i and >= 0 ? i : null;
}
