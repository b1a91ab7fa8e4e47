using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Diagnostics;

/// <summary>One module in a <see cref="ModelSummary"/>.</summary>
/// <param name="Name">The hierarchical name (<c>features.0</c>), as in parameter names.</param>
/// <param name="Depth">The nesting depth: 1 for a direct child of the model.</param>
/// <param name="Module">The module.</param>
/// <param name="Description">The module's <see cref="Module.Describe"/>.</param>
/// <param name="InputShape">The input shape of the module's last call in the summary pass, or null if it was not observed.</param>
/// <param name="OutputShape">The output shape of the module's last call, or null if it was not observed.</param>
/// <param name="Parameters">The number of parameter elements declared directly on this module (sub-modules have their own rows).</param>
/// <param name="TrainableParameters">How many of <paramref name="Parameters"/> are trainable (not frozen).</param>
/// <param name="MultiplyAccumulates">The multiply-accumulate count of the module's calls in the summary pass (its own, not its sub-modules').</param>
public sealed record SummaryRow(
    string Name,
    int Depth,
    Module Module,
    string Description,
    Shape? InputShape,
    Shape? OutputShape,
    long Parameters,
    long TrainableParameters,
    long MultiplyAccumulates);
