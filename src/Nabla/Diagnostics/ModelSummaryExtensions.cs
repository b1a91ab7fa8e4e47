using Nabla.NN;

namespace Nabla.Diagnostics;

/// <summary>The <c>model.Summary(…)</c> shortcut for <see cref="ModelSummary.Summary"/>.</summary>
public static class ModelSummaryExtensions
{
    /// <summary>Summarizes <paramref name="model"/> for an input of shape <paramref name="inputShape"/> (batch axis included).</summary>
    public static ModelSummary Summary(this Module model, params int[] inputShape) => ModelSummary.Summary(model, inputShape);
}
