using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nabla.Cli;

/// <summary>Everything `nabla train` was asked to do; saved as run.json in the run folder so eval, predict and --resume can rebuild the run.</summary>
internal sealed record RunConfig
{
    public string Model { get; init; } = "lenet";
    public string? Architecture { get; init; }
    public string Dataset { get; init; } = "mnist";
    public string? Label { get; init; }
    public int[]? ImageSize { get; init; }
    public int? Channels { get; init; }
    public int Epochs { get; init; } = 5;
    public int BatchSize { get; init; } = 64;
    public string Optimizer { get; init; } = "adam";
    public double LearningRate { get; init; } = 1e-3;
    public string Schedule { get; init; } = "constant";
    public double WeightDecay { get; init; }
    public double? Dropout { get; init; }
    public bool Augment { get; init; }
    public double ValidationSplit { get; init; }
    public int? EarlyStopping { get; init; }
    public ulong Seed { get; init; } = 1;
    public int Threads { get; init; } = Environment.ProcessorCount;
    public int? Limit { get; init; }
    public int[] InputShape { get; init; } = [1, 28, 28];
    public string? DatasetKind { get; init; }
    public string[] ClassNames { get; init; } = [];
    public Dictionary<string, double[]>? Preprocessing { get; init; }

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static RunConfig Load(string runFolder)
    {
        string path = Path.Combine(runFolder, "run.json");
        if (!File.Exists(path)) throw new CliException($"{runFolder}: not a run folder (no run.json); train one with 'nabla train --out {runFolder}'");
        try
        {
            return JsonSerializer.Deserialize<RunConfig>(File.ReadAllText(path), Options)
                ?? throw new CliException($"{path}: empty run configuration");
        }
        catch (JsonException e) { throw new CliException($"{path}: malformed run configuration ({e.Message})"); }
    }
}
