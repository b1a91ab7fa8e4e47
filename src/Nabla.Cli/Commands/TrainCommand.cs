using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Nabla.Data;
using Nabla.Data.Augmentation;
using Nabla.Diagnostics;
using Nabla.Kernels;
using Nabla.Losses;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Cli.Commands;

/// <summary>`nabla train`: trains a model and writes a run folder (checkpoints, history, charts, summary).</summary>
internal static class TrainCommand
{
    public const string Help = """
        usage: nabla train [options]

          --model NAME|FILE      mlp, lenet (default), cnn, resnet, lstm, or a JSON architecture file
          --dataset D            mnist (default, bundled), fashion-mnist, a folder of IDX files, or a CSV file
          --label COLUMN         label column of a CSV dataset (name or index; default: last)
          --epochs N             epochs to train (default 5)
          --batch-size N         mini-batch size (default 64)
          --optimizer NAME       sgd, momentum, nesterov, adagrad, rmsprop, rmsprop-nesterov, adadelta, adam (default), adamw
          --lr RATE              learning rate (default 0.001)
          --schedule NAME        constant (default), step, exponential, linear, inverse-sqrt, inverse-time, cosine, warmup-cosine
          --weight-decay L       L2 weight decay (decoupled for adamw), biases excluded
          --dropout P            dropout rate of models that have dropout
          --augment              random shifts and rotations of training images
          --validation-split F   hold out this fraction of the training set for validation (default: validate on the test set)
          --early-stopping N     stop after N epochs without validation improvement, restoring the best weights
          --seed N               seed of initialization, shuffling, dropout and augmentation (default 1)
          --threads N            kernel threads (default: all cores)
          --limit N              use only the first N training examples (quick runs)
          --out DIR              run folder (default runs/<model>-<dataset>-<timestamp>)
          --resume DIR           continue an interrupted run from its last checkpoint (after a crash, a kill,
                                 or Ctrl-C/SIGTERM, which stop after the current batch with exit code 130/143)
          --json                 end with one JSON line of results (progress goes to standard error)
        """;

    private static readonly HashSet<string> Switches = ["augment", "json"];

    public static int Run(string[] argv)
    {
        var a = new Arguments(argv, Switches);
        if (a.Positional.Count > 0) throw new CliException($"train: unexpected argument '{a.Positional[0]}'");
        bool json = a.Flag("json");
        string? resume = a.String("resume");
        RunConfig config;
        string outDir;
        if (resume is not null)
        {
            config = RunConfig.Load(resume);
            config = config with { Epochs = a.Int("epochs", config.Epochs, 1, 100_000) };
            outDir = resume;
        }
        else
        {
            string model = a.String("model", "lenet");
            string? architecture = null;
            if (model.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                if (!File.Exists(model)) throw new CliException($"--model: architecture file '{model}' not found");
                architecture = File.ReadAllText(model);
                ModelFactory.ParseArchitecture(architecture, model); // validate early, with the file name in errors
            }
            else ModelFactory.CheckName(model);
            config = new RunConfig
            {
                Model = architecture is null ? model : "custom",
                Architecture = architecture,
                Dataset = a.String("dataset", "mnist"),
                Label = a.String("label"),
                Epochs = a.Int("epochs", 5, 1, 100_000),
                BatchSize = a.Int("batch-size", 64, 1, 1 << 20),
                Optimizer = a.String("optimizer", "adam"),
                LearningRate = a.Double("lr", 1e-3, 0, 10, exclusiveMin: true),
                Schedule = a.String("schedule", "constant"),
                WeightDecay = a.Double("weight-decay", 0, 0, 1),
                Dropout = a.Has("dropout") ? a.Double("dropout", 0, 0, 0.95) : null,
                Augment = a.Flag("augment"),
                ValidationSplit = a.Double("validation-split", 0, 0, 0.9),
                EarlyStopping = a.Has("early-stopping") ? a.Int("early-stopping", 5, 0, 10_000) : null,
                Seed = (ulong)a.Int("seed", 1, 0),
                Threads = a.Int("threads", Environment.ProcessorCount, 1, 256),
                Limit = a.Has("limit") ? a.Int("limit", 0, 1) : null,
            };
            outDir = a.String("out") ?? Path.Combine("runs", $"{config.Model}-{Path.GetFileNameWithoutExtension(config.Dataset)}-{DateTime.Now:yyyyMMdd-HHmmss}");
        }
        a.EnsureAllUsed("train");
        return Train(config, outDir, resume is not null, json);
    }

    private static int Train(RunConfig config, string outDir, bool resume, bool json)
    {
        var log = json ? Console.Error : Console.Out;
        Parallelism.MaxThreads = config.Threads;
        Generator.ManualSeed(config.Seed);
        var data = DatasetLoader.Load(config.Dataset, config.Label, config.Seed, config.Limit, resume ? config.Preprocessing : null);
        var train = data.Train;
        TensorDataset validation = data.Test;
        bool validationIsTest = true;
        if (config.ValidationSplit > 0)
        {
            var (tr, val) = Split.TrainTest(train, config.ValidationSplit, config.Seed, stratified: true);
            train = tr;
            validation = val;
            validationIsTest = false;
        }
        config = config with { InputShape = data.InputShape, ClassNames = data.ClassNames, Preprocessing = data.Preprocessing };
        int classes = Math.Max(data.ClassNames.Length, train.NumClasses);
        var model = ModelFactory.Build(config, classes);
        long stepsPerEpoch = (train.Count + config.BatchSize - 1) / config.BatchSize;
        var optimizer = OptimizerFactory.Create(config.Optimizer, model.Parameters(), config.LearningRate, config.WeightDecay);
        var trainer = new Trainer(model, new CrossEntropy(), optimizer)
        {
            Schedule = OptimizerFactory.Schedule(config.Schedule, config.LearningRate, stepsPerEpoch * config.Epochs, config.Epochs),
        };
        IAugmentation? augmentation = null;
        ImageAugmentation[] augmenters = [];
        if (config.Augment)
        {
            if (data.InputShape.Length != 3) throw new CliException("--augment: augmentation needs image data [C,H,W]");
            augmenters = [new RandomShift(2, config.Seed + 101), new RandomRotation(10, config.Seed + 102)];
            augmentation = new AugmentationPipeline(augmenters);
        }

        Directory.CreateDirectory(outDir);
        if (!resume) IO.AtomicFile.WriteAllText(Path.Combine(outDir, "run.json"), config.ToJson());
        string architecture = ModelFactory.Architecture(config, classes);
        var checkpoint = new ModelCheckpoint(outDir, validationIsTest ? "loss" : "val_loss", metadata: () => new Dictionary<string, string>
        {
            ["nabla.architecture"] = architecture,
            ["nabla.augmentation"] = string.Join(';', augmenters.Select(g => string.Join(',', g.Generator.GetState()))),
        });
        trainer.Callbacks.Add(new TerminateOnNaN());
        if (config.EarlyStopping is int patience) trainer.Callbacks.Add(new EarlyStopping("val_loss", patience));
        trainer.Callbacks.Add(new ProgressReporter(log, ProgressReporter.IsInteractive(log), validationIsTest));
        trainer.Callbacks.Add(new CsvLogger(Path.Combine(outDir, "history.csv")));
        trainer.Callbacks.Add(checkpoint);

        if (resume)
        {
            if (!File.Exists(checkpoint.LastPath)) throw new CliException($"--resume: {outDir} has no checkpoint yet (last.safetensors); start it again without --resume");
            var file = TrainingCheckpoint.Restore(checkpoint.LastPath, trainer);
            if (file.Metadata.TryGetValue("nabla.augmentation", out var states) && states.Length > 0)
            {
                var parts = states.Split(';');
                for (int i = 0; i < augmenters.Length && i < parts.Length; i++)
                    augmenters[i].Generator.SetState(parts[i].Split(',').Select(s => ulong.Parse(s, CultureInfo.InvariantCulture)).ToArray());
            }
            log.WriteLine($"resuming {outDir} after epoch {trainer.History.Epochs.Count} of {config.Epochs}");
        }
        else log.WriteLine($"training {config.Model} on {data.Name}: {train.Count} examples, {model.ParameterCount():N0} parameters, {config.Threads} threads -> {outDir}");

        var sw = Stopwatch.StartNew();
        // Ctrl-C (SIGINT) or SIGTERM: stop after the batch in progress; the last epoch checkpoint stays for --resume.
        // A second signal ends the process at once (the checkpoints are atomic either way).
        using var cts = new CancellationTokenSource();
        int exitCode = 0; // 128 + the signal's number, as shells report a process ended by it
        void OnSignal(PosixSignalContext c)
        {
            if (cts.IsCancellationRequested) return;
            c.Cancel = true;
            exitCode = c.Signal == PosixSignal.SIGTERM ? 143 : 130;
            // Written before the cancellation: once cancelled, the main thread may finish and exit before this thread writes.
            Console.Error.WriteLine($"{Environment.NewLine}{c.Signal}: stopping after this batch ({c.Signal} again to quit at once)");
            cts.Cancel();
        }
        History history;
        using (PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal))
        using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal))
            history = trainer.Fit(train, config.Epochs, config.BatchSize, validation, shuffle: true, seed: config.Seed, augmentation: augmentation, cancellationToken: cts.Token);
        if (history.Cancelled) // a signal after the last batch lets the run finish and write its results
        {
            Console.Error.WriteLine(File.Exists(checkpoint.LastPath)
                ? $"interrupted ({history.StopReason}); {checkpoint.LastPath} holds epoch {history.Epochs.Count}: continue with  nabla train --resume {outDir}"
                : $"interrupted ({history.StopReason}) before the first epoch ended: nothing to resume");
            return exitCode;
        }
        double trainSeconds = history.Epochs.Sum(e => e.Seconds);
        if (history.StopReason is not null) log.WriteLine(history.StopReason);

        var test = trainer.Evaluate(data.Test);
        RunFolder.WriteResults(outDir, trainer, test, config, architecture, validationIsTest);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test accuracy {test.Accuracy:F4}  test loss {test.Loss:F4}  ({trainSeconds:F1} s training)  -> {outDir}"));
        if (json)
        {
            double samples = history.Epochs.Sum(e => e.SamplesPerSecond * e.Seconds);
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["model"] = config.Model,
                ["dataset"] = data.Name,
                ["epochs"] = history.Epochs.Count,
                ["test_accuracy"] = test.Accuracy,
                ["test_loss"] = test.Loss,
                ["train_seconds"] = trainSeconds,
                ["samples_per_second"] = trainSeconds > 0 ? samples / trainSeconds : 0,
                ["out"] = Path.GetFullPath(outDir),
            }));
        }
        return double.IsFinite(test.Loss) ? 0 : 1;
    }
}
