using System.Diagnostics;
using Nabla.IO;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Cli;

/// <summary>
/// `nabla train` killed with SIGKILL at random moments mid-epoch, then resumed with --resume, ends with weights
/// bit-identical to an uninterrupted run; the run folder never holds a partial checkpoint that loads.
/// </summary>
public sealed class KillAndResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-kill").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static readonly string[] Args = ["train", "--model", "mlp", "--limit", "4000", "--epochs", "6", "--batch-size", "32", "--seed", "5", "--dropout", "0.2"];

    private static Dictionary<string, float[]> Weights(string runDir) =>
        Checkpoint.Read(Path.Combine(runDir, "model.safetensors")).Tensors.ToDictionary(t => t.Key, t => t.Value.ToArray());

    [Fact]
    public void KilledRunsResumeToBitIdenticalWeights()
    {
        string root = CliRunner.RepoRoot();
        string straight = Path.Combine(_dir, "straight"), killed = Path.Combine(_dir, "killed");
        var r = CliRunner.Run(root, [.. Args, "--out", straight]);
        Assert.True(r.ExitCode == 0, r.Stderr);

        var rng = new Generator(2026);
        int kills = 0;
        bool first = true;
        int firstCheckpointMs = 0;
        while (true)
        {
            var psi = CliRunner.StartInfo(root, first ? [.. Args, "--out", killed] : ["train", "--resume", killed]);
            using var p = Process.Start(psi)!;
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            // Wait until at least one epoch checkpoint exists, then kill at a random moment of a later epoch. The delay
            // scales with this machine's speed: a random fraction of half the time the first run took to its first
            // checkpoint (start-up + one epoch), far less than the five epochs still to run.
            var last = Path.Combine(killed, "last.safetensors");
            var watch = Stopwatch.StartNew();
            while (!File.Exists(last) && !p.HasExited && watch.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(10);
            if (first) firstCheckpointMs = Math.Max(2, (int)watch.ElapsedMilliseconds);
            if (kills < 3 && !p.HasExited)
            {
                Thread.Sleep(rng.NextInt(firstCheckpointMs / 2));
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true); // SIGKILL
                    p.WaitForExit();
                    kills++;
                    AssertNoPartialCheckpointLoads(killed);
                    first = false;
                    continue;
                }
            }
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(5)));
            Assert.Equal(0, p.ExitCode);
            if (!File.Exists(Path.Combine(killed, "model.safetensors"))) { first = false; continue; }
            break;
        }
        Assert.True(kills >= 1, "the run finished before it could be killed; make it longer");
        var a = Weights(straight);
        var b = Weights(killed);
        Assert.Equal(a.Keys, b.Keys);
        foreach (var k in a.Keys) Assert.Equal(a[k], b[k]);
        Assert.Equal(File.ReadAllText(Path.Combine(straight, "history.csv")).Split('\n').Length, File.ReadAllText(Path.Combine(killed, "history.csv")).Split('\n').Length);
    }

    private static void AssertNoPartialCheckpointLoads(string dir)
    {
        foreach (var f in Directory.GetFiles(dir))
        {
            if (f.EndsWith(".tmp", StringComparison.Ordinal)) continue; // an abandoned temporary file is never read
            if (f.EndsWith(".safetensors", StringComparison.Ordinal)) Checkpoint.Read(f); // complete and checksum-valid, or this throws
        }
    }
}
