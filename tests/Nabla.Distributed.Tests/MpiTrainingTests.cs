using System.Globalization;
using Nabla.Distributed.Tests.Support;
using Xunit;

namespace Nabla.Distributed.Tests;

/// <summary>
/// The real command under Open MPI: <c>mpirun -np 2 nabla train</c> against one process with the same global batch,
/// twice for determinism. The runs are made once (<see cref="MpiRuns"/>) and shared by the tests.
/// </summary>
[Collection("mpirun")]
public sealed class MpiTrainingTests(MpiRuns runs)
{
    /// <summary>
    /// 6400 MNIST examples, global batch 64: 100 steps an epoch, 400 in all. One process and two ranks sum float32 in
    /// another order (two half-batch gradients averaged instead of one), so the curves agree to a tolerance: every
    /// epoch's training and validation loss within 1e-4 relative, the final weights within 1e-3 absolute.
    /// </summary>
    [MpiFact]
    public void TwoRanksFollowTheLossCurveOfOneProcess()
    {
        var alone = History(runs.Alone);
        var parallel = History(runs.TwoRanks);
        Assert.Equal(MpiRuns.Epochs, alone.Count);
        Assert.Equal(alone.Count, parallel.Count);
        for (int e = 0; e < alone.Count; e++)
            for (int c = 1; c <= 3; c += 2)   // loss, val_loss
                Assert.True(Math.Abs(alone[e][c] - parallel[e][c]) <= 1e-4 * Math.Abs(alone[e][c]),
                    $"epoch {e + 1} column {c}: {alone[e][c]} in one process, {parallel[e][c]} on 2 ranks");
        var a = MpiRuns.Weights(runs.Alone);
        var p = MpiRuns.Weights(runs.TwoRanks);
        foreach (var (name, w) in a)
            for (int i = 0; i < w.Length; i++) Assert.True(Math.Abs(w[i] - p[name][i]) <= 1e-3, $"{name}[{i}]: {w[i]} vs {p[name][i]}");
    }

    [MpiFact]
    public void EveryRankHoldsTheSameWeightsAfterEveryEpoch()
    {
        var hashes = MpiTools.WeightHashes(runs.TwoRanksResult.Stderr);
        for (int e = 1; e <= MpiRuns.Epochs; e++)
        {
            Assert.True(hashes.ContainsKey((0, e)) && hashes.ContainsKey((1, e)), $"no weight hash of epoch {e}: {runs.TwoRanksResult.Stderr}");
            Assert.Equal(hashes[(0, e)], hashes[(1, e)]);
        }
    }

    [MpiFact]
    public void TheSameSeedAndRankCountGiveBitIdenticalRuns()
    {
        var first = MpiTools.WeightHashes(runs.TwoRanksResult.Stderr);
        var second = MpiTools.WeightHashes(runs.TwoRanksAgainResult.Stderr);
        Assert.Equal(first.OrderBy(x => x.Key).ToList(), second.OrderBy(x => x.Key).ToList());
        Assert.Equal(File.ReadAllBytes(Path.Combine(runs.TwoRanks, "model.safetensors")), File.ReadAllBytes(Path.Combine(runs.TwoRanksAgain, "model.safetensors")));
    }

    [MpiFact]
    public void OnlyRankZeroWritesAndSpeaks()
    {
        Assert.True(File.Exists(Path.Combine(runs.TwoRanks, "history.csv")));
        // Open MPI gives rank 0 a pseudo-terminal, on which .NET writes its keypad-mode sequence first.
        string stdout = runs.TwoRanksResult.Stdout.Replace("\u001b[?1h\u001b=", "");
        Assert.Single(stdout.Split('\n'), l => l.StartsWith("training mlp", StringComparison.Ordinal));
        Assert.Contains("2 ranks x 32 of a global batch of 64", stdout);
        Assert.Single(stdout.Split('\n'), l => l.StartsWith("test accuracy", StringComparison.Ordinal));
    }

    private static List<double[]> History(string run) => File.ReadAllLines(Path.Combine(run, "history.csv")).Skip(1)
        .Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
}
