namespace Nabla.Distributed;

/// <summary>
/// Where the time of data-parallel steps goes: the backward passes (during which buckets are already being reduced)
/// and the wait after them for the reductions to finish — the communication backward did not hide.
/// </summary>
public sealed class DistributedStatistics
{
    /// <summary>Steps measured.</summary>
    public long Steps { get; private set; }

    /// <summary>Time in backward passes, summed over the steps.</summary>
    public TimeSpan Backward { get; private set; }

    /// <summary>Time waiting after backward for the gradient reductions (the exposed communication), summed.</summary>
    public TimeSpan Wait { get; private set; }

    /// <summary>Buckets whose allreduce started while backward was still running (the rest started after it).</summary>
    public long BucketsStartedInBackward { get; internal set; }

    /// <summary>Gradient elements reduced, summed over the steps.</summary>
    public long ReducedElements { get; internal set; }

    /// <summary>Gradient elements whose allreduce had already completed when backward ended, summed over the steps.</summary>
    public long HiddenElements { get; internal set; }

    /// <summary>The share of the gradients whose communication backward hid completely (<see cref="HiddenElements"/> / <see cref="ReducedElements"/>).</summary>
    public double HiddenFraction => ReducedElements == 0 ? 0 : (double)HiddenElements / ReducedElements;

    internal void Add(TimeSpan backward, TimeSpan wait)
    {
        Steps++;
        Backward += backward;
        Wait += wait;
    }

    /// <summary>Forgets the steps so far.</summary>
    public void Reset()
    {
        Steps = 0;
        Backward = Wait = TimeSpan.Zero;
        BucketsStartedInBackward = ReducedElements = HiddenElements = 0;
    }
}
