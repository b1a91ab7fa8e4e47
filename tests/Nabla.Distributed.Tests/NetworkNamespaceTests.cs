using Nabla.Distributed.Tests.Support;
using Xunit;

namespace Nabla.Distributed.Tests;

/// <summary>
/// Two ranks on two "hosts" (network namespaces joined by a veth pair), launched by mpirun --host through an rsh agent
/// that enters each namespace: the gradients cross a real network interface over Open MPI's TCP transport, and the
/// result is bit for bit that of the two ranks on one host (shared memory).
/// </summary>
[Collection("mpirun")]
public sealed class NetworkNamespaceTests(MpiRuns runs) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-netns").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [NetnsFact]
    public void TwoRanksOnTwoHostsOverTcpTrainAsOnOneHost()
    {
        using var hosts = new TwoHosts(_dir);
        string run = Path.Combine(_dir, "netns");
        var args = hosts.MpirunCommand();
        args.AddRange(["-x", "CI=true", "-x", "NABLA_DISTRIBUTED_TRACE=1", "dotnet", MpiTools.CliDll, .. MpiRuns.Args, "--out", run]);
        long before = hosts.BytesSentByA();
        var r = MpiTools.Run("ip", args, MpiTools.RepoRoot(), timeout: TimeSpan.FromMinutes(3));
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        long sent = hosts.BytesSentByA() - before;
        // 400 steps, each an allreduce of the 235,146 float32 gradients: far more than 100 MB through the veth pair.
        Assert.True(sent > 100_000_000, $"only {sent} bytes crossed the veth interface");
        Assert.Equal(MpiTools.WeightHashes(runs.TwoRanksResult.Stderr).OrderBy(x => x.Key), MpiTools.WeightHashes(r.Stderr).OrderBy(x => x.Key));
        Assert.Equal(File.ReadAllBytes(Path.Combine(runs.TwoRanks, "model.safetensors")), File.ReadAllBytes(Path.Combine(run, "model.safetensors")));
    }
}
