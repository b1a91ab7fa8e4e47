namespace Nabla.NN;

/// <summary>
/// What <see cref="Module.LoadStateDict"/> did not match when not strict (PyTorch's <c>missing_keys</c> and
/// <c>unexpected_keys</c>); both are empty after a strict load.
/// </summary>
/// <param name="MissingKeys">The model's parameters and buffers that the state dict did not hold (left unchanged).</param>
/// <param name="UnexpectedKeys">The state dict's names (after renaming) that the model has no parameter or buffer for (ignored).</param>
public sealed record StateDictLoadResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);
