namespace Nabla.Optim;

/// <summary>A snapshot of a schedule's counters as plain data (the formula's options are not part of it: rebuild the schedule with the same options, then load).</summary>
internal sealed class ScheduleState
{
    /// <summary>The schedule's type name (e.g. <c>CosineDecay</c>); loading checks it.</summary>
    public required string Schedule { get; init; }

    /// <summary>Named counters, e.g. <c>t</c> for a formula schedule; <c>best</c>, <c>bad_epochs</c>, <c>cooldown</c> for ReduceOnPlateau.</summary>
    public Dictionary<string, double> Values { get; init; } = [];
}
