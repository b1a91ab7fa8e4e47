namespace Nabla.Kernels;

/// <summary>A span of elements worked on in place: one chunk [start, start + count) at a time, by any thread.</summary>
internal interface IChunkRunner
{
    /// <summary>Works on elements [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>).</summary>
    void Run(int start, int count);
}

/// <summary>
/// Splits an elementwise pass over n elements into chunks (multiples of a vector width, so only the last chunk has a
/// partial vector) that a team's members take from a shared counter. Each element is computed by the same code whoever
/// runs its chunk, so the result is bit-identical for any thread count.
/// </summary>
internal sealed class ChunkedJob<TRunner> : ITeamJob where TRunner : struct, IChunkRunner
{
    // Elements per chunk: 64 KiB of floats per operand, a few microseconds of work.
    private const int ChunkElements = 1 << 14;

    [ThreadStatic] private static ChunkedJob<TRunner>? t_instance;

    private TRunner _runner;
    private int _n, _next;

    /// <summary>
    /// Runs <paramref name="runner"/> over [0, <paramref name="n"/>) on up to <see cref="Parallelism.MaxThreads"/> threads;
    /// on the calling thread alone when n is below <paramref name="parallelFrom"/> or the pool is busy.
    /// The runner's pointers must stay valid (pinned) until this returns.
    /// </summary>
    public static void Run(in TRunner runner, int n, int parallelFrom)
    {
        int threads = Parallelism.MaxThreads;
        int team = n >= parallelFrom && threads > 1 ? WorkerPool.TryReserve(Math.Min(threads, (n + ChunkElements - 1) / ChunkElements)) : 1;
        if (team == 1)
        {
            runner.Run(0, n);
            return;
        }
        var job = t_instance ??= new ChunkedJob<TRunner>();
        job._runner = runner;
        job._n = n;
        job._next = 0;
        try
        {
            WorkerPool.RunReserved(job, team);
        }
        finally
        {
            job._runner = default;
            WorkerPool.Release();
        }
    }

    /// <inheritdoc />
    public bool MembersOptional => true;

    /// <inheritdoc />
    public void Execute(int member, int teamSize)
    {
        int n = _n, start;
        while ((start = Interlocked.Add(ref _next, ChunkElements) - ChunkElements) < n)
        {
            WorkerPool.Pause(member);
            _runner.Run(start, Math.Min(ChunkElements, n - start));
        }
    }
}
