namespace Nabla.Distributed;

/// <summary>
/// The collective operations data-parallel training needs, over a group of <see cref="Size"/> processes (ranks).
/// Every rank must call the same collectives in the same order with the same sizes. <see cref="MpiCommunicator"/> runs
/// them on Open MPI; <see cref="InProcessCommunicator"/> runs them between threads of one process, for tests.
/// </summary>
public interface ICommunicator : IDisposable
{
    /// <summary>This process's rank, 0 ≤ Rank &lt; Size.</summary>
    int Rank { get; }

    /// <summary>The number of ranks.</summary>
    int Size { get; }

    /// <summary>A short name of the transport for messages (<c>"Open MPI 4.1.4"</c>, <c>"in-process"</c>).</summary>
    string Description { get; }

    /// <summary>Copies <paramref name="root"/>'s values into every rank's <paramref name="buffer"/>.</summary>
    void Broadcast(Span<float> buffer, int root = 0);

    /// <summary>Copies <paramref name="root"/>'s bytes into every rank's <paramref name="buffer"/>.</summary>
    void Broadcast(Span<byte> buffer, int root = 0);

    /// <summary>Replaces each element by its sum over all ranks (the same result on every rank).</summary>
    void AllReduceSum(Span<double> values);

    /// <summary>
    /// Starts summing <paramref name="count"/> floats of <paramref name="buffer"/> from <paramref name="offset"/> over
    /// all ranks, in place, and returns at once; the buffer must stay untouched until <see cref="IReduceRequest.Wait"/>
    /// returns. <paramref name="buffer"/> must be pinned (allocated with <c>GC.AllocateArray(n, pinned: true)</c>).
    /// </summary>
    IReduceRequest StartAllReduceSum(float[] buffer, int offset, int count);

    /// <summary>Returns when every rank has called it.</summary>
    void Barrier();

    /// <summary>Ends every rank of the job at once with <paramref name="exitCode"/> (MPI_Abort); does not return.</summary>
    void Abort(int exitCode);
}
