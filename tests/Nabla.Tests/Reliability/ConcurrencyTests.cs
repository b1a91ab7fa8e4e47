using Nabla.Autograd;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Xunit;

namespace Nabla.Tests.Reliability;

/// <summary>
/// A model in evaluation mode serves predictions from 8 threads at once (10,000 in all) and every result is bitwise the
/// sequential one: no shared scratch buffers, no mode flips, no cross-thread grad-mode leaks.
/// </summary>
[Collection("MaxThreads")] // no test may change thread count or kernel path between the sequential and the concurrent run
public class ConcurrencyTests
{
    private const int Threads = 8, Predictions = 10_000, Examples = 400;

    /// <summary>conv 3x3 → ReLU → max-pool 2 → flatten → batch norm → linear (wide enough for the packed GEMM) → PReLU → dropout → linear.</summary>
    private sealed class ConvNet : Module
    {
        private readonly Parameter _kernel;
        private readonly Parameter _kernelBias;
        private readonly BatchNorm1d _norm = new(4 * 5 * 5);
        private readonly Linear _hidden;
        private readonly PReLU _act = new(1);
        private readonly Dropout _drop = new(0.3, new Generator(4));
        private readonly Linear _out;

        public ConvNet(ulong seed)
        {
            var g = new Generator(seed);
            _kernel = new Parameter(Tensor.Uniform([4, 1, 3, 3], -0.5, 0.5, g));
            _kernelBias = new Parameter(Tensor.Uniform([4], -0.1, 0.1, g), isBias: true);
            _hidden = new Linear(100, 192, generator: g);
            _out = new Linear(192, 10, generator: g);
        }

        public override Tensor Forward(Tensor x)
        {
            var h = Tensor.Conv2d(x, _kernel, _kernelBias).ReLU().MaxPool2d((2, 2)).Flatten(1); // [N,1,12,12] → [N,4,10,10] → [N,4,5,5] → [N,100]
            h = ForwardChild(_norm, h);
            h = ForwardChild(_act, ForwardChild(_hidden, h));
            return ForwardChild(_out, ForwardChild(_drop, h));
        }
    }

    private static (ConvNet Model, Tensor X) TrainedModel()
    {
        var model = new ConvNet(11);
        var x = Tensor.Randn([Examples, 1, 12, 12], new Generator(12));
        var labels = Enumerable.Range(0, Examples).Select(i => i % 10).ToArray();
        // A few training steps so batch-norm statistics and weights are not at their initial values.
        var opt = new Adam(model.Parameters(), 0.01);
        var loss = new CrossEntropy();
        for (int s = 0; s < 3; s++)
        {
            opt.ZeroGrad();
            loss.Forward(model.Forward(x.Rows(s * 100, 100)), labels[(s * 100)..(s * 100 + 100)]).Backward();
            opt.Step();
        }
        model.Eval();
        return (model, x);
    }

    /// <summary>Prediction i: usually one example; every 25th a batch of 64 rows (large enough for the threaded GEMM and convolution paths).</summary>
    private static Tensor Input(Tensor x, int i) => i % 25 == 0 ? x.Rows(i % (Examples - 64), 64) : x.Rows(i % Examples, 1);

    /// <summary>The sequential result of every prediction, computing each distinct input once.</summary>
    private static float[][] Sequential(Tensor x, Func<Tensor, float[]> predict)
    {
        var cache = new Dictionary<(bool, int), float[]>();
        var r = new float[Predictions][];
        for (int i = 0; i < Predictions; i++)
        {
            var key = i % 25 == 0 ? (true, i % (Examples - 64)) : (false, i % Examples);
            if (!cache.TryGetValue(key, out var y)) cache[key] = y = predict(Input(x, i));
            r[i] = y;
        }
        return r;
    }

    [Fact]
    public void TrainerPredictFromEightThreadsIsBitwiseSequential()
    {
        var (model, x) = TrainedModel();
        var trainer = new Trainer(model, new CrossEntropy(), new SGD(model.Parameters(), 0.1));
        var expected = Sequential(x, input => trainer.Predict(input).Probabilities.ToArray());

        var actual = new float[Predictions][];
        RunConcurrently(i => actual[i] = trainer.Predict(Input(x, i)).Probabilities.ToArray());

        for (int i = 0; i < Predictions; i++)
            Assert.True(expected[i].AsSpan().SequenceEqual(actual[i]), $"prediction {i} differs from the sequential result");
        Assert.False(model.IsTraining);
        Assert.True(GradMode.IsEnabled);
    }

    [Fact]
    public void ForwardUnderNoGradFromEightThreadsIsBitwiseSequential()
    {
        var (model, x) = TrainedModel();
        float[][] expected;
        using (GradMode.NoGrad()) expected = Sequential(x, input => model.Forward(input).ToArray());

        var actual = new float[Predictions][];
        RunConcurrently(i =>
        {
            using var _ = GradMode.NoGrad();
            var y = model.Forward(Input(x, i));
            Assert.False(y.RequiresGrad);
            actual[i] = y.ToArray();
        });
        for (int i = 0; i < Predictions; i++)
            Assert.True(expected[i].AsSpan().SequenceEqual(actual[i]), $"forward {i} differs from the sequential result");
    }

    /// <summary>Runs body(0..Predictions-1) on <see cref="Threads"/> threads released together; rethrows the first failure.</summary>
    private static void RunConcurrently(Action<int> body)
    {
        int next = -1;
        Exception? failure = null;
        using var start = new ManualResetEventSlim(false);
        var threads = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            start.Wait();
            try
            {
                for (int i; (i = Interlocked.Increment(ref next)) < Predictions;) body(i);
            }
            catch (Exception e) { Interlocked.CompareExchange(ref failure, e, null); }
        })).ToList();
        threads.ForEach(t => t.Start());
        start.Set();
        foreach (var t in threads) Assert.True(t.Join(TimeSpan.FromMinutes(2)), "a prediction thread hung");
        if (failure is not null) throw new Xunit.Sdk.XunitException($"a prediction thread failed: {failure}");
    }
}
