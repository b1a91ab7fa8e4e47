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
public sealed class Trainer
{
    /// <summary>Creates a trainer for a model, its loss and its optimizer.</summary>
    public Trainer(Module model, Loss loss, Optimizer optimizer)
    {
        Model = model;
        Loss = loss;
        Optimizer = optimizer;
        OutputActivation = loss switch
        {
            CrossEntropy c => c.FromLogits ? OutputActivation.Softmax : OutputActivation.None,
            CategoricalCrossEntropy c => c.FromLogits ? OutputActivation.Softmax : OutputActivation.None,
            SparseCategoricalCrossEntropy s => s.FromLogits ? OutputActivation.Softmax : OutputActivation.None,
            BinaryCrossEntropy b => b.FromLogits ? OutputActivation.Sigmoid : OutputActivation.None,
            BinaryCrossEntropyWithLogits => OutputActivation.Sigmoid,
            _ => OutputActivation.None,
        };
    }

    /// <summary>The model.</summary>
    public Module Model { get; }

    /// <summary>The loss minimized.</summary>
    public Loss Loss { get; }

    /// <summary>The optimizer.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>A learning-rate schedule stepped per epoch or per step (its <see cref="LearningRateSchedule.Interval"/>); attached to the optimizer by the trainer.</summary>
    public LearningRateSchedule? Schedule { get; set; }

    /// <summary>How predictions become probabilities; chosen from the loss (softmax for cross-entropy on logits).</summary>
    public OutputActivation OutputActivation { get; set; }

    /// <summary>The callbacks, run in order.</summary>
    public List<Callback> Callbacks { get; } = [];

    /// <summary>Clip gradients to this global L2 norm before each step (null: no clipping).</summary>
    public double? ClipGradientNorm { get; set; }

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

    /// <summary>Optimizer steps taken by this trainer (kept across <see cref="Fit"/> calls and restored on resume).</summary>
    public long Step { get; set; }

    /// <summary>The history of all epochs trained so far by this trainer (also across resumes).</summary>
    public History History { get; private set; } = new();

    private ulong[]? _pendingLoaderState;
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

    /// <summary>Sets the shuffling generator's state for the next <see cref="Fit"/> (used when resuming).</summary>
    public void RestoreLoaderState(ulong[] state) => _pendingLoaderState = (ulong[])state.Clone();

    /// <summary>Replaces the history (used when resuming from a checkpoint).</summary>
    public void RestoreHistory(History history) => History = history;

    /// <summary>
    /// Trains until epoch <paramref name="epochs"/> (counting epochs already in <see cref="History"/>, so a resumed run
    /// continues where it stopped). Validation data is evaluated after every epoch when given.
    /// </summary>
    /// <param name="train">Training examples.</param>
    /// <param name="epochs">The last epoch to reach.</param>
    /// <param name="batchSize">Mini-batch size; use the dataset size for full-batch gradient descent, 1 for per-example SGD.</param>
    /// <param name="validation">Validation examples (or null).</param>
    /// <param name="shuffle">Shuffle every epoch.</param>
    /// <param name="seed">Seed of the shuffling generator.</param>
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
        bool shuffle = true, ulong seed = 0, IAugmentation? augmentation = null, CancellationToken cancellationToken = default)
    {
        if (epochs < 1) throw new ValueException($"Fit: epochs must be at least 1, got {epochs}");
        if (batchSize < 1) throw new ValueException($"Fit: batch size must be at least 1, got {batchSize}");
        if (train.Count == 0) throw new ValueException("Fit: the training set is empty");
        if (validation is { Count: 0 }) throw new ValueException("Fit: the validation set is empty");
        train.EnsureFinite("Fit: training set");
        validation?.EnsureFinite("Fit: validation set");
        if (Loader is null || Loader.Dataset != train || Loader.BatchSize != batchSize)
            Loader = new DataLoader(train, batchSize, shuffle, dropLast: false, seed, augmentation: augmentation);
        if (_pendingLoaderState is not null)
        {
            Loader.Generator.SetState(_pendingLoaderState);
            _pendingLoaderState = null;
        }
        if (Schedule is not null && Schedule.Optimizer != Optimizer) Schedule.Attach(Optimizer);
        History.StopReason = null;
        History.Cancelled = false;
        var ctx = new TrainingContext(this, History, epochs) { Step = Step };
        foreach (var c in Callbacks) c.OnTrainBegin(ctx);
        for (int epoch = History.Epochs.Count + 1; epoch <= epochs && !ctx.StopTraining; epoch++)
        {
            if (Cancelled(ctx, cancellationToken, epoch, inEpoch: false)) break;
            ctx.Epoch = epoch;
            foreach (var c in Callbacks) c.OnEpochBegin(ctx, epoch);
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
                loss.Backward();
                if (ClipGradientNorm is double max) GradientClipping.ClipByGlobalNorm(Optimizer.Parameters(), max);
                lr = Optimizer.LearningRate;
                Optimizer.Step();
                ok = batch.Labels is null ? null : CountCorrect(output, batch.Labels);
            }
            if (Schedule is { Interval: ScheduleInterval.Step }) Schedule.Step();
            Step++;
            ctx.Step = Step;
            int n = batch.Count;
            lossSum += lossValue * n;
            seen += n;
            if (ok is long k) { correct += k; counted += n; }
            double rate = seen / Math.Max(sw.Elapsed.TotalSeconds, 1e-9);
            var result = new BatchResult(epoch, index++, batches, n, lossValue, lossSum / seen, counted == 0 ? double.NaN : (double)correct / counted, rate);
            foreach (var c in Callbacks) c.OnBatchEnd(ctx, result);
            if (ctx.StopTraining || Cancelled(ctx, cancellationToken, epoch, inEpoch: true)) return null;
        }
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

    private Tensor ComputeLoss(Tensor output, Batch batch)
    {
        if (batch.Targets is { } targets) return Loss.Forward(output, targets);
        if (batch.Labels is null) throw new ValueException("Fit: the dataset has neither labels nor targets");
        return Loss switch
        {
            CrossEntropy ce => ce.Forward(output, batch.Labels),
            SparseCategoricalCrossEntropy sce => sce.Forward(output, batch.Labels),
            _ => Loss.Forward(output, LabelsAsTargets(batch.Labels, output)),
        };
    }

    /// <summary>Integer labels as a float tensor shaped like a one-output prediction ([N] or [N,1]).</summary>
    private static Tensor LabelsAsTargets(int[] labels, Tensor output)
    {
        var t = Tensor.Zeros(output.Rank == 2 && output.Shape[1] == 1 ? [labels.Length, 1] : [labels.Length], output.DType);
        for (int i = 0; i < labels.Length; i++) t.SetFlat(i, labels[i]);
        return t;
    }

    private long? CountCorrect(Tensor output, int[] labels)
    {
        if (output.Rank != 2) return null;
        var predicted = Classes(output);
        long ok = 0;
        for (int i = 0; i < labels.Length; i++) if (predicted[i] == labels[i]) ok++;
        return ok;
    }

    private int[] Classes(Tensor output, bool activated = false)
    {
        if (output.Shape[1] > 1) return output.ArgMaxRows();
        // One output: a logit (threshold 0) or a probability (threshold 0.5).
        double threshold = OutputActivation == OutputActivation.Sigmoid && !activated ? 0 : 0.5;
        var r = new int[output.Shape[0]];
        for (int i = 0; i < r.Length; i++) r[i] = output.GetFlat(i) > threshold ? 1 : 0;
        return r;
    }

    /// <summary>Mean loss over the dataset, accuracy and confusion matrix (for labeled data), in evaluation mode without recording.</summary>
    public Evaluation Evaluate(TensorDataset data)
    {
        if (data.Count == 0) throw new ValueException("Evaluate: the dataset is empty");
        data.EnsureFinite("Evaluate");
        bool wasTraining = Model.IsTraining;
        Model.Eval();
        try
        {
            using var _ = GradMode.NoGrad();
            double lossSum = 0;
            var predicted = new List<int>(data.Count);
            int classes = 0;
            var loader = new DataLoader(data, EvaluationBatchSize, shuffle: false, prefetch: false);
            // Every batch reuses the previous batch's storage: without it each batch's activations (hundreds of MB
            // for a CNN) would pile up as large-object garbage until a full collection.
            // Not while a forward observer is installed: it may keep the activations it sees.
            var arena = Module.IsForwardObserved ? null : new TensorArena { MaxRetainedBytes = long.MaxValue };
            foreach (var batch in loader)
            {
                using (arena?.Enter() ?? default)
                {
                    var output = Model.Forward(batch.Features);
                    lossSum += ComputeLoss(output, batch).Item() * batch.Count;
                    if (batch.Labels is not null && output.Rank == 2)
                    {
                        predicted.AddRange(Classes(output));
                        classes = Math.Max(2, output.Shape[1]);
                    }
                }
            }
            double loss = lossSum / data.Count;
            if (data.Labels is null || predicted.Count != data.Count) return new Evaluation(loss, double.NaN, null, data.Count);
            classes = Math.Max(classes, data.NumClasses);
            var cm = new ConfusionMatrix(predicted.ToArray(), data.Labels, classes);
            return new Evaluation(loss, cm.Accuracy, cm, data.Count);
        }
        finally { Model.Train(wasTraining); }
    }

    /// <summary>
    /// Probabilities (after <see cref="OutputActivation"/>) and most likely classes for <paramref name="features"/> [N, ...].
    /// Thread-safe when the model is in evaluation mode (call <c>Model.Eval()</c> first): nothing shared is written.
    /// </summary>
    public Prediction Predict(Tensor features)
    {
        if (features.Rank == 0 || features.Shape[0] == 0) throw new ShapeException($"Predict: expected a batch [N, ...] with N ≥ 1, got {features.Shape}");
        // A model already in evaluation mode is not touched, so many threads may call Predict at once.
        bool wasTraining = Model.IsTraining;
        if (wasTraining) Model.Eval();
        try
        {
            using var _ = GradMode.NoGrad();
            var parts = new List<Tensor>();
            for (int start = 0; start < features.Shape[0]; start += EvaluationBatchSize)
            {
                var x = features.Rows(start, Math.Min(EvaluationBatchSize, features.Shape[0] - start));
                parts.Add(Activate(Model.Forward(x)));
            }
            var probs = parts.Count == 1 ? parts[0] : Tensor.Concat(parts);
            int[] classes = probs.Rank == 2 ? Classes(probs, activated: true) : [];
            return new Prediction(probs, classes);
        }
        finally { if (wasTraining) Model.Train(); }
    }

    private Tensor Activate(Tensor output) => OutputActivation switch
    {
        OutputActivation.Softmax => output.Softmax(-1),
        OutputActivation.Sigmoid => output.Sigmoid(),
        _ => output,
    };
}
