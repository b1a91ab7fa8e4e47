using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>
/// A learning rate as a function ηₜ = <see cref="Rate"/>(t) of the time t = 0, 1, 2, … counted in epochs or steps
/// (<see cref="Interval"/>). Attached to an optimizer, it sets <see cref="Optimizer.LearningRate"/> to η₀ at once and to
/// ηₜ at each <see cref="Step"/>, so the t-th epoch (or step), counting from 0, runs at ηₜ:
/// <code>
/// var schedule = new StepDecay(0.1, gamma: 0.5, stepSize: 10).Attach(optimizer);
/// for (int epoch = 0; epoch &lt; 30; epoch++) { TrainOneEpoch(optimizer); schedule.Step(); }
/// </code>
/// </summary>
public abstract class LearningRateSchedule : IStateful
{
    /// <summary>The schedule's name in messages and in <see cref="ScheduleState.Schedule"/>.</summary>
    public string Name => GetType().Name;

    /// <summary>The rate at time <paramref name="t"/> ≥ 0 (the schedule's formula; pure).</summary>
    public abstract double Rate(long t);

    /// <summary>The current time t: the number of <see cref="Step"/> calls made.</summary>
    public long Time { get; private set; }

    /// <summary>The rate at the current time, ηₜ.</summary>
    public double Current => Rate(Time);

    /// <summary>Whether t counts epochs (the default) or optimizer steps; a hint for whoever drives the schedule.</summary>
    public ScheduleInterval Interval { get; init; } = ScheduleInterval.Epoch;

    /// <summary>The optimizer whose rate the schedule sets, or null.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>Binds the schedule to <paramref name="optimizer"/> and sets its rate to the current ηₜ. Returns this.</summary>
    public LearningRateSchedule Attach(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        Apply();
        return this;
    }

    /// <summary>Advances t by one and sets the attached optimizer's rate to the new ηₜ, which it returns.</summary>
    public double Step()
    {
        Time++;
        Apply();
        return Current;
    }

    /// <summary>The schedule's state: <c>type</c> (its name, checked on load) and its time <c>t</c> (epochs or steps, by <see cref="Interval"/>).</summary>
    public StateDict StateDict() => new StateDict().Set("type", Name).Set("t", Time);

    /// <summary>Restores the time t from <see cref="StateDict"/> and applies ηₜ to the attached optimizer.</summary>
    public void LoadStateDict(StateDict state)
    {
        ArgumentNullException.ThrowIfNull(state);
        LoadState(new ScheduleState { Schedule = state.GetString("type"), Values = { ["t"] = state.GetLong("t") } });
    }

    internal ScheduleState GetState() => new() { Schedule = Name, Values = { ["t"] = Time } };

    /// <summary>Restores the time t from <paramref name="state"/> and applies ηₜ to the attached optimizer.</summary>
    internal void LoadState(ScheduleState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Schedule != Name) throw new ValueException($"{Name}: the state was saved by a {state.Schedule} schedule");
        if (!state.Values.TryGetValue("t", out double t) || !(t >= 0) || t != Math.Floor(t) || t > long.MaxValue)
            throw new ValueException($"{Name}: the state needs a whole time t ≥ 0, got {(state.Values.TryGetValue("t", out t) ? t.ToString() : "none")}");
        Time = (long)t;
        Apply();
    }

    private void Apply()
    {
        if (Optimizer is not null) Optimizer.LearningRate = Current;
    }
}
