using Nabla.Data;
using Nabla.Data.Augmentation;
using Nabla.Errors;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Xunit;

namespace Nabla.Tests.Training;

/// <summary>
/// One clear way: generators that are thread-safe and seeded from one place, one state protocol (IStateful) for
/// everything a resume needs, losses that own their labels, prediction and evaluation without an optimizer, and a
/// Fit that says what it does.
/// </summary>
[Collection("MaxThreads")] // seeds the process-wide generator
public sealed class StateProtocolTests
{
    private static TensorDataset Blobs(int n, ulong seed, int classes = 3)
    {
        var g = new Generator(seed);
        var x = new float[n * 2];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % classes;
            x[2 * i] = (float)(3 * (y[i] % 2) + g.NextNormal() * 0.6);
            x[2 * i + 1] = (float)(3 * (y[i] / 2) + g.NextNormal() * 0.6);
        }
        return new TensorDataset(Tensor.FromArray(x, n, 2), y);
    }

    // ---- randomness ----

    [Fact]
    public void ASharedGeneratorGivesEveryNumberExactlyOnceUnderConcurrentDraws()
    {
        const int threads = 4, each = 50_000;
        var shared = new Generator(77);
        var drawn = new ulong[threads][];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var mine = new ulong[each];
            for (int i = 0; i < each; i++) mine[i] = shared.NextUInt64();
            drawn[t] = mine;
        });
        var sequential = new Generator(77);
        var expected = Enumerable.Range(0, threads * each).Select(_ => sequential.NextUInt64()).Order().ToArray();
        Assert.Equal(expected, drawn.SelectMany(d => d).Order().ToArray()); // no number lost or repeated: the state never tore
    }

    [Fact]
    public void BulkDrawsEqualOneByOneDraws()
    {
        var a = new Generator(5);
        var b = new Generator(5);
        var u = new double[1001];
        a.Fill(u);
        Assert.Equal(Enumerable.Range(0, 1001).Select(_ => b.NextDouble()), u);
        var z = new double[7];
        a.FillNormal(z);
        Assert.Equal(Enumerable.Range(0, 7).Select(_ => b.NextNormal()), z);
        Assert.Equal(a.GetState(), b.GetState());
    }

    [Fact]
    public void OneManualSeedFixesWeightsDropoutMasksAndShuffling()
    {
        (float[] Weights, float[] Mask, int[] Order) Run(ulong seed)
        {
            Generator.ManualSeed(seed);
            var model = new Sequential(new Linear(4, 64), new Dropout(0.5));
            var loader = new DataLoader(Blobs(40, 1), 8, shuffle: true);
            var mask = model.Forward(Tensor.Ones([2, 4])).ToArray();
            var order = loader.First().Labels!;
            return (model.Parameters().First().Data.ToArray(), mask, order);
        }
        var a = Run(7);
        var b = Run(7);
        var c = Run(8);
        Assert.Equal(a.Weights, b.Weights);
        Assert.Equal(a.Mask, b.Mask);
        Assert.Equal(a.Order, b.Order);
        Assert.NotEqual(a.Mask, c.Mask);
        Assert.NotEqual(a.Weights, c.Weights);
    }

    [Fact]
    public void EachDropoutLayerOwnsItsGenerator()
    {
        Generator.ManualSeed(3);
        var m1 = new Sequential(new Dropout(0.5), new Dropout(0.5));
        var m2 = new Sequential(new Dropout(0.5));
        var all = m1.NamedGenerators().Concat(m2.NamedGenerators()).Select(g => g.Generator).ToList();
        Assert.Equal(3, all.Count);
        Assert.Equal(3, all.Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.DoesNotContain(Generator.Default, all);
    }

    // ---- one state protocol ----

    private static (Sequential Model, Adam Optimizer) AdamMlp(ulong seed)
    {
        var g = new Generator(seed);
        var m = new Sequential(new Linear(2, 8, generator: g), new Tanh(), new Linear(8, 3, generator: g));
        return (m, new Adam(m.Parameters(), 0.01));
    }

    private static void Step(Sequential m, Optimizer opt, TensorDataset data)
    {
        var loss = new CrossEntropy().Forward(m.Forward(data.Features), data.Labels!);
        opt.ZeroGrad();
        loss.Backward();
        opt.Step();
    }

    [Fact]
    public void OptimizerStateDictRestoresTheNextStepBitwise()
    {
        var data = Blobs(30, 2);
        var (m1, o1) = AdamMlp(1);
        for (int i = 0; i < 3; i++) Step(m1, o1, data);
        var state = o1.StateDict();
        Assert.Equal("Adam", state.GetString("type"));
        Assert.Equal(3, state.GetLong("step"));
        Assert.Contains("buffer/0.weight/s", state.Tensors.Keys);

        var (m2, o2) = AdamMlp(1);
        for (int i = 0; i < 3; i++) Step(m2, o2, data); // same weights...
        var (_, fresh) = AdamMlp(9);
        var (mx, ox) = AdamMlp(1);
        foreach (var (p, q) in m1.Parameters().Zip(mx.Parameters())) q.Data.CopyFrom(p.Data);
        ox.LoadStateDict(state);                          // ...and the same moments through the state dict
        Step(m1, o1, data);
        Step(mx, ox, data);
        Assert.Equal(m1.Parameters().Select(p => p.Data.ToArray()), mx.Parameters().Select(p => p.Data.ToArray()));
        Assert.Equal(4, ox.StepCount);

        // A state of another optimizer type is refused and changes nothing.
        var sgd = new SGD(m2.Parameters(), 0.1, momentum: 0.9);
        Step(m2, sgd, data);
        var before = sgd.StateDict();
        var e = Assert.Throws<ValueException>(() => sgd.LoadStateDict(state));
        Assert.Contains("Adam", e.Message);
        Assert.Equal(before.Values, sgd.StateDict().Values);
        Assert.Equal(0, fresh.StepCount);
    }

    [Fact]
    public void LoaderAndAugmentationStatesRepeatTheNextEpoch()
    {
        var images = new TensorDataset(Tensor.Rand([12, 1, 6, 6], new Generator(1)), Enumerable.Range(0, 12).Select(i => i % 2).ToArray());
        DataLoader Make() => new(images, 4, shuffle: true, seed: 5, prefetch: false,
            augmentation: new AugmentationPipeline(new RandomShift(1, 11), new GaussianNoise(0.1, 12)));
        var a = Make();
        foreach (var _ in a) { } // one epoch
        var state = a.StateDict();
        Assert.Equal(1, state.GetLong("epoch"));
        Assert.True(state.HasSub("augmentation.0.generator") && state.HasSub("augmentation.1.generator"));
        var next = a.Select(b => b.Features.ToArray()).ToList();

        var b = Make();
        b.LoadStateDict(state);
        Assert.Equal(next, b.Select(x => x.Features.ToArray()).ToList());

        var bad = new StateDict().Set("epoch", 1).Set("generator.words", "0,0,0,0,0,0");
        var c = Make();
        var cBefore = c.StateDict();
        Assert.Throws<ValueException>(() => c.LoadStateDict(bad));
        Assert.Equal(cBefore.Values, c.StateDict().Values);
    }

    [Fact]
    public void TheTrainerOwnsOneStepCounterAndGathersEveryState()
    {
        var data = Blobs(60, 3);
        var (m, opt) = AdamMlp(4);
        var plateau = new ReduceOnPlateau(opt, patience: 0, monitor: "loss");
        var t = new Trainer(m, new CrossEntropy(), opt) { Schedule = new CosineDecay(0.01, 100) { Interval = ScheduleInterval.Step } };
        t.Callbacks.Add(plateau);
        long seenInCallback = -1;
        t.Callbacks.Add(new StepProbe(s => seenInCallback = s));
        t.Fit(data, epochs: 2, batchSize: 16, seed: 1);
        Assert.Equal(8, opt.StepCount);
        Assert.Equal(8, t.Step);
        Assert.Equal(8, seenInCallback);
        var state = t.StateDict();
        foreach (var prefix in new[] { "optimizer", "schedule", "loader", "callbacks.0", "default_generator" })
            Assert.True(state.HasSub(prefix), prefix);
        Assert.Equal(8, state.GetLong("optimizer.step"));
        Assert.Equal(8, state.GetLong("schedule.t"));
        Assert.Equal("ReduceOnPlateau", state.GetString("callbacks.0.type"));
    }

    private sealed class StepProbe(Action<long> seen) : Callback
    {
        public override void OnBatchEnd(TrainingContext context, BatchResult batch) => seen(context.Step);
    }

    // ---- losses own their labels; prediction without an optimizer ----

    [Fact]
    public void LossesTurnLabelsIntoTheirOwnTargets()
    {
        var logits = Tensor.FromArray(new[] { 2f, -1f, 0.5f, 0.1f, 0.2f, 3f }, 2, 3);
        int[] labels = [0, 2];
        var oneHot = Tensor.FromArray(new[] { 1f, 0, 0, 0, 0, 1 }, 2, 3);
        var probs = logits.Softmax(-1);
        Assert.Equal(new CategoricalCrossEntropy().Forward(probs, oneHot).Item(), new CategoricalCrossEntropy().Forward(probs, labels).Item());
        Assert.Equal(new MSE().Forward(logits, oneHot).Item(), new MSE().Forward(logits, labels).Item());
        Assert.Equal(new KLDivergence().Forward(probs, oneHot).Item(), new KLDivergence().Forward(probs, labels).Item());
        Assert.Equal(new Hinge().Forward(logits, oneHot * 2.0 - 1.0).Item(), new Hinge().Forward(logits, labels).Item());
        var scores = Tensor.FromArray(new[] { 0.3f, -2f }, 2, 1);
        Assert.Equal(new Hinge().Forward(scores, Tensor.FromArray(new[] { 1f, -1f }, 2, 1)).Item(), new Hinge().Forward(scores, [1, 0]).Item());
        Assert.Contains("labels 0 or 1", Assert.Throws<ValueException>(() => new Hinge().Forward(scores, [2, 0])).Message);
        Assert.Contains("outside the 3 classes", Assert.Throws<ValueException>(() => new MSE().Forward(logits, [0, 3])).Message);
        Assert.Equal(OutputActivation.Softmax, new CrossEntropy().OutputActivation);
        Assert.Equal(OutputActivation.Sigmoid, new BinaryCrossEntropyWithLogits().OutputActivation);
        Assert.Equal(OutputActivation.None, new CategoricalCrossEntropy().OutputActivation);
    }

    [Fact]
    public void AHingeClassifierTrainsThroughTheTrainerWithZeroOneLabels()
    {
        var g = new Generator(2);
        var data = Blobs(200, 5, classes: 2);
        var m = new Sequential(new Linear(2, 1, generator: g));
        var t = new Trainer(m, new Hinge(), new SGD(m.Parameters(), 0.05));
        t.Fit(data, epochs: 20, batchSize: 20, seed: 1);
        var ev = t.Evaluate(data);
        Assert.True(ev.Accuracy > 0.95, $"accuracy {ev.Accuracy}");
        var p = m.Predict(data.Features, new Hinge());
        Assert.Equal(ev.Accuracy, p.Classes.Zip(data.Labels!).Count(z => z.First == z.Second) / (double)data.Count, 12); // threshold 0, as the loss says
    }

    [Fact]
    public void PredictAndEvaluateNeedNoOptimizer()
    {
        var data = Blobs(90, 6);
        var (m, opt) = AdamMlp(6);
        var t = new Trainer(m, new CrossEntropy(), opt);
        t.Fit(data, epochs: 3, batchSize: 16, seed: 2);
        var viaTrainer = t.Predict(data.Features);
        var direct = m.Predict(data.Features, OutputActivation.Softmax, batchSize: 7);
        Assert.Equal(viaTrainer.Classes, direct.Classes);
        Assert.Equal(viaTrainer.Probabilities.ToArray(), direct.Probabilities.ToArray());
        Assert.Equal(t.Evaluate(data).Loss, m.Evaluate(data, new CrossEntropy(), batchSize: 13).Loss, 6);
        Assert.Equal(t.Evaluate(data).Accuracy, m.Evaluate(data, new CrossEntropy()).Accuracy);
        Assert.True(m.IsTraining); // modes are left as found
    }

    // ---- Fit does what it says ----

    [Fact]
    public void FitTrainsTheGivenNumberOfEpochsAndRebuildsTheLoaderWhenAskedForAnother()
    {
        var data = Blobs(48, 7);
        var (m, opt) = AdamMlp(7);
        var t = new Trainer(m, new CrossEntropy(), opt);
        t.Fit(data, epochs: 2, batchSize: 16, seed: 1);
        var first = t.Loader;
        t.Fit(data, epochs: 3, batchSize: 16, seed: 1);
        Assert.Equal(5, t.History.Epochs.Count);         // 2, then 3 more
        Assert.Same(first, t.Loader);                      // same options: the same loader goes on
        t.Fit(data, epochs: 1, batchSize: 16, seed: 2);
        Assert.NotSame(first, t.Loader);                   // another seed: a new loader
        var second = t.Loader;
        t.Fit(data, epochs: 1, batchSize: 16, seed: 2, shuffle: false);
        Assert.NotSame(second, t.Loader);
        Assert.False(t.Loader!.Shuffle);
        var third = t.Loader;
        t.Fit(data, epochs: 1, batchSize: 16, seed: 2, shuffle: false, augmentation: new GaussianNoise(0.01, 1));
        Assert.NotSame(third, t.Loader);
        Assert.NotNull(t.Loader!.Augmentation);
        Assert.Equal(8, t.History.Epochs.Count);
    }

    [Fact]
    public void StopTrainingAtEpochBeginSkipsThatEpoch()
    {
        var data = Blobs(48, 8);
        var (m, opt) = AdamMlp(8);
        var t = new Trainer(m, new CrossEntropy(), opt);
        t.Callbacks.Add(new StopAtEpochBegin(3));
        var h = t.Fit(data, epochs: 5, batchSize: 16, seed: 1);
        Assert.Equal(2, h.Epochs.Count);
        Assert.Equal(6, opt.StepCount); // not one batch of epoch 3
    }

    private sealed class StopAtEpochBegin(int epoch) : Callback
    {
        public override void OnEpochBegin(TrainingContext context, int e)
        {
            if (e == epoch) context.StopTraining = true;
        }
    }
}
