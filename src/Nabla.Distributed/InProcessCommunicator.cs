namespace Nabla.Distributed;

/// <summary>
/// An <see cref="ICommunicator"/> whose ranks are threads of one process: <see cref="Create"/> makes a group, and each
/// thread uses its own member as MPI ranks use MPI_COMM_WORLD. For unit tests of data-parallel code without MPI.
/// Sums are taken in rank order, so every rank gets the same bits. Non-blocking reductions complete when started.
/// <see cref="Abort"/> throws <see cref="OperationCanceledException"/> on the caller and breaks the group's barrier,
/// so that the other ranks stop too instead of waiting.
/// </summary>
public sealed class InProcessCommunicator : ICommunicator
{
    private sealed class Group(int size)
    {
        public readonly Barrier Barrier = new(size);
        public readonly object?[] Slots = new object?[size];
        public readonly CancellationTokenSource Aborted = new();
    }

    private readonly Group _group;

    private InProcessCommunicator(Group group, int rank)
    {
        _group = group;
        Rank = rank;
    }

    /// <summary>A group of <paramref name="size"/> ranks; give member i to the thread playing rank i.</summary>
    public static InProcessCommunicator[] Create(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var group = new Group(size);
        return Enumerable.Range(0, size).Select(r => new InProcessCommunicator(group, r)).ToArray();
    }

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size => _group.Slots.Length;

    /// <inheritdoc/>
    public string Description => "in-process";

    /// <summary>Each rank publishes a value; after the barrier every rank reads all of them; a second barrier frees the slots.</summary>
    private void Exchange<T>(T[] mine, Action<T[][]> read)
    {
        _group.Slots[Rank] = mine;
        Sync();
        read(_group.Slots.Select(s => (T[])s!).ToArray());
        Sync();
    }

    private void Sync()
    {
        try
        {
            if (!_group.Barrier.SignalAndWait(TimeSpan.FromMinutes(2), _group.Aborted.Token))
                throw new TimeoutException($"rank {Rank}: the other ranks of the in-process group did not arrive within 2 minutes");
        }
        catch (OperationCanceledException) { throw new OperationCanceledException($"rank {Rank}: another rank aborted the in-process group"); }
    }

    /// <inheritdoc/>
    public void Broadcast(Span<float> buffer, int root = 0) => BroadcastAny(buffer, root);

    /// <inheritdoc/>
    public void Broadcast(Span<byte> buffer, int root = 0) => BroadcastAny(buffer, root);

    private void BroadcastAny<T>(Span<T> buffer, int root)
    {
        T[]? result = null;
        Exchange(buffer.ToArray(), all => result = all[root]);
        result.AsSpan().CopyTo(buffer);
    }

    /// <inheritdoc/>
    public void AllReduceSum(Span<double> values)
    {
        double[]? sum = null;
        Exchange(values.ToArray(), all =>
        {
            sum = new double[all[0].Length];
            foreach (var part in all) for (int i = 0; i < sum.Length; i++) sum[i] += part[i];
        });
        sum.AsSpan().CopyTo(values);
    }

    /// <inheritdoc/>
    public IReduceRequest StartAllReduceSum(float[] buffer, int offset, int count)
    {
        float[]? sum = null;
        Exchange(buffer.AsSpan(offset, count).ToArray(), all =>
        {
            sum = new float[count];
            foreach (var part in all) for (int i = 0; i < count; i++) sum[i] += part[i];
        });
        sum.AsSpan().CopyTo(buffer.AsSpan(offset, count));
        return Completed.Instance;
    }

    /// <inheritdoc/>
    public void Barrier() => Sync();

    /// <inheritdoc/>
    public void Abort(int exitCode)
    {
        _group.Aborted.Cancel();
        throw new OperationCanceledException($"rank {Rank} aborted the in-process group with exit code {exitCode}");
    }

    /// <summary>Nothing to release.</summary>
    public void Dispose() { }

    private sealed class Completed : IReduceRequest
    {
        public static readonly Completed Instance = new();
        public bool Test() => true;
        public void Wait() { }
    }
}
