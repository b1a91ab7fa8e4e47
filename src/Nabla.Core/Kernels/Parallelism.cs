namespace Nabla.Kernels;

/// <summary>
/// Parallel loops for the kernels. Work is split into fixed chunks whose results never depend on how many threads
/// run them, so results are bit-identical for any thread count. The user-facing setting of that count is
/// <see cref="Tensors.Threads.Max"/>.
/// </summary>
/// <remarks>
/// Loops run on a persistent pool of background threads together with the calling thread. The pool runs one loop
/// at a time: a loop started while another runs (from another thread, or nested inside a loop body) runs on its
/// calling thread alone.
/// Members take indices (GEMM: packing pieces and tasks) from shared counters, so work a descheduled member has not
/// started is done by the others, and the caller waits only for pieces a member is busy with: briefly spinning, then
/// blocking (<see cref="TeamWait"/>), never yielding its core. After a loop whose caller waited for its members at least
/// half as long as it worked, and a millisecond or more (another process took a member's core), the pool runs the next
/// loops alone for a few milliseconds, so that a contended machine runs them at one thread's speed rather than slower.
/// </remarks>
public static class Parallelism
{
    private static int _maxThreads = Environment.ProcessorCount;

    /// <summary>The number of threads a loop may use (at least 1; set through <see cref="Tensors.Threads.Max"/>, which checks it).</summary>
    internal static int MaxThreads
    {
        get => _maxThreads;
        set => _maxThreads = value;
    }

    /// <summary>Runs <paramref name="body"/> for every index in [0, <paramref name="count"/>), spread over up to <see cref="Tensors.Threads.Max"/> threads.</summary>
    /// <remarks>Each index must write only its own outputs; the order in which indices run is unspecified.</remarks>
    public static void For(int count, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        For(count, body, static (b, i) => b(i));
    }

    // Below about this many elements of simple work in all, a loop runs on the calling thread: handing it to a team
    // costs more (several microseconds) than it saves.
    internal const long SerialWork = 1L << 15;

    /// <summary>
    /// <see cref="For(int, Action{int})"/> for loops whose items each touch about <paramref name="workPerItem"/>
    /// elements: a loop with little work in all runs on the calling thread.
    /// </summary>
    internal static void For(int count, long workPerItem, Action<int> body)
    {
        if ((long)count * workPerItem < SerialWork)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        For(count, body);
    }

    /// <summary>
    /// Runs <paramref name="body"/>(<paramref name="state"/>, i) for every index i in [0, <paramref name="count"/>),
    /// spread over up to <see cref="Tensors.Threads.Max"/> threads. Allocation-free when <paramref name="body"/> is a static lambda.
    /// </summary>
    /// <remarks>Each index must write only its own outputs; the order in which indices run is unspecified.</remarks>
    public static void For<TState>(int count, TState state, Action<TState, int> body) where TState : class
    {
        ArgumentNullException.ThrowIfNull(body);
        if (count <= 0) return;
        int team = WorkerPool.TryReserve(Math.Min(_maxThreads, count));
        if (team == 1)
        {
            for (int i = 0; i < count; i++) body(state, i);
            return;
        }
        var job = ForJob<TState>.Shared;
        try
        {
            job.Set(count, state, body);
            WorkerPool.RunReserved(job, team);
        }
        finally
        {
            job.Clear();
            WorkerPool.Release();
        }
    }
}
