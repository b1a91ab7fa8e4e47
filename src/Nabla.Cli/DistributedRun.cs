using Nabla.Distributed;
using Nabla.Training;

namespace Nabla.Cli;

/// <summary>
/// `nabla train` as one rank of a data-parallel job: started under Open MPI's mpirun (which sets
/// <c>OMPI_COMM_WORLD_SIZE</c>) or with <c>--distributed</c>. Only then is libmpi.so.40 loaded. Rank 0 alone writes the
/// run folder and the console; what only it reads (run.json and the checkpoint of a resumed run) it broadcasts.
/// An error on any rank ends the whole job through MPI_Abort (<see cref="Current"/> is how <c>Cli</c> knows).
/// </summary>
internal sealed class DistributedRun : IDisposable
{
    private DistributedRun(ICommunicator communicator) => Communicator = communicator;

    /// <summary>The job this process belongs to, or null when it trains alone.</summary>
    public static DistributedRun? Current { get; private set; }

    /// <summary>The ranks.</summary>
    public ICommunicator Communicator { get; }

    /// <summary>This process's rank.</summary>
    public int Rank => Communicator.Rank;

    /// <summary>True on rank 0, the one that writes files and the console.</summary>
    public bool IsRoot => Communicator.Rank == 0;

    /// <summary>True when mpirun started this process or <paramref name="requested"/> (--distributed).</summary>
    public static bool Wanted(bool requested) => requested || MpiCommunicator.LaunchedByMpirun;

    /// <summary>Kernel threads per rank when --threads is not given: the cores shared by the ranks on this machine.</summary>
    public static int DefaultThreads(bool distributed)
    {
        int local = distributed && int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_SIZE"), out int n) && n > 0 ? n : 1;
        return Math.Max(1, Environment.ProcessorCount / local);
    }

    /// <summary>Initializes MPI (loading libmpi.so.40); a missing Open MPI is a command-line error naming the package.</summary>
    public static DistributedRun Start()
    {
        MpiCommunicator comm;
        try { comm = MpiCommunicator.Initialize(); }
        catch (MpiNotAvailableException e) { throw new CliException($"--distributed: {e.Message}", exitCode: 1); }
        return Current = new DistributedRun(comm);
    }

    /// <summary>Rank 0's <paramref name="bytes"/> (its length first), on every rank.</summary>
    public byte[] Broadcast(byte[]? bytes)
    {
        var length = BitConverter.GetBytes((long)(IsRoot ? bytes!.Length : 0));
        Communicator.Broadcast(length.AsSpan());
        var data = IsRoot ? bytes! : new byte[BitConverter.ToInt64(length)];
        Communicator.Broadcast(data.AsSpan());
        return data;
    }

    /// <summary>Rank 0's text, on every rank.</summary>
    public string Broadcast(string? text) => System.Text.Encoding.UTF8.GetString(Broadcast(IsRoot ? System.Text.Encoding.UTF8.GetBytes(text!) : null));

    /// <summary>The synchronizer of this rank's trainer, after checking that the global batch splits into equal shares.</summary>
    public DistributedDataParallel Synchronizer(int batchSize, int examples)
    {
        int size = Communicator.Size;
        if (batchSize % size != 0)
            throw new CliException($"--batch-size {batchSize} is the global batch and must divide evenly among the {size} ranks; give a multiple of {size}");
        if (examples < batchSize)
            throw new CliException($"--batch-size {batchSize}: a distributed epoch trains whole global batches only, and the training set has {examples} examples");
        var trace = Environment.GetEnvironmentVariable("NABLA_DISTRIBUTED_TRACE") is "1" ? Console.Error : null;
        trace?.WriteLine($"rank {Rank} pid {Environment.ProcessId}");
        return new DistributedDataParallel(Communicator) { Trace = trace };
    }

    /// <summary>For the first console line: ", 2 ranks x 32 of a global batch of 64 (Open MPI v4.1.4)".</summary>
    public string Describe(int batchSize) =>
        $", {Communicator.Size} ranks x {batchSize / Communicator.Size} of a global batch of {batchSize} ({Communicator.Description})";

    /// <summary>Rank 0, resuming: sends the checkpoint it restored (nothing for an imported run without one) to the other ranks.</summary>
    public void SendCheckpoint(string path) => Broadcast(File.Exists(path) ? File.ReadAllBytes(path) : []);

    /// <summary>Another rank, resuming: restores the checkpoint rank 0 sends (optimizer, schedule, loader and generator states, history).</summary>
    public void ReceiveCheckpoint(Trainer trainer)
    {
        var bytes = Broadcast((byte[]?)null);
        if (bytes.Length == 0) return;
        string path = Path.Combine(Path.GetTempPath(), $"nabla-rank{Rank}-{Environment.ProcessId}.safetensors");
        try
        {
            File.WriteAllBytes(path, bytes);
            TrainingCheckpoint.Restore(path, trainer);
        }
        finally { File.Delete(path); }
    }

    /// <summary>
    /// Another rank trains: the same steps as rank 0, writing nothing. A run that diverges is reported by rank 0,
    /// which sees the same averaged loss.
    /// </summary>
    public static int RunWorker(Func<History> fit) => fit().Cancelled ? 130 : 0;

    /// <summary>Ends every rank of the job (MPI_Abort) after an error this rank reported.</summary>
    public void Abort(int exitCode) => Communicator.Abort(exitCode == 0 ? 1 : exitCode);

    /// <summary>MPI_Finalize.</summary>
    public void Dispose()
    {
        Communicator.Dispose();
        Current = null;
    }
}
