using Nabla.Models;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Cli;

/// <summary>Builds the model a run asks for: a zoo model by name (mlp, lenet, cnn, resnet, lstm) or a JSON architecture.</summary>
internal static class ModelFactory
{
    public static readonly string[] Names = ["mlp", "lenet", "cnn", "resnet", "lstm"];

    /// <summary>The zoo models with a dropout rate to set.</summary>
    public static readonly string[] WithDropout = ["mlp", "cnn"];

    public static void CheckName(string name)
    {
        if (!Names.Contains(name))
            throw new CliException($"--model: unknown model '{name}'; choose one of {string.Join(", ", Names)}, or give a JSON architecture file");
    }

    /// <summary>--dropout only for models that have dropout (a JSON architecture sets its own rates).</summary>
    public static void CheckDropout(RunConfig config)
    {
        if (config.Dropout is null) return;
        if (config.Architecture is not null)
            throw new CliException("--dropout: a JSON architecture sets its own dropout rates (\"Dropout\" layers); remove --dropout");
        if (!WithDropout.Contains(config.Model))
            throw new CliException($"--dropout: model {config.Model} has no dropout; models with dropout: {string.Join(", ", WithDropout)}");
    }

    public static ModelSpec ParseArchitecture(string json, string source) => ModelSpec.Parse(json, source);

    /// <summary>The configuration of a model named on the command line (a zoo name or a .json file).</summary>
    public static RunConfig ConfigFor(string name)
    {
        if (name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(name)) throw new CliException($"--model: architecture file '{name}' not found");
            string json = File.ReadAllText(name);
            ParseArchitecture(json, name);
            return new RunConfig { Model = "custom", Architecture = json };
        }
        CheckName(name);
        return new RunConfig { Model = name };
    }

    /// <summary>Builds the model for inputs of <see cref="RunConfig.InputShape"/> and <paramref name="classes"/> outputs, drawing initial weights (and dropout masks) from <paramref name="generator"/> (default <see cref="Generator.Default"/>).</summary>
    public static Module Build(RunConfig config, int classes, Generator? generator = null)
    {
        var gen = generator ?? Generator.Default;
        if (config.Architecture is not null) return ParseArchitecture(config.Architecture, "architecture").Build(gen);
        var shape = config.InputShape;
        int inputs = shape.Aggregate(1, (a, b) => a * b);
        // Images get the zoo's 256-128 MLP; feature rows (CSV) a smaller one with 64 hidden units.
        if (config.Model == "mlp") return ModelZoo.MLP(shape.Length == 3 ? null : [64], config.Dropout ?? 0, gen, inputs, classes);
        if (shape.Length != 3)
            throw new CliException($"--model {config.Model} takes images [C,H,W]; for data of shape [{string.Join(",", shape)}] (such as CSV rows) use --model mlp or a JSON architecture");
        int c = shape[0], h = shape[1], w = shape[2];
        try
        {
            return config.Model switch
            {
                "lenet" => ModelZoo.LeNet5(gen, classes, c, h, w),
                "cnn" => config.Dropout is double d ? ModelZoo.CNN(d / 2, d, gen, classes, c, h, w) : ModelZoo.CNN(generator: gen, classes: classes, channels: c, height: h, width: w),
                "resnet" => ModelZoo.ResNet(generator: gen, classes: classes, inputChannels: c),
                "lstm" => ModelZoo.RowLSTM(generator: gen, classes: classes, width: w),
                _ => throw new CliException($"--model: unknown model '{config.Model}'"),
            };
        }
        catch (Errors.ValueException e) { throw new CliException($"--model {config.Model}: {e.Message}"); }
    }

    /// <summary>The architecture as JSON for the checkpoint metadata (built from a generator of its own, so the run's random stream is untouched).</summary>
    public static string Architecture(RunConfig config, int classes)
    {
        if (config.Architecture is not null) return config.Architecture;
        try { return ModelSpec.FromModule(Build(config, classes, new Generator(0)), config.InputShape, config.Model).ToJson(); }
        catch (Nabla.Errors.NablaException) { return $"{{\"name\": \"{config.Model}\"}}"; }
    }
}
