using System.Diagnostics;
using Nabla.IO;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Cli;

/// <summary>
/// `nabla train` killed with SIGKILL at random moments mid-epoch, then resumed with --resume, ends with weights
/// bit-identical to an uninterrupted run; the run folder never holds a partial checkpoint that loads. SIGTERM stops it cleanly.
/// </summary>
public sealed class KillAndResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-kill").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static readonly string[] Args = ["train", "--model", "mlp", "--limit", "4000", "--epochs", "6", "--batch-size", "32", "--seed", "5", "--dropout", "0.2"];

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
            var last = Path.Combine(killed + ".partial", "last.safetensors"); // a run is written into DIR.partial until it finishes
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
                    AssertNoPartialCheckpointLoads(killed + ".partial");
                    Assert.False(File.Exists(Path.Combine(killed, "model.safetensors")), "an unfinished run must not appear finished");
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
        var a = CliRunner.ModelWeights(straight);
        var b = CliRunner.ModelWeights(killed);
        Assert.Equal(a.Keys, b.Keys);
        foreach (var k in a.Keys) Assert.Equal(a[k], b[k]);
        Assert.Equal(File.ReadAllText(Path.Combine(straight, "history.csv")).Split('\n').Length, File.ReadAllText(Path.Combine(killed, "history.csv")).Split('\n').Length);
    }

    private static readonly string[] TermArgs = ["train", "--model", "mlp", "--limit", "20000", "--epochs", "5", "--batch-size", "32", "--seed", "8"];

    /// <summary>
    /// SIGTERM (or Ctrl-C, SIGINT: the same handler) stops `nabla train` after the batch in progress with exit code 143
    /// (130) and a --resume hint; the last epoch checkpoint stays, and resuming ends with the uninterrupted run's weights.
    /// The test sends SIGTERM because a parent started in the background may hand its children SIGINT ignored.
    /// </summary>
    [Fact]
    public async Task SigtermStopsCleanlyAndTheRunResumesToTheUninterruptedWeights()
    {
        string root = CliRunner.RepoRoot();
        string straight = Path.Combine(_dir, "term-straight"), stopped = Path.Combine(_dir, "stopped");
        var r = CliRunner.Run(root, [.. TermArgs, "--out", straight]);
        Assert.True(r.ExitCode == 0, r.Stderr);

        using (var p = Process.Start(CliRunner.StartInfo(root, [.. TermArgs, "--out", stopped]))!)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            var last = Path.Combine(stopped + ".partial", "last.safetensors");
            var watch = Stopwatch.StartNew();
            while (!File.Exists(last) && !p.HasExited && watch.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(5);
            if (p.HasExited) Assert.Fail("the run ended before the first checkpoint could be seen: " + await stderr);
            var ks = new ProcessStartInfo("kill") { RedirectStandardError = true };
            ks.ArgumentList.Add("-TERM"); ks.ArgumentList.Add(p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using (var kill = Process.Start(ks)!) { string ke = await kill.StandardError.ReadToEndAsync(); kill.WaitForExit(); Assert.True(kill.ExitCode == 0, ke); }
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "no exit after SIGTERM");
            string err = await stderr;
            Assert.True(p.ExitCode == 143, $"exit code {p.ExitCode}: {err}");
            Assert.Contains("SIGTERM: stopping after this batch", err);
            Assert.Contains($"continue with  nabla train --resume {stopped}", err);
            Assert.False(Directory.Exists(stopped), "an interrupted run must not appear as a finished run folder");
            Assert.False(File.Exists(Path.Combine(stopped + ".partial", "model.safetensors")), "an interrupted run must not write its final model");
            Assert.Empty(Directory.GetFiles(stopped + ".partial", "*.tmp"));
            int epochs = int.Parse(err.Split("holds epoch ")[1].Split(':')[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(epochs, 1, 4);
            await stdout;
        }

        var resumed = CliRunner.Run(root, ["train", "--resume", stopped]);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        var a = CliRunner.ModelWeights(straight);
        var b = CliRunner.ModelWeights(stopped);
        Assert.Equal(a.Keys, b.Keys);
        foreach (var k in a.Keys) Assert.Equal(a[k], b[k]);
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
