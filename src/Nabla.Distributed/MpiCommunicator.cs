using System.Text;

namespace Nabla.Distributed;

/// <summary>
/// <see cref="ICommunicator"/> on Open MPI's <c>MPI_COMM_WORLD</c>: the processes <c>mpirun</c> started. Create it once
/// per process with <see cref="Initialize"/> (MPI_Init_thread, funneled: every MPI call comes from the thread that
/// initialized) and dispose it at the end (MPI_Finalize). An error in a collective ends the whole job (Open MPI's
/// default MPI_ERRORS_ARE_FATAL), so a rank that dies never leaves the others waiting.
/// </summary>
public sealed unsafe class MpiCommunicator : ICommunicator
{
    private readonly MpiLibrary _mpi;
    private readonly int _thread;
    private bool _disposed;

    private MpiCommunicator(MpiLibrary mpi, int rank, int size, string version)
    {
        _mpi = mpi;
        Rank = rank;
        Size = size;
        Description = version;
        _thread = Environment.CurrentManagedThreadId;
    }

    /// <summary>True when this process was started by Open MPI's <c>mpirun</c> (it sets <c>OMPI_COMM_WORLD_SIZE</c>).</summary>
    public static bool LaunchedByMpirun => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is { Length: > 0 };

    /// <summary>Loads libmpi.so.40 and initializes MPI; run alone (not under mpirun) it is a job of one rank.</summary>
    /// <exception cref="MpiNotAvailableException">Open MPI is not installed (the message names the package), or MPI was already initialized.</exception>
    public static MpiCommunicator Initialize()
    {
        var mpi = MpiLibrary.Load();
        int flag, provided, rank, size;
        MpiLibrary.Check(mpi.Initialized(&flag), "MPI_Initialized");
        if (flag != 0) throw new MpiNotAvailableException("MPI is already initialized in this process; create one MpiCommunicator per process");
        MpiLibrary.Check(mpi.InitThread(null, 0, MpiLibrary.ThreadFunneled, &provided), "MPI_Init_thread");
        if (provided < MpiLibrary.ThreadFunneled)
            throw new MpiNotAvailableException($"Open MPI granted thread level {provided}, Nabla needs MPI_THREAD_FUNNELED (1)");
        MpiLibrary.Check(mpi.CommRank(mpi.CommWorld, &rank), "MPI_Comm_rank");
        MpiLibrary.Check(mpi.CommSize(mpi.CommWorld, &size), "MPI_Comm_size");
        var text = new byte[8192];   // MPI_MAX_LIBRARY_VERSION_STRING
        int length;
        fixed (byte* p = text) MpiLibrary.Check(mpi.GetLibraryVersion(p, &length), "MPI_Get_library_version");
        string version = Encoding.ASCII.GetString(text, 0, Math.Max(0, length)).Split([',', '\n'])[0].Trim();
        return new MpiCommunicator(mpi, rank, size, version);
    }

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size { get; }

    /// <inheritdoc/>
    public string Description { get; }

    /// <inheritdoc/>
    public void Broadcast(Span<float> buffer, int root = 0)
    {
        Enter();
        fixed (float* p = buffer) MpiLibrary.Check(_mpi.Bcast(p, buffer.Length, _mpi.Float, root, _mpi.CommWorld), "MPI_Bcast");
    }

    /// <inheritdoc/>
    public void Broadcast(Span<byte> buffer, int root = 0)
    {
        Enter();
        fixed (byte* p = buffer) MpiLibrary.Check(_mpi.Bcast(p, buffer.Length, _mpi.Byte, root, _mpi.CommWorld), "MPI_Bcast");
    }

    /// <inheritdoc/>
    public void AllReduceSum(Span<double> values)
    {
        Enter();
        fixed (double* p = values)
            MpiLibrary.Check(_mpi.Allreduce(MpiLibrary.InPlace, p, values.Length, _mpi.Double, _mpi.OpSum, _mpi.CommWorld), "MPI_Allreduce");
    }

    /// <inheritdoc/>
    public IReduceRequest StartAllReduceSum(float[] buffer, int offset, int count)
    {
        Enter();
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, buffer.Length - offset);
        nint request;
        fixed (float* p = buffer)   // the caller keeps buffer pinned (pinned object heap) until Wait
            MpiLibrary.Check(_mpi.Iallreduce(MpiLibrary.InPlace, p + offset, count, _mpi.Float, _mpi.OpSum, _mpi.CommWorld, &request), "MPI_Iallreduce");
        return new MpiRequest(this, request);
    }

    /// <inheritdoc/>
    public void Barrier()
    {
        Enter();
        MpiLibrary.Check(_mpi.Barrier(_mpi.CommWorld), "MPI_Barrier");
    }

    /// <inheritdoc/>
    public void Abort(int exitCode)
    {
        Console.Error.Flush();
        Console.Out.Flush();
        _mpi.Abort(_mpi.CommWorld, exitCode);
        Environment.Exit(exitCode);   // MPI_Abort does not return; in case it does
    }

    /// <summary>MPI_Finalize.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        int finalized;
        if (_mpi.Finalized(&finalized) == 0 && finalized == 0) _mpi.Finalize();
    }

    private void Enter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Environment.CurrentManagedThreadId != _thread)
            throw new InvalidOperationException("MpiCommunicator: MPI was initialized funneled; call it from the thread that created it");
    }

    private sealed class MpiRequest(MpiCommunicator owner, nint handle) : IReduceRequest
    {
        private nint _handle = handle;
        private bool _done;

        public bool Test()
        {
            if (_done) return true;
            owner.Enter();
            int flag;
            fixed (nint* h = &_handle) MpiLibrary.Check(owner._mpi.Test(h, &flag, 0), "MPI_Test");
            return _done = flag != 0;
        }

        public void Wait()
        {
            if (_done) return;
            owner.Enter();
            fixed (nint* h = &_handle) MpiLibrary.Check(owner._mpi.Wait(h, 0), "MPI_Wait");
            _done = true;
        }
    }
}
