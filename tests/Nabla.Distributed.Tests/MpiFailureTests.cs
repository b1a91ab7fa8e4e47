using System.Diagnostics;
using Nabla.Distributed.Tests.Support;
using Nabla.IO;
using Nabla.Models;
using Xunit;

namespace Nabla.Distributed.Tests;

/// <summary>
/// A data-parallel job never hangs: a killed rank ends it within seconds with a non-zero exit and a checkpoint that
/// loads and resumes; ranks that disagree, or a batch that does not split, stop it with an error naming the rank.
/// </summary>
[Collection("mpirun")]
public sealed class MpiFailureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-mpi-fail").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [MpiFact]
    public void AKilledRankEndsTheJobWithinSecondsAndTheCheckpointResumes()
    {
        string root = MpiTools.RepoRoot(), run = Path.Combine(_dir, "killed");
        var args = MpiTools.MpirunArgs(2);
        args.AddRange(["-x", "CI=true", "-x", "NABLA_DISTRIBUTED_TRACE=1", "dotnet", MpiTools.CliDll, .. MpiRuns.Args, "--out", run]);
        using var mpirun = MpiTools.Start(MpiTools.Mpirun, args, root);
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        mpirun.ErrorDataReceived += (_, e) => { if (e.Data is { } l) lines.Enqueue(l); };
        mpirun.BeginErrorReadLine();
        _ = mpirun.StandardOutput.ReadToEndAsync();
        var stderr = new Lazy<string>(() => string.Join('\n', lines));
        string last = Path.Combine(run + ".partial", "last.safetensors");
        var watch = Stopwatch.StartNew();
        while (!File.Exists(last) && !mpirun.HasExited && watch.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(10);
        Assert.False(mpirun.HasExited, $"the job ended before its first checkpoint: {stderr.Value}");
        Thread.Sleep(150);   // into epoch 2
        // The traced run names each rank's process: "rank 1 pid 1234".
        int rank1 = lines.Select(l => l.Trim().Split(' ')).Where(f => f is ["rank", "1", "pid", _]).Select(f => int.Parse(f[3])).Single();
        Process.GetProcessById(rank1).Kill();   // SIGKILL
        var killed = Stopwatch.StartNew();
        bool ended = mpirun.WaitForExit(TimeSpan.FromSeconds(30));
        if (!ended) mpirun.Kill(entireProcessTree: true);
        Assert.True(ended, "mpirun did not end within 30 s of the kill");
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(10), $"the job took {killed.Elapsed.TotalSeconds:F1} s to end");
        Assert.NotEqual(0, mpirun.ExitCode);
        Assert.False(Directory.Exists(run), "a killed run must not look finished");

        // The last checkpoint loads, and the job resumes from it to the weights of an uninterrupted run.
        var model = ModelZoo.MLP();
        Checkpoint.Load(last, model);
        var resumed = MpiTools.MpirunNabla(2, ["train", "--resume", run, "--threads", "1"], root);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains($"resuming {run}", resumed.Stdout);
        var straight = MpiTools.MpirunNabla(2, [.. MpiRuns.Args, "--out", Path.Combine(_dir, "straight")], root);
        Assert.True(straight.ExitCode == 0, straight.Stderr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "straight", "model.safetensors")), File.ReadAllBytes(Path.Combine(run, "model.safetensors")));
    }

    [MpiFact]
    public void RanksGivenDifferentDataStopWithAnErrorNamingTheRank()
    {
        // Open MPI's MPMD form: rank 0 and rank 1 run different command lines (rank 1 reads 64 more examples).
        var args = MpiTools.MpirunArgs(1);
        args.AddRange(["-x", "CI=true", "dotnet", MpiTools.CliDll, "train", "--model", "mlp", "--limit", "640", "--epochs", "1", "--out", Path.Combine(_dir, "r"),
            ":", "-np", "1", "-x", "CI=true", "dotnet", MpiTools.CliDll, "train", "--model", "mlp", "--limit", "704", "--epochs", "1", "--out", Path.Combine(_dir, "r")]);
        var r = MpiTools.Run(MpiTools.Mpirun, args, MpiTools.RepoRoot(), timeout: TimeSpan.FromMinutes(1));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("training data differ between ranks (rank 1 against rank 0", r.Stderr);
    }

    [MpiFact]
    public void AGlobalBatchThatDoesNotSplitIsACommandLineError()
    {
        var r = MpiTools.MpirunNabla(2, ["train", "--model", "mlp", "--limit", "640", "--epochs", "1", "--batch-size", "63", "--out", Path.Combine(_dir, "b")], MpiTools.RepoRoot());
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--batch-size 63 is the global batch and must divide evenly among the 2 ranks", r.Stderr);
    }

    [Fact]
    public void DistributedWithoutOpenMpiSaysWhatToInstall()
    {
        var r = MpiTools.Run("dotnet", [MpiTools.CliDll, "train", "--distributed", "--model", "mlp", "--limit", "64", "--epochs", "1", "--out", Path.Combine(_dir, "m")],
            MpiTools.RepoRoot(), new Dictionary<string, string> { ["NABLA_MPI_LIBRARY"] = "libmpi-not-here.so.40" });
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("apt-get install openmpi-bin", r.Stderr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "m")));
    }
}
