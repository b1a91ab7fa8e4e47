using Nabla.IO;
using Nabla.IO.Torch;
using Nabla.NN;

namespace Nabla.Cli.Commands;

/// <summary>
/// `nabla import`: PyTorch weights (a torch.save state dict or a safetensors file) into a run folder for a zoo model or
/// a JSON architecture, which eval, predict and train --resume (fine-tuning from the imported weights) accept.
/// </summary>
internal static class ImportCommand
{
    public const string Help = """
        usage: nabla import --torch FILE.pt | --safetensors FILE --model NAME|FILE.json --out DIR [options]

          --torch FILE        a state dict saved by torch.save(model.state_dict(), FILE) (PyTorch >= 1.6 zip format)
          --safetensors FILE  a .safetensors file with PyTorch's parameter names
          --model NAME|FILE   mlp, lenet, cnn, resnet, lstm, or a JSON architecture file: the same network as the
                              PyTorch one, with the same parameter names (docs/pytorch-weights.md lists them)
          --dataset D         the data the model is for (default mnist): its input shape, classes and preprocessing
          --label COLUMN      label column of a CSV dataset
          --optimizer NAME    the optimizer of a later 'nabla train --resume DIR' (default adam)
          --lr RATE           its learning rate (default 0.001)
          --epochs N          the epochs 'nabla train --resume DIR' trains without --epochs (default 5)
          --out DIR           the run folder to write; it must not hold a run yet
          --force             replace the run already in --out

        Every parameter and buffer must match by name and shape (all differences are listed in one error); nothing is
        written then. Weights stored as float16, bfloat16 or float64 are converted to the model's float32.
        """;

    public static int Run(string[] argv)
    {
        var a = new Arguments(argv, new HashSet<string> { "force" });
        string? torch = a.String("torch"), safetensors = a.String("safetensors");
        if ((torch is null) == (safetensors is null))
            throw new CliException("import: give the weights with exactly one of --torch FILE.pt or --safetensors FILE");
        string file = (torch ?? safetensors)!;
        string model = a.String("model") ?? throw new CliException("import: --model NAME|FILE.json is required (the architecture the weights are for)");
        string outDir = a.String("out") ?? throw new CliException("import: --out DIR is required");
        var config = ModelFactory.ConfigFor(model) with
        {
            Dataset = DatasetLoader.Canonical(a.String("dataset", "mnist")),
            Label = a.String("label"),
            Optimizer = a.String("optimizer", "adam"),
            LearningRate = a.Double("lr", 1e-3, 0, 10, exclusiveMin: true),
            Epochs = a.Int("epochs", 5, 1, 100_000),
            ImportedFrom = Path.GetFullPath(file),
        };
        bool force = a.Flag("force");
        a.EnsureNoPositional("import");
        a.EnsureAllUsed("import");
        OptimizerFactory.CheckName(config.Optimizer);
        if (!File.Exists(file)) throw new CliException($"{(torch is null ? "--safetensors" : "--torch")}: file '{file}' not found");

        var data = DatasetLoader.Load(config);
        config = config with { InputShape = data.InputShape, ClassNames = data.ClassNames, Preprocessing = data.Preprocessing, DatasetKind = data.Kind };
        int classes = data.ClassNames.Length;
        var net = ModelFactory.Build(config, classes);
        ModelFactory.CheckFits(net, config, classes, $"--model {model}");
        var state = torch is not null ? TorchFile.Load(file) : TorchFile.LoadSafeTensors(file);
        net.LoadStateDict(state, strict: true);
        CheckFinite(net, file);

        using var ws = RunWorkspace.ForNewRun(outDir, force);
        RunFolder.WriteImported(ws.Work, net, config, ModelFactory.Architecture(config, classes));
        ws.Commit();
        Console.WriteLine($"imported {state.Count} tensors from {Path.GetFileName(file)} into {config.Model} ({net.ParameterCount():N0} parameters) -> {ws.Target}");
        return 0;
    }

    private static void CheckFinite(Module net, string file)
    {
        foreach (var (name, p) in net.NamedParameters())
            if (!p.Data.ToDoubleArray().All(double.IsFinite))
                throw new CliException($"{file}: parameter '{name}' holds NaN or infinite values", 1);
    }
}
