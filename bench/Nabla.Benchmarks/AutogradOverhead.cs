using BenchmarkDotNet.Attributes;
using Nabla.Autograd;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Benchmarks;

/// <summary>
/// The cost of recording: a 16-element add with and without gradient recording (the difference is the
/// per-node overhead), and a 3-layer MLP forward + backward at batch 1.
/// </summary>
[MemoryDiagnoser]
public class AutogradOverhead
{
    private Tensor _a = null!, _b = null!, _x = null!;
    private Sequential _mlp = null!;

    /// <summary>Creates the operands.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var g = new Generator(1);
        _a = Tensor.Randn([16], g); _a.RequiresGrad = true;
        _b = Tensor.Randn([16], g); _b.RequiresGrad = true;
        _x = Tensor.Randn([1, 784], g);
        _mlp = new Sequential(new Linear(784, 256, generator: g), new ReLUModule(), new Linear(256, 128, generator: g), new ReLUModule(), new Linear(128, 10, generator: g));
    }

    /// <summary>Add of two 16-element tensors with recording off.</summary>
    [Benchmark(Baseline = true)]
    public Tensor AddNoGrad()
    {
        using (GradMode.NoGrad()) return _a + _b;
    }

    /// <summary>The same add, recorded for backward.</summary>
    [Benchmark]
    public Tensor AddRecorded() => _a + _b;

    /// <summary>Add, then backward through it.</summary>
    [Benchmark]
    public Tensor AddRecordedAndBackward()
    {
        var y = (_a + _b).Sum();
        y.Backward();
        _a.Grad = null; _b.Grad = null;
        return y;
    }

    private readonly TensorArena _arena = new();

    /// <summary>3-layer MLP (784-256-128-10) forward and backward at batch 1, as Trainer.Fit runs a step: in a tensor arena, gradients kept in place.</summary>
    [Benchmark]
    public double MlpForwardBackwardBatch1()
    {
        using (_arena.Enter())
        {
            foreach (var p in _mlp.Parameters()) p.Data.ZeroGrad(setToNone: false);
            var y = _mlp.Forward(_x).Sum();
            y.Backward();
            return y.Item();
        }
    }

    /// <summary>Same MLP, forward only, no recording (inference latency).</summary>
    [Benchmark]
    public Tensor MlpInferenceBatch1()
    {
        using (GradMode.NoGrad()) return _mlp.Forward(_x);
    }

    private sealed class ReLUModule : Module
    {
        public override Tensor Forward(Tensor input) => input.ReLU();
    }
}
