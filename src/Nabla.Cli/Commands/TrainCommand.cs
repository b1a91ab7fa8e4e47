using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Nabla.Data;
using Nabla.Data.Augmentation;
using Nabla.Diagnostics;
using Nabla.Losses;
using Nabla.Models;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Cli.Commands;

/// <summary>`nabla train`: trains a model and writes a run folder (checkpoints, history, charts, summary).</summary>
internal static class TrainCommand
{
    public const string Help = """
        usage: nabla train [options]

          --model NAME|FILE      mlp, lenet, cnn, resnet, lstm, bncnn, or a JSON architecture file (see the README);
                                 default: lenet for images, mlp for CSV data. The recipes mnist-best and
                                 fashion-best (bncnn with tuned settings) also set the dataset, epochs,
                                 batch size, optimizer, learning rate, schedule, weight decay, dropout, label
                                 smoothing and augmentation; a flag given overrides the recipe's value
          --dataset D            mnist (default, bundled), fashion-mnist, a folder of IDX files, a folder of images
                                 (one subfolder per class, PNG or PGM; or train/ and test/ holding such subfolders),
                                 or a CSV file
          --label COLUMN         label column of a CSV dataset (name or index; default: last)
          --image-size HxW       size images of an image folder are resized to (default 28x28)
          --channels 1|3         gray or colour input for an image folder (default: 3 if any image is in colour)
          --epochs N             epochs to train in all, counting those of a resumed run (default 5)
          --batch-size N         mini-batch size (default 64)
          --optimizer NAME       sgd, momentum, nesterov, adagrad, rmsprop, rmsprop-nesterov, adadelta, adam (default), adamw
          --lr RATE              learning rate (default 0.001)
          --schedule NAME        constant (default), step, exponential, linear, inverse-sqrt, inverse-time, cosine, warmup-cosine
          --weight-decay L       L2 weight decay (decoupled for adamw), biases excluded (default 0: none)
          --dropout P            dropout rate (mlp and cnn; other models have no dropout)
          --widths A,B,C,D       channels of the four convolutions of bncnn and the recipes (default 16,32,32,64)
          --label-smoothing E    train against targets (1 - E) one-hot + E/K (default 0; recipes set their own)
          --augment              random shifts and rotations of training images (always on for a recipe)
          --erase P              also erase a random rectangle of a training image with probability P (random
                                 erasing; recipes set their own, default 0)
          --validation-split F   hold out this fraction of the training set for validation (default: validate on the test set)
          --early-stopping N     stop after N epochs without validation improvement, restoring the best weights
          --seed N               seed of initialization, shuffling, dropout and augmentation (default 1)
          --threads N            kernel threads (default: all cores)
          --limit N              train on the first N training examples only (quick runs; the test set stays whole)
          --out DIR              run folder (default runs/<model>-<dataset>-<timestamp>); it must not hold a run yet
          --force                replace the run already in --out
          --resume DIR           continue an interrupted run from its last checkpoint (after a crash, a kill,
                                 or Ctrl-C/SIGTERM, which stop after the current batch with exit code 130/143),
                                 or train a finished run for more epochs (--epochs N)
          --json                 end with one JSON line of results (progress goes to standard error)
          --distributed          data-parallel training on Open MPI: one rank per process, each training its share
                                 of every --batch-size batch (automatic under 'mpirun -np N nabla train ...';
                                 --threads then applies per rank and defaults to the cores shared by the local ranks)

        A run is written into DIR.partial and becomes DIR when training has finished; DIR.lock keeps a second
        'nabla train' out of it meanwhile. A run whose loss becomes NaN or infinite stops and saves no model.
        """;

    private static readonly HashSet<string> Switches = ["augment", "json", "force", "distributed"];

    public static int Run(string[] argv)
    {
        var a = new Arguments(argv, Switches);
        if (a.Positional.Count > 0) throw new CliException($"train: unexpected argument '{a.Positional[0]}'");
        bool json = a.Flag("json");
        bool distributed = DistributedRun.Wanted(a.Flag("distributed"));
        string? resume = a.String("resume");
        if (resume is not null)
        {
            int? epochs = a.Has("epochs") ? a.Int("epochs", 1, 1, 100_000) : null;
            int? threads = a.Has("threads") ? a.Int("threads", 1, 1, 256) : null;
            a.EnsureAllUsed("train");
            var job = distributed ? DistributedRun.Start() : null;
            using var ws = job is null || job.IsRoot ? RunWorkspace.ForResume(resume) : null;
            RunConfig? config = null;
            if (ws is not null)
            {
                if (!File.Exists(Path.Combine(ws.Work, "run.json")))
                    throw new CliException($"--resume: {ws.Work} has no run.json (the run stopped before training began); start it again with 'nabla train --out {ws.Target} --force'");
                config = RunConfig.Load(ws.Source);
                if (epochs is int e) config = config with { Epochs = e };
            }
            if (job is not null) config = RunConfig.Parse(job.Broadcast(config?.ToJson()), "run.json of rank 0");
            if (threads is int t) config = config! with { Threads = t };
            else if (job is not null) config = config! with { Threads = DistributedRun.DefaultThreads(true) };
            return Train(config!, ws, job, resumed: true, json, config!.Architecture is null ? $"--model {config.Model}" : $"{resume}/run.json: architecture");
        }
        string? modelName = a.String("model");
        var recipe = modelName is null ? null : TrainingRecipe.Find(modelName);
        string dataset = a.String("dataset", recipe?.Dataset ?? "mnist");
        bool csv = dataset.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
        string model = recipe?.Name ?? modelName ?? (csv ? "mlp" : "lenet");
        string? architecture = null;
        if (model.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(model)) throw new CliException($"--model: architecture file '{model}' not found");
            architecture = File.ReadAllText(model);
            ModelFactory.CheckArchitecture(architecture, model); // validate early, with the file name in errors
        }
        else ModelFactory.CheckName(model);
        var config0 = new RunConfig
        {
            Model = architecture is null ? model : "custom",
            Architecture = architecture,
            Dataset = DatasetLoader.Canonical(dataset),
            Label = a.String("label"),
            ImageSize = a.Has("image-size") ? DatasetLoader.ParseImageSize(a.String("image-size")!) : null,
            Channels = a.Has("channels") ? a.Int("channels", 1, 1, 3) : null,
            Epochs = a.Int("epochs", recipe?.Epochs ?? 5, 1, 100_000),
            BatchSize = a.Int("batch-size", recipe?.BatchSize ?? 64, 1, 1 << 20),
            Optimizer = a.String("optimizer", recipe?.Optimizer ?? "adam"),
            LearningRate = a.Double("lr", recipe?.LearningRate ?? 1e-3, 0, 10, exclusiveMin: true),
            Schedule = a.String("schedule", recipe?.Schedule ?? "constant"),
            WeightDecay = a.Double("weight-decay", recipe?.WeightDecay ?? 0, 0, 1),
            Dropout = a.Has("dropout") ? a.Double("dropout", 0, 0, 0.95) : null,
            Widths = a.Has("widths") ? ModelFactory.ParseWidths(a.String("widths")!) : null,
            LabelSmoothing = a.Double("label-smoothing", recipe?.LabelSmoothing ?? 0, 0, 0.5),
            Augment = a.Flag("augment") || recipe is not null || a.Has("erase"),
            Erase = a.Has("erase") ? a.Double("erase", 0, 0, 1) : null,
            ValidationSplit = a.Double("validation-split", 0, 0, 0.9),
            EarlyStopping = a.Has("early-stopping") ? a.Int("early-stopping", 5, 0, 10_000) : null,
            Seed = (ulong)a.Int("seed", 1, 0),
            Threads = a.Int("threads", DistributedRun.DefaultThreads(distributed), 1, 256),
            Limit = a.Has("limit") ? a.Int("limit", 0, 1) : null,
        };
        if (config0.Channels is 2) throw new CliException("--channels: must be 1 (gray) or 3 (colour), got 2");
        bool force = a.Flag("force");
        string outDir = a.String("out") ?? Path.Combine("runs", $"{config0.Model}-{Path.GetFileNameWithoutExtension(config0.Dataset.TrimEnd('/'))}-{DateTime.Now:yyyyMMdd-HHmmss}");
        a.EnsureAllUsed("train");
        OptimizerFactory.CheckName(config0.Optimizer);
        OptimizerFactory.CheckSchedule(config0.Schedule);
        ModelFactory.CheckDropout(config0);
        ModelFactory.CheckWidths(config0);
        var run = distributed ? DistributedRun.Start() : null;
        using var workspace = run is null || run.IsRoot ? RunWorkspace.ForNewRun(outDir, force) : null;
        return Train(config0, workspace, run, resumed: false, json, $"--model {model}");
    }

    /// <param name="modelSource">How errors name the model: "--model FILE" for a JSON architecture given on the command line.</param>
    /// <param name="ws">The run folder; null on ranks other than 0 of a distributed job, which write nothing.</param>
    private static int Train(RunConfig config, RunWorkspace? ws, DistributedRun? job, bool resumed, bool json, string modelSource)
    {
        bool root = ws is not null;   // rank 0 of a distributed job, or a process training alone
        var log = !root ? TextWriter.Null : json ? Console.Error : Console.Out;
        string outDir = ws?.Work ?? "";
        Threads.Max = config.Threads;
        Generator.ManualSeed(config.Seed);
        var data = DatasetLoader.Load(config, resumed ? config.Preprocessing : null);
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
        config = config with { InputShape = data.InputShape, ClassNames = data.ClassNames, Preprocessing = data.Preprocessing, DatasetKind = data.Kind };
        int classes = data.ClassNames.Length;
        var model = ModelFactory.Build(config, classes);
        ModelFactory.CheckFits(model, config, classes, modelSource);
        // A distributed epoch drops its last incomplete global batch (every rank takes equal shares of whole batches).
        long stepsPerEpoch = job is null ? (train.Count + config.BatchSize - 1) / config.BatchSize : train.Count / config.BatchSize;
        var optimizer = OptimizerFactory.Create(config.Optimizer, model.Parameters(), config.LearningRate, config.WeightDecay);
        var trainer = new Trainer(model, new CrossEntropy(labelSmoothing: config.LabelSmoothing), optimizer)
        {
            Schedule = OptimizerFactory.Schedule(config.Schedule, config.LearningRate, stepsPerEpoch * config.Epochs, config.Epochs),
            Synchronizer = job?.Synchronizer(config.BatchSize, train.Count),
        };
        IAugmentation? augmentation = null;
        if (config.Augment)
        {
            if (data.InputShape.Length != 3) throw new CliException("--augment: augmentation needs image data [C,H,W]");
            // A recipe's own augmentation (flips for clothes, none for digits); otherwise shifts of ±2 pixels and rotations
            // of ±10°; --erase adds or overrides random erasing.
            var recipe = TrainingRecipe.Find(config.Model) ?? TrainingRecipe.MnistBest with { Name = config.Model, MaxShift = 2, MaxDegrees = 10, HorizontalFlip = false, EraseProbability = 0 };
            augmentation = (recipe with { EraseProbability = config.Erase ?? recipe.EraseProbability }).Augmentation(config.Seed);
        }

        string architecture = ModelFactory.Architecture(config, classes);
        var checkpoint = new ModelCheckpoint(outDir, validationIsTest ? "loss" : "val_loss", metadata: () => new Dictionary<string, string>
        {
            ["nabla.architecture"] = architecture,
        });
        var nanGuard = new TerminateOnNaN();
        trainer.Callbacks.Add(nanGuard);
        if (config.EarlyStopping is int patience) trainer.Callbacks.Add(new EarlyStopping("val_loss", patience));
        if (ws is null)
        {
            // Another rank: the same training, nothing written. What rank 0 restores on a resume it also sends here.
            if (resumed) job!.ReceiveCheckpoint(trainer);
            return DistributedRun.RunWorker(() => trainer.Fit(train, config.Epochs - trainer.History.Epochs.Count, config.BatchSize, validation, shuffle: true, seed: config.Seed, augmentation: augmentation));
        }
        trainer.Callbacks.Add(new ProgressReporter(log, ProgressReporter.IsInteractive(log), validationIsTest));
        trainer.Callbacks.Add(new CsvLogger(Path.Combine(outDir, "history.csv")));
        trainer.Callbacks.Add(checkpoint);

        if (resumed && config.ImportedFrom is not null && !File.Exists(checkpoint.LastPath))
        {
            // A run made by `nabla import`: no epoch yet; training starts from the imported weights.
            IO.Checkpoint.Load(RunFolder.ModelPath(outDir), model);
            log.WriteLine($"training {ws.Target} from the weights imported from {Path.GetFileName(config.ImportedFrom)}, {config.Epochs} epochs");
        }
        else if (resumed)
        {
            if (!File.Exists(checkpoint.LastPath))
                throw new CliException($"--resume: {ws.Target} has no checkpoint yet (the run stopped in its first epoch); start it again with 'nabla train --out {ws.Target} --force'");
            // One state protocol: the trainer restores optimizer, schedule, loader, augmentation and generators itself.
            TrainingCheckpoint.Restore(checkpoint.LastPath, trainer);
            int done = trainer.History.Epochs.Count;
            if (config.Epochs <= done)
                throw new CliException($"--epochs {config.Epochs}: {ws.Target} has already trained {done} epoch{(done == 1 ? "" : "s")}; give a larger --epochs to train it further");
            // The work folder is worth keeping once this run writes a checkpoint of its own (KeepWorkspace below): until
            // then a failure leaves the run as it was (a finished run's copy in DIR.partial is removed).
            log.WriteLine($"resuming {ws.Target} after epoch {done} of {config.Epochs}");
        }
        else log.WriteLine($"training {config.Model} on {data.Name}: {train.Count} examples, {model.ParameterCount():N0} parameters, {config.Threads} threads{job?.Describe(config.BatchSize)} -> {ws.Target}");
        if (resumed) job?.SendCheckpoint(checkpoint.LastPath);
        IO.AtomicFile.WriteAllText(Path.Combine(outDir, "run.json"), config.ToJson());
        trainer.Callbacks.Add(new KeepWorkspace(ws));

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
            history = trainer.Fit(train, config.Epochs - trainer.History.Epochs.Count, config.BatchSize, validation, shuffle: true, seed: config.Seed, augmentation: augmentation, cancellationToken: cts.Token);
        if (history.Cancelled) // a signal after the last batch lets the run finish and write its results
        {
            Console.Error.WriteLine(ws.KeepOnFailure && File.Exists(checkpoint.LastPath)
                ? $"interrupted ({history.StopReason}); {checkpoint.LastPath} holds epoch {history.Epochs.Count}: continue with  nabla train --resume {ws.Target}"
                : resumed ? $"interrupted ({history.StopReason}) before an epoch ended; {ws.Target} is as it was: continue with  nabla train --resume {ws.Target}"
                : $"interrupted ({history.StopReason}) before the first epoch ended: nothing to resume");
            return exitCode;
        }
        if (nanGuard.Fault is not null)
        {
            ws.Discard();
            throw new CliException(string.Create(CultureInfo.InvariantCulture,
                $"training diverged ({history.StopReason}); no model was saved. Try a smaller --lr (it was {config.LearningRate:G4})"), exitCode: 1);
        }
        double trainSeconds = history.Epochs.Sum(e => e.Seconds);
        if (history.StopReason is not null) log.WriteLine(history.StopReason);

        var test = trainer.Evaluate(data.Test);
        if (!double.IsFinite(test.Loss))
        {
            ws.Discard();
            throw new CliException($"the trained model gives a non-finite test loss ({test.Loss}); no model was saved. Try a smaller --lr", exitCode: 1);
        }
        RunFolder.WriteResults(outDir, trainer, test, config, architecture, validationIsTest);
        ws.Commit();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test accuracy {test.Accuracy:F4}  test loss {test.Loss:F4}  ({trainSeconds:F1} s training)  -> {ws.Target}"));
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
                ["out"] = Path.GetFullPath(ws.Target),
            }));
        }
        return 0;
    }

    /// <summary>Marks the work folder worth keeping (for --resume) once an epoch checkpoint exists.</summary>
    private sealed class KeepWorkspace(RunWorkspace ws) : Callback
    {
        public override void OnEpochEnd(TrainingContext context, EpochRecord record) => ws.KeepOnFailure = true;
    }
}
