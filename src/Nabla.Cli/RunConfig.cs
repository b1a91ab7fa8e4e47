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
    /// <summary>The four convolution widths of bncnn or a recipe (null: the model's own).</summary>
    public int[]? Widths { get; init; }
    public double LabelSmoothing { get; init; }
    public bool Augment { get; init; }
    /// <summary>The probability of random erasing in the augmentation (null: the recipe's own value, or none).</summary>
    public double? Erase { get; init; }
    public double ValidationSplit { get; init; }
    public int? EarlyStopping { get; init; }
    public ulong Seed { get; init; } = 1;
    public int Threads { get; init; } = Environment.ProcessorCount;
    public int? Limit { get; init; }
    public int[] InputShape { get; init; } = [1, 28, 28];
    public string? DatasetKind { get; init; }
    public string[] ClassNames { get; init; } = [];
    public Dictionary<string, double[]>? Preprocessing { get; init; }

    /// <summary>The weights file a run made by `nabla import` came from; `train --resume` of such a run starts from its model.safetensors.</summary>
    public string? ImportedFrom { get; init; }

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
        if (!File.Exists(path))
        {
            string partial = runFolder.TrimEnd('/', '\\') + ".partial";
            throw new CliException(Directory.Exists(partial) && !runFolder.TrimEnd('/', '\\').EndsWith(".partial", StringComparison.Ordinal)
                ? $"{runFolder}: the run has not finished (it is in {partial}); continue it with 'nabla train --resume {runFolder}'"
                : $"{runFolder}: not a run folder (no run.json); train one with 'nabla train --out {runFolder}'");
        }
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>A run configuration from its JSON text (<paramref name="path"/> names it in errors).</summary>
    public static RunConfig Parse(string json, string path)
    {
        RunConfig config;
        try
        {
            config = JsonSerializer.Deserialize<RunConfig>(json, Options)
                ?? throw new CliException($"{path}: empty run configuration");
        }
        catch (JsonException e) { throw new CliException($"{path}: malformed run configuration ({e.Message})"); }
        config.Validate(path);
        return config;
    }

    /// <summary>
    /// Checks what eval, predict and --resume take from run.json (a file a user may edit) within the ranges `nabla train`
    /// accepts, so a bad value is reported with the file and field rather than deep inside training.
    /// </summary>
    private void Validate(string path)
    {
        void Fail(string field, string expected, object? got) =>
            throw new CliException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{path}: field '{field}' must be {expected}, got {got ?? "null"}"));
        void Range(string field, double value, double min, double max, bool exclusiveMin = false)
        {
            if (!(value >= min && value <= max) || (exclusiveMin && value == min))
                Fail(field, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(exclusiveMin ? "above" : "at least")} {min} and at most {max}"), value);
        }
        if (Architecture is null && !ModelFactory.Names.Contains(Model))
            Fail("model", $"one of {string.Join(", ", ModelFactory.Names)} (or \"custom\" with an \"architecture\")", $"'{Model}'");
        if (Architecture is not null)
        {
            try { ModelFactory.ParseArchitecture(Architecture, $"{path}: field 'architecture'"); }
            catch (Nabla.Models.ConfigurationException e) { throw new CliException(e.Message); }
        }
        if (string.IsNullOrWhiteSpace(Dataset)) Fail("dataset", "a dataset name or path", "''");
        Range("epochs", Epochs, 1, 100_000);
        Range("batch_size", BatchSize, 1, 1 << 20);
        if (!OptimizerFactory.Names.Split(", ").Contains(Optimizer)) Fail("optimizer", $"one of {OptimizerFactory.Names}", $"'{Optimizer}'");
        Range("learning_rate", LearningRate, 0, 10, exclusiveMin: true);
        if (!OptimizerFactory.Schedules.Split(", ").Contains(Schedule)) Fail("schedule", $"one of {OptimizerFactory.Schedules}", $"'{Schedule}'");
        Range("weight_decay", WeightDecay, 0, 1);
        if (Dropout is double d) Range("dropout", d, 0, 0.95);
        if (Widths is { } widths && (widths.Length != 4 || widths.Any(v => v is < 1 or > 1024)))
            Fail("widths", "four channel counts from 1 to 1024", $"[{string.Join(", ", widths)}]");
        Range("label_smoothing", LabelSmoothing, 0, 0.5);
        if (Erase is double erase) Range("erase", erase, 0, 1);
        Range("validation_split", ValidationSplit, 0, 0.9);
        if (EarlyStopping is int p) Range("early_stopping", p, 0, 10_000);
        Range("threads", Threads, 1, 256);
        if (Limit is int n) Range("limit", n, 1, int.MaxValue);
        bool shapeOk = InputShape is { Length: > 0 } && InputShape.All(s => s > 0);
        long values = 1;
        if (shapeOk)
            foreach (int s in InputShape!)
                if ((values *= s) > Commands.SummaryCommand.MaxInputValues) { shapeOk = false; break; }
        if (!shapeOk)
            Fail("input_shape", "positive sizes of one example such as [1, 28, 28]", InputShape is null ? null : $"[{string.Join(", ", InputShape)}]");
        if (Preprocessing is { } pre && shapeOk
            && (!pre.TryGetValue("mean", out var mean) || !pre.TryGetValue("scale", out var scale) || mean is null || scale is null
                || mean.Length != values || scale.Length != values || !mean.All(double.IsFinite) || !scale.All(v => v > 0 && double.IsFinite(v))))
            Fail("preprocessing", $"the finite \"mean\" and positive \"scale\" of the {values} features", "other values");
        if (ClassNames is null || ClassNames.Length < 2) Fail("class_names", "the names of 2 classes or more", ClassNames is null ? null : $"{ClassNames.Length} names");
        if (ImageSize is { } size && (size.Length != 2 || size.Any(v => v is < 4 or > 1024))) Fail("image_size", "[height, width] of 4 to 1024 pixels each", $"[{string.Join(", ", size)}]");
        if (Channels is int c && c is not (1 or 3)) Fail("channels", "1 or 3", c);
    }
}
