using Nabla.Models;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Cli;

/// <summary>Builds the model a run asks for: a zoo model by name (mlp, lenet, cnn, resnet, lstm, bncnn, or a recipe: mnist-best, fashion-best) or a JSON architecture.</summary>
internal static class ModelFactory
{
    public static readonly string[] Names = ["mlp", "lenet", "cnn", "resnet", "lstm", "bncnn", .. TrainingRecipe.Names];

    /// <summary>The zoo models with a dropout rate to set.</summary>
    public static readonly string[] WithDropout = ["mlp", "cnn", "bncnn", .. TrainingRecipe.Names];

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

    /// <summary>The models whose convolution widths --widths sets: bncnn and the recipes.</summary>
    public static readonly string[] WithWidths = ["bncnn", .. TrainingRecipe.Names];

    /// <summary>--widths "A,B,C,D": four channel counts from 1 to 1024.</summary>
    public static int[] ParseWidths(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out widths[i]) || widths[i] is < 1 or > 1024)
                throw new CliException($"--widths: expected four channel counts from 1 to 1024 such as 16,32,32,64, got '{text}'");
        if (widths.Length != 4) throw new CliException($"--widths: expected four channel counts (one per convolution), got {widths.Length} in '{text}'");
        return widths;
    }

    /// <summary>--widths only for bncnn and the recipes.</summary>
    public static void CheckWidths(RunConfig config)
    {
        if (config.Widths is null) return;
        if (config.Architecture is not null || !WithWidths.Contains(config.Model))
            throw new CliException($"--widths: model {config.Model} has no widths to set; models with widths: {string.Join(", ", WithWidths)}");
    }

    /// <summary>Parses a JSON architecture; one without layers is refused (it has nothing to train).</summary>
    public static ModelSpec ParseArchitecture(string json, string source)
    {
        var spec = ModelSpec.Parse(json, source);
        if (spec.Layers.Count == 0)
            throw new Nabla.Models.ConfigurationException($"{source}: 'layers' is empty; an architecture needs at least one layer (no layers: nothing to train)");
        return spec;
    }

    /// <summary>
    /// Parses a JSON architecture given on the command line and, when it declares its "input", builds it once with a
    /// throwaway generator, so that layers that do not chain are reported with <paramref name="source"/> (the file name).
    /// </summary>
    public static void CheckArchitecture(string json, string source)
    {
        var spec = ParseArchitecture(json, source);
        if (spec.Input is not null) spec.Build(new Generator(0));
    }

    /// <summary>
    /// Checks that a model built from a JSON architecture fits the data before anything is trained: it takes one example of
    /// <see cref="RunConfig.InputShape"/>, gives one output per class ([1, <paramref name="classes"/>]), and has parameters.
    /// Zoo models are built for the data and always fit. Errors name <paramref name="source"/> (the --model file).
    /// </summary>
    public static void CheckFits(Module model, RunConfig config, int classes, string source)
    {
        if (config.Architecture is null) return;
        string input = $"[{string.Join(",", config.InputShape)}]";
        Tensor y;
        bool training = model.IsTraining;
        model.Eval();
        try
        {
            using (Nabla.Autograd.GradMode.NoGrad()) y = model.Forward(Tensor.Zeros([1, .. config.InputShape]));
        }
        catch (Errors.NablaException e)
        {
            throw new CliException($"{source}: the architecture does not take the data's examples of shape {input}: {e.Message}", 1);
        }
        finally { model.Train(training); }
        if (y.Shape.Rank != 2 || y.Shape[0] != 1)
            throw new CliException($"{source}: the architecture gives outputs of shape {y.Shape} for one example of {input}; {classes} outputs per example ([1,{classes}]), one per class, are needed", 1);
        if (y.Shape[1] != classes)
            throw new CliException($"{source}: the architecture gives {y.Shape[1]} outputs per example; the dataset has {classes} classes (make the last layer's \"out\" {classes})", 1);
        if (!model.Parameters().Any())
            throw new CliException($"{source}: the architecture has no trainable parameters; add a layer with weights (linear, conv2d, ...)", 1);
    }

    /// <summary>The configuration of a model named on the command line (a zoo name or a .json file).</summary>
    public static RunConfig ConfigFor(string name)
    {
        if (name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(name)) throw new CliException($"--model: architecture file '{name}' not found");
            string json = File.ReadAllText(name);
            CheckArchitecture(json, name);
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
                "bncnn" => ModelZoo.CompactBNCNN(config.Widths, dropout: config.Dropout ?? 0.25, generator: gen, classes: classes, channels: c, height: h, width: w),
                var name when TrainingRecipe.Find(name) is { } recipe =>
                    (recipe with { Dropout = config.Dropout ?? recipe.Dropout, Widths = config.Widths ?? recipe.Widths }).Build(gen, classes, c, h, w),
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
