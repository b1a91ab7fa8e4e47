using Nabla.Distributed.Tests.Support;
using Xunit;

namespace Nabla.Distributed.Tests.Support;

/// <summary>The runs <see cref="MpiTrainingTests"/> compare: one process, two ranks, two ranks again.</summary>
public sealed class MpiRuns : IDisposable
{
    /// <summary>Epochs of each run.</summary>
    public const int Epochs = 4;

    /// <summary>The training every run does: an MLP on 6400 MNIST examples, global batch 64, one thread per process.</summary>
    public static readonly string[] Args = ["train", "--model", "mlp", "--limit", "6400", "--epochs", "4", "--batch-size", "64", "--seed", "7", "--threads", "1"];

    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-mpi").FullName;

    public MpiRuns()
    {
        if (MpiTools.MpiMissing.Value is not null && Environment.GetEnvironmentVariable("CI") is null or "") return;
        string root = MpiTools.RepoRoot();
        AloneResult = MpiTools.Run("dotnet", [MpiTools.CliDll, .. Args, "--out", Alone], root);
        TwoRanksResult = MpiTools.MpirunNabla(2, [.. Args, "--out", TwoRanks], root);
        TwoRanksAgainResult = MpiTools.MpirunNabla(2, [.. Args, "--out", TwoRanksAgain], root);
        foreach (var r in new[] { AloneResult, TwoRanksResult, TwoRanksAgainResult })
            Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
    }

    /// <summary>Run folders.</summary>
    public string Alone => Path.Combine(_dir, "alone");

    /// <inheritdoc cref="Alone"/>
    public string TwoRanks => Path.Combine(_dir, "two");

    /// <inheritdoc cref="Alone"/>
    public string TwoRanksAgain => Path.Combine(_dir, "two-again");

    /// <summary>What the processes printed.</summary>
    public MpiTools.Result AloneResult { get; } = new(-1, "", "", TimeSpan.Zero);

    /// <inheritdoc cref="AloneResult"/>
    public MpiTools.Result TwoRanksResult { get; } = new(-1, "", "", TimeSpan.Zero);

    /// <inheritdoc cref="AloneResult"/>
    public MpiTools.Result TwoRanksAgainResult { get; } = new(-1, "", "", TimeSpan.Zero);

    /// <summary>The final weights of a run folder, by name.</summary>
    public static Dictionary<string, float[]> Weights(string run) =>
        IO.Checkpoint.Read(Path.Combine(run, "model.safetensors")).Tensors.ToDictionary(t => t.Key, t => t.Value.ToArray());

    public void Dispose() => Directory.Delete(_dir, true);
}
