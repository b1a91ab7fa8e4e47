using Nabla.Models;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Tensors;

namespace Nabla.Cli;

/// <summary>Builds the model a run asks for: a zoo model by name (mlp, lenet, cnn, resnet, lstm) or a JSON architecture.</summary>
internal static class ModelFactory
{
    public static readonly string[] Names = ["mlp", "lenet", "cnn", "resnet", "lstm"];

    public static void CheckName(string name)
    {
        if (!Names.Contains(name))
            throw new CliException($"--model: unknown model '{name}'; choose one of {string.Join(", ", Names)}, or give a JSON architecture file");
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

    /// <summary>Builds the model, drawing initial weights from <see cref="Generator.Default"/>.</summary>
    public static Module Build(RunConfig config, int classes)
    {
        var gen = Generator.Default;
        if (config.Architecture is not null) return ParseArchitecture(config.Architecture, "architecture").Build(gen);
        bool mnistLike = config.InputShape.SequenceEqual(new[] { 1, 28, 28 }) && classes == 10;
        if (!mnistLike)
        {
            if (config.Model != "mlp")
                throw new CliException($"--model {config.Model} takes 28x28 grayscale images with 10 classes; for data of shape [{string.Join(",", config.InputShape)}] with {classes} classes use --model mlp or a JSON architecture");
            int inputs = config.InputShape.Aggregate(1, (a, b) => a * b);
            var layers = new List<Module> { new Flatten(), new Linear(inputs, 64, generator: gen), new ReLU() };
            if (config.Dropout is double p && p > 0) layers.Add(new Dropout(p));
            layers.Add(new Linear(64, classes, generator: gen));
            return new Sequential([.. layers]);
        }
        return config.Model switch
        {
            "mlp" => ModelZoo.Mlp(dropout: config.Dropout ?? 0, generator: gen),
            "lenet" => ModelZoo.LeNet5(gen),
            "cnn" => config.Dropout is double d ? ModelZoo.Cnn(d / 2, d, gen) : ModelZoo.Cnn(generator: gen),
            "resnet" => ModelZoo.ResNet(generator: gen),
            "lstm" => ModelZoo.RowLstm(generator: gen),
            _ => throw new CliException($"--model: unknown model '{config.Model}'"),
        };
    }

    /// <summary>The architecture as JSON for the checkpoint metadata (built with a throwaway generator, so the run's random stream is untouched).</summary>
    public static string Architecture(RunConfig config, int classes)
    {
        if (config.Architecture is not null) return config.Architecture;
        var saved = Generator.Default.GetState();
        try { return ModelSpec.FromModule(Build(config, classes), config.InputShape, config.Model).ToJson(); }
        catch (Nabla.Errors.NablaException) { return $"{{\"name\": \"{config.Model}\"}}"; }
        finally { Generator.Default.SetState(saved); }
    }
}
