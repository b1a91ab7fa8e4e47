namespace Nabla.Training;

/// <summary>
/// Hooks into <see cref="Trainer.Fit"/>: override the moments you need. Callbacks run in the order they were added;
/// set <see cref="TrainingContext.StopTraining"/> to end training after the current epoch.
/// </summary>
public abstract class Callback
{
    /// <summary>Before the first epoch.</summary>
    public virtual void OnTrainBegin(TrainingContext context) { }

    /// <summary>Before each epoch (1-based).</summary>
    public virtual void OnEpochBegin(TrainingContext context, int epoch) { }

    /// <summary>After each optimizer step.</summary>
    public virtual void OnBatchEnd(TrainingContext context, BatchResult batch) { }

    /// <summary>After each epoch, with its figures (already in the history).</summary>
    public virtual void OnEpochEnd(TrainingContext context, EpochRecord record) { }

    /// <summary>After training ends, normally or early.</summary>
    public virtual void OnTrainEnd(TrainingContext context) { }
}
