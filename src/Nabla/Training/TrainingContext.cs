using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Training;

/// <summary>What callbacks see of a training run in progress.</summary>
public sealed class TrainingContext
{
    internal TrainingContext(Trainer trainer, History history, int epochs)
    {
        Trainer = trainer;
        History = history;
        Epochs = epochs;
    }

    /// <summary>The trainer running.</summary>
    public Trainer Trainer { get; }

    /// <summary>The model being trained.</summary>
    public Module Model => Trainer.Model;

    /// <summary>The optimizer.</summary>
    public Optimizer Optimizer => Trainer.Optimizer;

    /// <summary>The history so far.</summary>
    public History History { get; }

    /// <summary>The last epoch this run will reach (1-based).</summary>
    public int Epochs { get; }

    /// <summary>The current epoch (1-based; 0 before the first).</summary>
    public int Epoch { get; internal set; }

    /// <summary>Optimizer steps taken since the start of training (across resumes): the optimizer's <see cref="Optimizer.StepCount"/>.</summary>
    public long Step => Trainer.Step;

    /// <summary>
    /// Set by a callback to end training. Set in <see cref="Callback.OnBatchEnd"/>, training stops after that batch and
    /// the unfinished epoch is abandoned: it gets no record, no validation and no epoch-end callbacks (so no checkpoint).
    /// Set in <see cref="Callback.OnEpochEnd"/>, training stops after that epoch's callbacks have run; set in
    /// <see cref="Callback.OnEpochBegin"/>, that epoch does not run.
    /// </summary>
    public bool StopTraining { get; set; }

    /// <summary>Why training was stopped (shown in the history).</summary>
    public string? StopReason { get; set; }
}
