namespace Nabla.Tensors;

/// <summary>
/// The one protocol by which everything that changes during training saves and restores its state, as PyTorch's
/// <c>state_dict()</c>/<c>load_state_dict()</c>: optimizers, learning-rate schedules, data loaders, augmentations,
/// generators and the trainer, which gathers the others. A checkpoint stores the trainer's <see cref="StateDict"/>.
/// </summary>
public interface IStateful
{
    /// <summary>A snapshot of the state: copies, so later changes on either side do not affect the other.</summary>
    StateDict StateDict();

    /// <summary>
    /// Restores a snapshot from <see cref="StateDict"/> of an object of the same kind and configuration. Everything is
    /// checked before anything changes: on an error (a <see cref="Errors.NablaException"/> naming the key) the object is
    /// left as it was.
    /// </summary>
    void LoadStateDict(StateDict state);
}
