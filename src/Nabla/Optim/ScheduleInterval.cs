namespace Nabla.Optim;

/// <summary>What one unit of a schedule's time t is: whoever drives the schedule calls <see cref="LearningRateSchedule.Step"/> once per unit.</summary>
public enum ScheduleInterval
{
    /// <summary>t counts epochs: call <see cref="LearningRateSchedule.Step"/> after each epoch.</summary>
    Epoch,

    /// <summary>t counts optimizer steps (mini-batches): call <see cref="LearningRateSchedule.Step"/> after each optimizer step.</summary>
    Step,
}
