using Nabla.Data;
using Nabla.Kernels;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Xunit;

namespace Nabla.Tests.Training;

[Collection("MaxThreads")]
public sealed class TrainerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-trainer").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>Two Gaussian blobs per class in 2-D, three classes: separable but not trivially.</summary>
    private static TensorDataset Blobs(int n, ulong seed)
    {
        var g = new Generator(seed);
        var x = new float[n * 2];
        var y = new int[n];
        double[][] centers = [[0, 0], [3, 0], [0, 3]];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % 3;
            x[2 * i] = (float)(centers[y[i]][0] + g.NextNormal() * 0.7);
            x[2 * i + 1] = (float)(centers[y[i]][1] + g.NextNormal() * 0.7);
        }
        return new TensorDataset(Tensor.FromArray(x, n, 2), y);
    }

    private static Sequential Model(ulong seed)
    {
        var g = new Generator(seed);
        return new Sequential(new Linear(2, 16, generator: g), new ReLU(), new Dropout(0.1, new Generator(seed + 7)), new Linear(16, 3, generator: g));
    }

    private static Trainer NewTrainer(ulong seed)
    {
        var model = Model(seed);
        return new Trainer(model, new CrossEntropy(), new Adam(model.Parameters(), 0.01));
    }

    [Fact]
    public void FitLearnsSeparableClassesAndEvaluatePredictAgree()
    {
        var train = Blobs(600, 1);
        var test = Blobs(300, 2);
        var t = NewTrainer(3);
        var h = t.Fit(train, epochs: 15, batchSize: 32, validation: test, seed: 5);
        Assert.Equal(15, h.Epochs.Count);
        Assert.True(h.Epochs[^1].Loss < h.Epochs[0].Loss, "training loss must fall");
        var ev = t.Evaluate(test);
        Assert.True(ev.Accuracy > 0.9, $"accuracy {ev.Accuracy}");
        Assert.Equal(h.Epochs[^1].ValidationAccuracy, ev.Accuracy, 12);
        var p = t.Predict(test.Features);
        Assert.Equal(new Shape(300, 3), p.Probabilities.Shape);
        for (int i = 0; i < 300; i++)
        {
            double rowSum = 0;
            for (int c = 0; c < 3; c++) rowSum += p.Probabilities[i, c];
            Assert.Equal(1.0, rowSum, 5);
        }
        Assert.Equal(ev.Accuracy, Metrics.Accuracy(p.Classes, test.Labels!), 12);
        Assert.True(t.Model.IsTraining); // modes restored
    }

    [Fact]
    public void EvaluateGivesTheSameResultForEveryEvaluationBatchSize()
    {
        // Evaluate recycles each batch's storage for the next one: a batch must never see the previous batch's values.
        var test = Blobs(300, 2);
        var t = NewTrainer(3);
        t.Fit(Blobs(300, 1), epochs: 2, batchSize: 32, seed: 5);
        var reference = t.Evaluate(test); // default 256: a full batch and a partial one
        Assert.Equal(256, t.EvaluationBatchSize);
        double lossSum = 0;
        var predicted = new List<int>();
        for (int i = 0; i < 300; i++)
        {
            var one = t.Predict(test.Features.Rows(i, 1));
            predicted.Add(one.Classes[0]);
            lossSum += -Math.Log(one.Probabilities[0, test.Labels![i]]);
        }
        Assert.Equal(lossSum / 300, reference.Loss, 5);
        Assert.Equal(Metrics.Accuracy(predicted.ToArray(), test.Labels!), reference.Accuracy, 12);
        foreach (int size in new[] { 1, 7, 300, 1000 })
        {
            t.EvaluationBatchSize = size;
            var ev = t.Evaluate(test);
            Assert.Equal(reference.Loss, ev.Loss, 5);
            Assert.Equal(reference.Accuracy, ev.Accuracy);
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) Assert.Equal(reference.Confusion![a, b], ev.Confusion![a, b]);
        }
    }

    private static float[][] Weights(Module m) => m.Parameters().Select(p => p.Data.ToArray()).ToArray();

    [Fact]
    public void SameSeedGivesBitIdenticalWeightsWithOneOrTwoThreads()
    {
        var train = Blobs(300, 1);
        int saved = Threads.Max;
        try
        {
            Threads.Max = 2;
            var a = NewTrainer(3); a.Fit(train, 3, 16, seed: 9);
            var b = NewTrainer(3); b.Fit(train, 3, 16, seed: 9);
            Threads.Max = 1;
            var c = NewTrainer(3); c.Fit(train, 3, 16, seed: 9);
            Assert.Equal(Weights(a.Model), Weights(b.Model));
            Assert.Equal(Weights(a.Model), Weights(c.Model));
            var d = NewTrainer(4); d.Fit(train, 3, 16, seed: 9);
            Assert.NotEqual(Weights(a.Model), Weights(d.Model));
        }
        finally { Threads.Max = saved; }
    }

    [Fact]
    public void ResumingFromACheckpointGivesBitIdenticalWeights()
    {
        var train = Blobs(300, 1);
        Generator.ManualSeed(11);
        var full = NewTrainer(3);
        full.Schedule = new CosineDecay(0.01, 4) { Interval = ScheduleInterval.Step };
        full.Fit(train, 4, 16, seed: 9);

        Generator.ManualSeed(11);
        var first = NewTrainer(3);
        first.Schedule = new CosineDecay(0.01, 4) { Interval = ScheduleInterval.Step };
        first.Fit(train, 2, 16, seed: 9);
        var path = Path.Combine(_dir, "state.safetensors");
        TrainingCheckpoint.Save(path, first);

        Generator.ManualSeed(12345); // a different default state: the checkpoint must restore it
        var resumed = NewTrainer(99);
        resumed.Schedule = new CosineDecay(0.01, 4) { Interval = ScheduleInterval.Step };
        TrainingCheckpoint.Restore(path, resumed);
        Assert.Equal(2, resumed.History.Epochs.Count);
        resumed.Fit(train, 2, 16, seed: 9); // two more epochs
        Assert.Equal(4, resumed.History.Epochs.Count);
        Assert.Equal(Weights(full.Model), Weights(resumed.Model));
        Assert.Equal(full.History.Values("loss"), resumed.History.Values("loss"));
    }

    [Fact]
    public void NaNGuardStopsNamingTheTensorAndKeepsTheLastGoodCheckpoint()
    {
        var train = Blobs(300, 1);
        var model = Model(3);
        var opt = new SGD(model.Parameters(), 0.05);
        var t = new Trainer(model, new CrossEntropy(), opt);
        var guard = new TerminateOnNaN();
        var ckpt = new ModelCheckpoint(_dir, monitor: "loss");
        t.Callbacks.Add(guard);
        t.Callbacks.Add(ckpt);
        t.Callbacks.Add(new PoisonAtEpoch(3));
        var h = t.Fit(train, 10, 32, seed: 1);
        Assert.Equal(2, h.Epochs.Count);
        Assert.NotNull(guard.Fault);
        Assert.Contains("0.weight", h.StopReason);
        var check = Model(77);
        Nabla.IO.Checkpoint.Load(ckpt.LastPath, check);
        Assert.All(check.Parameters(), p => Assert.All(p.Data.ToArray(), v => Assert.True(float.IsFinite(v))));
    }

    /// <summary>Writes a NaN into the first weight at the start of the given epoch (a scripted numerical fault).</summary>
    private sealed class PoisonAtEpoch(int epoch) : Callback
    {
        public override void OnEpochBegin(TrainingContext context, int e)
        {
            if (e == epoch) context.Model.Parameters().First().Data.SetFlat(0, double.NaN);
        }
    }

    [Fact]
    public void CancellationStopsAfterTheCurrentBatchWithoutCheckpointingThePartialEpoch()
    {
        var train = Blobs(300, 1); // 300 / 32 → 10 batches per epoch
        var model = Model(3);
        var t = new Trainer(model, new CrossEntropy(), new SGD(model.Parameters(), 0.05));
        using var cts = new CancellationTokenSource();
        var ckpt = new ModelCheckpoint(_dir, monitor: "loss");
        var probe = new CancelAt(cts, epoch: 2, batch: 3);
        t.Callbacks.Add(probe);
        t.Callbacks.Add(ckpt);
        var h = t.Fit(train, 10, 32, seed: 1, cancellationToken: cts.Token);
        Assert.Single(h.Epochs);
        Assert.Equal(10 + 3, t.Step);
        Assert.Equal("cancelled in epoch 2, step 13", h.StopReason);
        Assert.True(h.Cancelled);
        Assert.True(probe.TrainEnded);
        Assert.Equal(1, probe.EpochEnds);
        // The checkpoint on disk is the end of epoch 1: resuming from it repeats epoch 2 in full.
        var other = Model(99);
        var resumed = new Trainer(other, new CrossEntropy(), new SGD(other.Parameters(), 0.05));
        TrainingCheckpoint.Restore(ckpt.LastPath, resumed);
        Assert.Single(resumed.History.Epochs);
        Assert.Equal(10, resumed.Step);

        // A token cancelled before Fit: no step is taken and the weights are untouched.
        var before = Weights(model);
        var h2 = t.Fit(train, 20, 32, seed: 1, cancellationToken: cts.Token);
        Assert.Equal(before, Weights(model));
        Assert.Equal(13, t.Step);
        Assert.Equal("cancelled after epoch 1, step 13", h2.StopReason);
        Assert.True(h2.Cancelled);
        // The next Fit without a cancelled token runs and clears the stop state.
        var h3 = t.Fit(train, 1, 32, seed: 1);
        Assert.Equal(2, h3.Epochs.Count); // epoch 1 before, and one more
        Assert.False(h3.Cancelled);
        Assert.Null(h3.StopReason);
    }

    /// <summary>Cancels the token after the given batch (1-based) of the given epoch; counts the epoch-end and train-end hooks.</summary>
    private sealed class CancelAt(CancellationTokenSource cts, int epoch, int batch) : Callback
    {
        public int EpochEnds;
        public bool TrainEnded;
        public override void OnBatchEnd(TrainingContext context, BatchResult b)
        {
            if (b.Epoch == epoch && b.Index + 1 == batch) cts.Cancel();
        }
        public override void OnEpochEnd(TrainingContext context, EpochRecord record) => EpochEnds++;
        public override void OnTrainEnd(TrainingContext context) => TrainEnded = true;
    }

    [Fact]
    public void EarlyStoppingStopsAtTheRightEpochAndRestoresTheBestWeights()
    {
        // Scripted validation losses: best at epoch 3, then 3 epochs without improvement → stop after epoch 6 (patience 2 → stop at 6).
        double[] val = [1.0, 0.8, 0.5, 0.6, 0.55, 0.7, 0.4];
        var model = Model(3);
        var t = new Trainer(model, new CrossEntropy(), new SGD(model.Parameters(), 0.1));
        var stop = new EarlyStopping("val_loss", patience: 2, restoreBestWeights: true);
        var ctx = new TrainingContext(t, t.History, val.Length);
        stop.OnTrainBegin(ctx);
        float[]? weightsAtBest = null;
        int epoch = 0;
        for (; epoch < val.Length && !ctx.StopTraining; epoch++)
        {
            model.Parameters().First().Data.SetFlat(0, epoch + 1); // the weights change every epoch
            if (epoch == 2) weightsAtBest = model.Parameters().First().Data.ToArray();
            var rec = new EpochRecord(epoch + 1, 1, 0.5, val[epoch], 0.5, 0.1, 1, 1);
            ctx.History.Add(rec);
            stop.OnEpochEnd(ctx, rec);
        }
        Assert.Equal(5, epoch);           // epochs 4 and 5 did not improve on 0.5 → stop after epoch 5
        Assert.Equal(5, stop.StoppedEpoch);
        Assert.Equal(3, stop.BestEpoch);
        stop.OnTrainEnd(ctx);
        Assert.Equal(weightsAtBest, model.Parameters().First().Data.ToArray());
    }

    [Fact]
    public void EarlyStoppingResumedFromItsStateStopsWhereTheUninterruptedRunWould()
    {
        double[] val = [1.0, 0.8, 0.5, 0.6, 0.55, 0.7, 0.4];
        var model = Model(3);
        var t = new Trainer(model, new CrossEntropy(), new SGD(model.Parameters(), 0.1));
        var first = new EarlyStopping("val_loss", patience: 2, restoreBestWeights: true);
        var ctx = new TrainingContext(t, t.History, val.Length);
        first.OnTrainBegin(ctx);
        float[]? weightsAtBest = null;
        void Epoch(EarlyStopping stop, int epoch)
        {
            model.Parameters().First().Data.SetFlat(0, epoch + 1);
            if (epoch == 2) weightsAtBest = model.Parameters().First().Data.ToArray();
            var rec = new EpochRecord(epoch + 1, 1, 0.5, val[epoch], 0.5, 0.1, 1, 1);
            ctx.History.Add(rec);
            stop.OnEpochEnd(ctx, rec);
        }
        for (int e = 0; e < 4; e++) Epoch(first, e);      // interrupted after epoch 4: one epoch without improvement
        Assert.Equal(1, first.Wait);
        var state = first.StateDict();
        Assert.Equal("val_loss", state.GetString("monitor"));
        Assert.Equal(3, state.GetLong("best_epoch"));

        var resumed = new EarlyStopping("val_loss", patience: 2, restoreBestWeights: true);
        resumed.LoadStateDict(state);
        resumed.OnTrainBegin(ctx);                          // a resumed Fit must not forget the count
        Assert.Equal(1, resumed.Wait);
        Epoch(resumed, 4);
        Assert.True(ctx.StopTraining);                      // epoch 5 is the second without improvement, as uninterrupted
        Assert.Equal(5, resumed.StoppedEpoch);
        resumed.OnTrainEnd(ctx);
        Assert.Equal(weightsAtBest, model.Parameters().First().Data.ToArray());

        Assert.Contains("monitors 'val_loss'", Assert.Throws<Nabla.Errors.ValueException>(
            () => new EarlyStopping("val_accuracy").LoadStateDict(state)).Message);
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        var t = NewTrainer(1);
        var ds = Blobs(10, 1);
        Assert.Contains("epochs", Assert.Throws<Nabla.Errors.ValueException>(() => t.Fit(ds, 0)).Message);
        Assert.Contains("batch size", Assert.Throws<Nabla.Errors.ValueException>(() => t.Fit(ds, 1, batchSize: 0)).Message);
    }

    [Fact]
    public void HistoryRoundTripsThroughCsv()
    {
        var h = NewTrainer(1).Fit(Blobs(60, 1), 2, 16);
        var back = History.FromCsv(h.ToCsv());
        Assert.Equal(h.Values("loss"), back.Values("loss"));
        Assert.Equal(h.Values("accuracy"), back.Values("accuracy"));
    }
}
