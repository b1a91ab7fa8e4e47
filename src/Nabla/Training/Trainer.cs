using System.Diagnostics;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Data.Augmentation;
using Nabla.Errors;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>
/// The high-level loop of the lectures' recipe (prepare data, build the model, define the loss, optimize, test):
/// <see cref="Fit"/> trains for some epochs of mini-batches with callbacks and returns the <see cref="History"/>,
/// <see cref="Evaluate"/> measures loss and accuracy, <see cref="Predict"/> gives probabilities and classes.
/// Training and evaluation modes are switched automatically.
/// </summary>
/// <remarks>
/// Each step is the low-level loop anyone can write by hand:
/// <code>
/// foreach (var batch in loader)
/// {
///     var loss = lossFn.Forward(model.Forward(batch.Features), labels);
///     optimizer.ZeroGrad(setToNone: false);
///     loss.Backward();
///     optimizer.Step();
/// }
/// </code>
/// with each step inside a <see cref="TensorArena"/> scope unless <see cref="RecycleStepMemory"/> is off.
/// </remarks>
public sealed class Trainer : IStateful
{
    /// <summary>Creates a trainer for a model, its loss and its optimizer.</summary>
    public Trainer(Module model, Loss loss, Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        Model = model;
        Loss = loss;
        Optimizer = optimizer;
        OutputActivation = loss.OutputActivation;
    }

    /// <summary>The model.</summary>
    public Module Model { get; }

    /// <summary>The loss minimized.</summary>
    public Loss Loss { get; }

    /// <summary>The optimizer.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>A learning-rate schedule stepped per epoch or per step (its <see cref="LearningRateSchedule.Interval"/>); attached to the optimizer by the trainer.</summary>
    public LearningRateSchedule? Schedule { get; set; }

    /// <summary>How predictions become probabilities; the loss's <see cref="Loss.OutputActivation"/> (softmax for cross-entropy on logits) unless set.</summary>
    public OutputActivation OutputActivation { get; set; }

    /// <summary>
    /// Data-parallel training (null: this trainer works alone): the loader yields only the synchronizer's
    /// <see cref="IGradientSynchronizer.Shard"/> of every batch, gradients are averaged over all workers before each
    /// step, and the loss and accuracy of batches and epochs are those of the whole batch across workers.
    /// </summary>
    public IGradientSynchronizer? Synchronizer { get; set; }

    /// <summary>The callbacks, run in order.</summary>
    public List<Callback> Callbacks { get; } = [];

    /// <summary>Clip gradients to this global norm before each step (null: no clipping), by <see cref="GradientClipping.ClipByGlobalNorm"/> (PyTorch's rule, max/(‖g‖ + 10⁻⁶)).</summary>
    public double? ClipGradientNorm { get; set; }

    /// <summary>The order p of the norm <see cref="ClipGradientNorm"/> limits: 2 (the default, L2), any p &gt; 0, or <see cref="double.PositiveInfinity"/> for the largest magnitude.</summary>
    public double ClipGradientNormType { get; set; } = 2;

    /// <summary>
    /// Batch size used by <see cref="Evaluate"/> and <see cref="Predict"/> (at least 1; default 256). It bounds the
    /// memory evaluation needs for activations (a 32c3-64c3 CNN holds about 150 MB of them at 256 rows), not the result.
    /// </summary>
    public int EvaluationBatchSize
    {
        get => _evaluationBatchSize;
        set => _evaluationBatchSize = value >= 1 ? value
            : throw new ValueException($"Trainer.EvaluationBatchSize: must be at least 1, got {value}");
    }
    private int _evaluationBatchSize = 256;

    /// <summary>The loader of the current (or last) <see cref="Fit"/>; its generator state belongs in a resumable checkpoint.</summary>
    public DataLoader? Loader { get; private set; }

    /// <summary>Optimizer steps taken: the optimizer's <see cref="Optimizer.StepCount"/>, the one step counter of a run (restored on resume).</summary>
    public long Step => Optimizer.StepCount;

    /// <summary>The history of all epochs trained so far by this trainer (also across resumes).</summary>
    public History History { get; private set; } = new();

    private StateDict? _pendingLoaderState;
    private (ulong? Seed, bool Shuffle, IAugmentation? Augmentation) _loaderOptions;
    private readonly TensorArena _arena = new();

    /// <summary>
    /// Recycle the memory of each training step (true by default): the tensors a step creates — activations, gradients
    /// of intermediate results — live in a <see cref="TensorArena"/> and their storage is reused by the next step, so
    /// a steady-state epoch allocates almost nothing and never triggers a full garbage collection. Parameter
    /// gradients are kept in place between steps (<see cref="Optimizer.ZeroGrad(bool)"/> with setToNone false).
    /// A custom module that keeps a tensor from one step to the next must call <see cref="Tensor.Keep"/> on it;
    /// using a recycled tensor throws instead of reading stale data. Set false to allocate every step afresh.
    /// </summary>
    public bool RecycleStepMemory { get; set; } = true;

    /// <summary>
    /// Trains <paramref name="epochs"/> more epochs: epochs are numbered on from those already in <see cref="History"/>
    /// (a second call, or a run resumed from a checkpoint, continues the count). Validation data is evaluated after
    /// every epoch when given.
    /// </summary>
    /// <param name="train">Training examples.</param>
    /// <param name="epochs">The number of epochs to train in this call.</param>
    /// <param name="batchSize">Mini-batch size; use the dataset size for full-batch gradient descent, 1 for per-example SGD.</param>
    /// <param name="validation">Validation examples (or null).</param>
    /// <param name="shuffle">Shuffle every epoch.</param>
    /// <param name="seed">
    /// Seed of the shuffling generator; null (default) spawns it from <see cref="Generator.Default"/>. A later call with
    /// the same data, batch size, shuffle, seed and augmentation continues the same loader (its order stream goes on);
    /// any difference makes a new one.
    /// </param>
    /// <param name="augmentation">Applied to every training batch.</param>
    /// <param name="cancellationToken">
    /// Stops training after the batch in progress (Ctrl-C in a console app, a Cancel button): the weights stay those of
    /// the last completed step, the unfinished epoch gets no record and no epoch-end callbacks (so no checkpoint is
    /// written for it), <see cref="History.Cancelled"/> is set and <see cref="History.StopReason"/> says where, and <c>OnTrainEnd</c> still runs. Nothing is
    /// thrown: the history so far is returned.
    /// </param>
    /// <remarks>
    /// Inputs are checked once per call, not per batch: a NaN or ±∞ anywhere in the training or validation features or
    /// targets raises a <see cref="ValueException"/> naming its row and column (see <see cref="TensorDataset.EnsureFinite"/>);
    /// labels outside the model's classes are reported by the loss, naming the label and its row in the batch.
    /// Layers themselves pass NaN through unchanged, so a model fed NaN by <see cref="Predict"/> answers NaN.
    /// </remarks>
    /// <exception cref="ValueException">epochs or batch size below 1, an empty data set, or non-finite data.</exception>
    public History Fit(TensorDataset train, int epochs, int batchSize = 32, TensorDataset? validation = null,
        bool shuffle = true, ulong? seed = null, IAugmentation? augmentation = null, CancellationToken cancellationToken = default)
    {
        if (epochs < 1) throw new ValueException($"Fit: epochs must be at least 1, got {epochs}");
        if (batchSize < 1) throw new ValueException($"Fit: batch size must be at least 1, got {batchSize}");
        if (train.Count == 0) throw new ValueException("Fit: the training set is empty");
        if (validation is { Count: 0 }) throw new ValueException("Fit: the validation set is empty");
        train.EnsureFinite("Fit: training set");
        validation?.EnsureFinite("Fit: validation set");
        var options = (seed, shuffle, augmentation);
        var shard = Synchronizer?.Shard ?? DataShard.Whole;
        if (Loader is null || Loader.Dataset != train || Loader.BatchSize != batchSize || Loader.Shard != shard || _loaderOptions.Shuffle != shuffle
            || _loaderOptions.Augmentation != augmentation || (seed is not null && _loaderOptions.Seed != seed))
        {
            Loader = new DataLoader(train, batchSize, shuffle, dropLast: false, seed, augmentation: augmentation, shard: shard);
            _loaderOptions = options;
        }
        if (_pendingLoaderState is not null)
        {
            Loader.LoadStateDict(_pendingLoaderState);
            _pendingLoaderState = null;
        }
        if (Schedule is not null && Schedule.Optimizer != Optimizer) Schedule.Attach(Optimizer);
        Synchronizer?.Attach(this, train);
        try { return FitEpochs(epochs, validation, cancellationToken); }
        finally { Synchronizer?.Detach(); }
    }

    private History FitEpochs(int epochs, TensorDataset? validation, CancellationToken cancellationToken)
    {
        History.StopReason = null;
        History.Cancelled = false;
        int last = History.Epochs.Count + epochs;
        var ctx = new TrainingContext(this, History, last);
        foreach (var c in Callbacks) c.OnTrainBegin(ctx);
        for (int epoch = History.Epochs.Count + 1; epoch <= last && !ctx.StopTraining; epoch++)
        {
            if (Cancelled(ctx, cancellationToken, epoch, inEpoch: false)) break;
            ctx.Epoch = epoch;
            foreach (var c in Callbacks) c.OnEpochBegin(ctx, epoch);
            if (ctx.StopTraining) break; // stopped before the epoch began: it does not run
            var record = RunEpoch(ctx, epoch, validation, cancellationToken);
            if (record is null) break; // a batch callback stopped training mid-epoch (e.g. the NaN guard): no record, no epoch-end hooks
            History.Add(record);
            if (Schedule is { Interval: ScheduleInterval.Epoch }) Schedule.Step();
            foreach (var c in Callbacks) c.OnEpochEnd(ctx, record);
        }
        if (ctx.StopTraining) History.StopReason = ctx.StopReason;
        foreach (var c in Callbacks) c.OnTrainEnd(ctx);
        return History;
    }

    private bool Cancelled(TrainingContext ctx, CancellationToken token, int epoch, bool inEpoch)
    {
        if (!token.IsCancellationRequested) return false;
        ctx.StopTraining = true;
        ctx.StopReason ??= inEpoch ? $"cancelled in epoch {epoch}, step {Step}" : $"cancelled after epoch {epoch - 1}, step {Step}";
        History.Cancelled = true;
        return true;
    }

    private EpochRecord? RunEpoch(TrainingContext ctx, int epoch, TensorDataset? validation, CancellationToken cancellationToken)
    {
        Model.Train();
        var sw = Stopwatch.StartNew();
        double lossSum = 0;
        long correct = 0, seen = 0, counted = 0;
        int index = 0, batches = Loader!.BatchesPerEpoch;
        double lr = Optimizer.LearningRate;
        foreach (var batch in Loader)
        {
            double lossValue;
            long? ok;
            using (RecycleStepMemory ? _arena.Enter() : default)
            {
                var output = Model.Forward(batch.Features);
                var loss = ComputeLoss(output, batch);
                lossValue = loss.Item();
                Optimizer.ZeroGrad(setToNone: false);
                Synchronizer?.BeforeBackward();
                loss.Backward();
                Synchronizer?.AfterBackward();
                if (ClipGradientNorm is double max) GradientClipping.ClipByGlobalNorm(Optimizer.Parameters(), max, ClipGradientNormType);
                lr = Optimizer.LearningRate;
                Optimizer.Step();
                ok = batch.Labels is null ? null : CountCorrect(output, batch.Labels);
            }
            if (Schedule is { Interval: ScheduleInterval.Step }) Schedule.Step();
            int n = batch.Count;
            if (Synchronizer is { } sync) (lossValue, ok, n) = WholeBatch(sync, lossValue, ok, n);
            lossSum += lossValue * n;
            seen += n;
            if (ok is long k) { correct += k; counted += n; }
            double rate = seen / Math.Max(sw.Elapsed.TotalSeconds, 1e-9);
            var result = new BatchResult(epoch, index++, batches, n, lossValue, lossSum / seen, counted == 0 ? double.NaN : (double)correct / counted, rate);
            foreach (var c in Callbacks) c.OnBatchEnd(ctx, result);
            if (ctx.StopTraining || Cancelled(ctx, cancellationToken, epoch, inEpoch: true)) return null;
        }
        if (Synchronizer is not null) Synchronizer.OnEpochEnd(epoch);
        double seconds = sw.Elapsed.TotalSeconds;
        double trainLoss = lossSum / Math.Max(seen, 1), trainAcc = counted == 0 ? double.NaN : (double)correct / counted;
        double valLoss = double.NaN, valAcc = double.NaN;
        if (validation is not null)
        {
            var ev = Evaluate(validation);
            valLoss = ev.Loss;
            valAcc = ev.Accuracy;
        }
        return new EpochRecord(epoch, trainLoss, trainAcc, valLoss, valAcc, lr, seconds, seen / Math.Max(seconds, 1e-9));
    }

    /// <summary>A data-parallel step's mean loss, correct count and rows over all workers (equal shares: the mean of the means).</summary>
    private static (double Loss, long? Correct, int Rows) WholeBatch(IGradientSynchronizer sync, double loss, long? correct, int rows)
    {
        Span<double> v = [loss * rows, correct ?? 0, rows];
        sync.AllReduceSum(v);
        return (v[0] / v[2], correct is null ? null : (long)v[1], (int)v[2]);
    }

    private Tensor ComputeLoss(Tensor output, Batch batch)
    {
        if (batch.Targets is { } targets) return Loss.Forward(output, targets);
        if (batch.Labels is null) throw new ValueException("Fit: the dataset has neither labels nor targets");
        return Loss.Forward(output, batch.Labels);
    }

    private long? CountCorrect(Tensor output, int[] labels)
    {
        if (output.Rank != 2) return null;
        var predicted = ModelEvaluation.Classes(output, Loss.DecisionThreshold);
        long ok = 0;
        for (int i = 0; i < labels.Length; i++) if (predicted[i] == labels[i]) ok++;
        return ok;
    }

    /// <summary>Mean loss over the dataset, accuracy and confusion matrix (for labeled data): <see cref="ModelEvaluation.Evaluate"/> with this trainer's loss and <see cref="EvaluationBatchSize"/>.</summary>
    public Evaluation Evaluate(TensorDataset data) => Model.Evaluate(data, Loss, EvaluationBatchSize);

    /// <summary>Probabilities and classes: <see cref="ModelEvaluation.Predict(Module, Tensor, Loss, int)"/> with <see cref="OutputActivation"/> and <see cref="EvaluationBatchSize"/>.</summary>
    public Prediction Predict(Tensor features) => Model.Predict(features, OutputActivation, EvaluationBatchSize, Loss.DecisionThreshold);

    /// <summary>
    /// The state of a training run, everything a resume needs besides the weights: <c>optimizer.*</c> (with the one
    /// step counter), <c>schedule.*</c>, <c>loader.*</c> (shuffling and augmentation generators), <c>callbacks.{i}.*</c>
    /// for callbacks that have state (<see cref="IStateful"/>, e.g. <see cref="ReduceOnPlateau"/>), the generators the
    /// model's layers own (<c>generator/{name}</c>), <see cref="Generator.Default"/> (<c>default_generator.words</c>)
    /// and the <c>history</c>.
    /// </summary>
    public StateDict StateDict()
    {
        var state = new StateDict().Add("optimizer", Optimizer.StateDict()).Set("history", History.ToCsv())
            .Add("default_generator", Generator.Default.StateDict());
        if (Schedule is not null) state.Add("schedule", Schedule.StateDict());
        if (_pendingLoaderState is not null) state.Add("loader", _pendingLoaderState);
        else if (Loader is not null) state.Add("loader", Loader.StateDict());
        foreach (var (name, g) in Model.NamedGenerators()) state.Set($"generator/{name}", g.GetState());
        for (int i = 0; i < Callbacks.Count; i++)
            if (Callbacks[i] is IStateful c) state.Add($"callbacks.{i}", c.StateDict());
        return state;
    }

    /// <summary>
    /// Restores a state from <see cref="StateDict"/> into this trainer (same model, optimizer type, schedule and stateful
    /// callbacks). Every part is checked before anything changes: on an error everything is left as it was. The
    /// loader's part is applied at the next <see cref="Fit"/>, which creates the loader.
    /// </summary>
    public void LoadStateDict(StateDict state)
    {
        ArgumentNullException.ThrowIfNull(state);
        // Parse what has no side effects first.
        History history;
        try { history = History.FromCsv(state.GetString("history")); }
        catch (Exception e) when (e is FormatException or ArgumentException) { throw new ValueException($"Trainer: the state's history is damaged ({e.Message})"); }
        if (state.HasSub("schedule") && Schedule is null)
            throw new ValueException($"Trainer: the state has a learning-rate schedule ({state.GetString("schedule.type")}) but the trainer has none");
        var generators = Model.NamedGenerators().ToList();
        var generatorStates = new List<(Generator Target, ulong[] Words)>();
        foreach (var (name, g) in generators)
            if (state.Values.ContainsKey($"generator/{name}")) generatorStates.Add((g, CheckWords(state.GetWords($"generator/{name}"), $"generator/{name}")));
        var defaultWords = CheckWords(state.GetWords("default_generator.words"), "default_generator.words");
        StateDict? loader = state.HasSub("loader") ? state.Sub("loader") : null;
        if (loader is not null) { state.Sub("loader").GetLong("epoch"); CheckWords(loader.GetWords("generator.words"), "loader.generator.words"); }

        // Components that validate themselves: back each up, load in turn, and on a failure put back those already loaded.
        var parts = new List<(IStateful Part, StateDict State)> { (Optimizer, state.Sub("optimizer")) };
        if (Schedule is not null && state.HasSub("schedule")) parts.Add((Schedule, state.Sub("schedule")));
        for (int i = 0; i < Callbacks.Count; i++)
            if (Callbacks[i] is IStateful c && state.HasSub($"callbacks.{i}")) parts.Add((c, state.Sub($"callbacks.{i}")));
        var backups = parts.Select(p => p.Part.StateDict()).ToList();
        int loaded = 0;
        try
        {
            foreach (var (part, s) in parts) { part.LoadStateDict(s); loaded++; }
        }
        catch
        {
            for (int i = loaded - 1; i >= 0; i--) parts[i].Part.LoadStateDict(backups[i]);
            throw;
        }
        // Nothing below can fail.
        foreach (var (g, words) in generatorStates) g.SetState(words);
        Generator.Default.SetState(defaultWords);
        _pendingLoaderState = loader;
        History = history;
    }

    private static ulong[] CheckWords(ulong[] words, string key)
    {
        try { new Generator(1).SetState(words); }
        catch (ValueException e) { throw new ValueException($"Trainer: state '{key}' is not a generator state ({e.Message})"); }
        return words;
    }
}
