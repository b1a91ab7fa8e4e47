using System.Runtime.InteropServices;

namespace Nabla.Distributed;

/// <summary>
/// The few Open MPI 4.1 functions Nabla uses, bound at run time from <c>libmpi.so.40</c> (Debian's <c>libopenmpi3</c>,
/// installed with <c>openmpi-bin</c>). Open MPI's handles (MPI_Comm, MPI_Datatype, MPI_Op) are the addresses of its
/// predefined global objects (<c>ompi_mpi_comm_world</c>, <c>ompi_mpi_float</c>, <c>ompi_mpi_op_sum</c>, see
/// <c>OMPI_PREDEFINED_GLOBAL</c> in mpi.h); a request is a pointer. Nothing is loaded until <see cref="Load"/>.
/// </summary>
internal sealed unsafe class MpiLibrary
{
    /// <summary>The shared library of Open MPI 4.x (ABI version 40).</summary>
    public const string FileName = "libmpi.so.40";

    /// <summary>An environment variable naming another file or path of the library (an Open MPI 4.x built elsewhere).</summary>
    public const string PathVariable = "NABLA_MPI_LIBRARY";

    /// <summary>What to install when the library is missing.</summary>
    public const string InstallHint = "install Open MPI 4.1 (Debian/Ubuntu: apt-get install openmpi-bin, which brings libopenmpi3 with libmpi.so.40)";

    public const int ThreadFunneled = 1;       // MPI_THREAD_FUNNELED: only the thread that initialized calls MPI
    public static readonly nint InPlace = 1;   // MPI_IN_PLACE

    public readonly nint CommWorld, Float, Double, Byte, OpSum;
    public readonly delegate* unmanaged<int*, nint, int, int*, int> InitThread;
    public readonly delegate* unmanaged<int*, int> Initialized, Finalized;
    public readonly delegate* unmanaged<int> Finalize;
    public readonly delegate* unmanaged<nint, int*, int> CommRank, CommSize;
    public readonly delegate* unmanaged<void*, int, nint, int, nint, int> Bcast;
    public readonly delegate* unmanaged<nint, void*, int, nint, nint, nint, int> Allreduce;
    public readonly delegate* unmanaged<nint, void*, int, nint, nint, nint, nint*, int> Iallreduce;
    public readonly delegate* unmanaged<nint*, nint, int> Wait;
    public readonly delegate* unmanaged<nint*, int*, nint, int> Test;
    public readonly delegate* unmanaged<nint, int> Barrier;
    public readonly delegate* unmanaged<nint, int, int> Abort;
    public readonly delegate* unmanaged<byte*, int*, int> GetLibraryVersion;

    private MpiLibrary(nint h)
    {
        CommWorld = Export(h, "ompi_mpi_comm_world");
        Float = Export(h, "ompi_mpi_float");
        Double = Export(h, "ompi_mpi_double");
        Byte = Export(h, "ompi_mpi_byte");
        OpSum = Export(h, "ompi_mpi_op_sum");
        InitThread = (delegate* unmanaged<int*, nint, int, int*, int>)Export(h, "MPI_Init_thread");
        Initialized = (delegate* unmanaged<int*, int>)Export(h, "MPI_Initialized");
        Finalized = (delegate* unmanaged<int*, int>)Export(h, "MPI_Finalized");
        Finalize = (delegate* unmanaged<int>)Export(h, "MPI_Finalize");
        CommRank = (delegate* unmanaged<nint, int*, int>)Export(h, "MPI_Comm_rank");
        CommSize = (delegate* unmanaged<nint, int*, int>)Export(h, "MPI_Comm_size");
        Bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)Export(h, "MPI_Bcast");
        Allreduce = (delegate* unmanaged<nint, void*, int, nint, nint, nint, int>)Export(h, "MPI_Allreduce");
        Iallreduce = (delegate* unmanaged<nint, void*, int, nint, nint, nint, nint*, int>)Export(h, "MPI_Iallreduce");
        Wait = (delegate* unmanaged<nint*, nint, int>)Export(h, "MPI_Wait");
        Test = (delegate* unmanaged<nint*, int*, nint, int>)Export(h, "MPI_Test");
        Barrier = (delegate* unmanaged<nint, int>)Export(h, "MPI_Barrier");
        Abort = (delegate* unmanaged<nint, int, int>)Export(h, "MPI_Abort");
        GetLibraryVersion = (delegate* unmanaged<byte*, int*, int>)Export(h, "MPI_Get_library_version");
    }

    private static MpiLibrary? s_loaded;
    private static readonly Lock s_lock = new();

    /// <summary>Loads libmpi.so.40 once.</summary>
    /// <exception cref="MpiNotAvailableException">The library is missing or is not Open MPI 4.</exception>
    public static MpiLibrary Load()
    {
        lock (s_lock)
        {
            if (s_loaded is not null) return s_loaded;
            string file = Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } custom ? custom : FileName;
            if (!NativeLibrary.TryLoad(file, out var handle))
                throw new MpiNotAvailableException($"distributed training needs Open MPI, but {file} could not be loaded: {InstallHint}");
            return s_loaded = new MpiLibrary(handle);
        }
    }

    private static nint Export(nint handle, string name) => NativeLibrary.TryGetExport(handle, name, out var address) ? address
        : throw new MpiNotAvailableException($"{FileName} has no symbol '{name}': it is not Open MPI 4.x; {InstallHint}");

    /// <summary>Throws a clear error for an MPI return code other than MPI_SUCCESS (0).</summary>
    public static void Check(int code, string call)
    {
        if (code != 0) throw new MpiException($"{call} failed with MPI error code {code}");
    }
}
