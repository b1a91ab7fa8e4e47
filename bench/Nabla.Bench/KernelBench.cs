using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Nabla.Autograd;
using Nabla.Kernels;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Bench;

/// <summary>
/// The elementwise, activation, softmax and reduction kernels over spans (float and double), the tensor operations
/// built on them, an Adam step and the fused cross-entropy: nanoseconds per element (per call for the last two),
/// the <b>minimum</b> over many timed repetitions (the machine is shared; the minimum is the figure least disturbed
/// by other processes). One JSON line per figure: {"case","metric","value","unit"}.
/// </summary>
/// <remarks>Usage: <c>kernels [--n N] [--filter TEXT]</c>; N (default 16384, the size of a [64, 256] activation) is the span length.</remarks>
internal static class KernelBench
{
    public static int Run(string[] args)
    {
        int n = IntArg(args, "--n", 64 * 256);
        int f = Array.IndexOf(args, "--filter");
        string? filter = f >= 0 ? args[f + 1] : null;
        var g = new Generator(1);
        float[] a = Tensor.Randn([n], g).ToArray(), b = Tensor.Randn([n], g).ToArray(), c = Tensor.Randn([n], g).ToArray();
        float[] pos = Array.ConvertAll(a, v => Math.Abs(v) + 0.1f), y = new float[n];
        double[] ad = Array.ConvertAll(a, v => (double)v), bd = Array.ConvertAll(b, v => (double)v), cd = Array.ConvertAll(c, v => (double)v);
        double[] posd = Array.ConvertAll(pos, v => (double)v), yd = new double[n];
        int rows = n / 10;

        void Case(string name, double perCall, Action act)
        {
            if (filter != null && !name.Contains(filter, StringComparison.OrdinalIgnoreCase)) return;
            Emit(name, "ns_per_element", Min(act) * 1e6 / perCall);
        }

        Case("add_f32", n, () => Elementwise.Add(a, b, y));
        Case("add_f64", n, () => Elementwise.Add(ad, bd, yd));
        Case("axpy_f32", n, () => Elementwise.Axpy(0.5f, a, y));
        Case("mul_backward_f32", n, () => Elementwise.MulBackward(a, b, c, y, default));
        Case("exp_f32", n, () => Elementwise.Exp(a, y));
        Case("exp_f64", n, () => Elementwise.Exp(ad, yd));
        Case("log_f32", n, () => Elementwise.Log(pos, y));
        Case("pow3_f32", n, () => Elementwise.Pow(a, 3f, y));
        Case("relu_f32", n, () => Activations.ReLU(a, y));
        Case("relu_f64", n, () => Activations.ReLU(ad, yd));
        Case("relu_backward_f32", n, () => Activations.ReLUBackward(a, b, y));
        Case("sigmoid_f32", n, () => Activations.Sigmoid(a, y));
        Case("sigmoid_f64", n, () => Activations.Sigmoid(ad, yd));
        Case("tanh_f32", n, () => Activations.Tanh(a, y));
        Case("tanh_backward_f32", n, () => Activations.TanhBackward(a, b, y));
        Case("gelu_f32", n, () => Activations.GELU(a, y));
        Case("elu_f32", n, () => Activations.ELU(a, 1f, y));
        Case("softplus_f32", n, () => Activations.Softplus(a, y));
        Case("softmax_rows10_f32", rows * 10, () => Softmax.Forward(a.AsSpan(0, rows * 10), y.AsSpan(0, rows * 10), rows, 10));
        Case("softmax_rows10_f64", rows * 10, () => Softmax.Forward(ad.AsSpan(0, rows * 10), yd.AsSpan(0, rows * 10), rows, 10));
        Case("log_softmax_rows10_f32", rows * 10, () => Softmax.LogForward(a.AsSpan(0, rows * 10), y.AsSpan(0, rows * 10), rows, 10));
        Case("softmax_backward_rows10_f32", rows * 10, () => Softmax.Backward(a.AsSpan(0, rows * 10), b.AsSpan(0, rows * 10), y.AsSpan(0, rows * 10), rows, 10));
        Case("softmax_row_f32", n, () => Softmax.Forward(a, y, 1, n));
        Case("sum_f32", n, () => Reductions.Sum(a));
        Case("sum_f64", n, () => Reductions.Sum(ad));
        Case("dot_f32", n, () => Reductions.Dot(a, b));
        Case("max_f32", n, () => Reductions.Max(a));
        Case("argmax_f32", n, () => Reductions.ArgMax(a));
        Case("sum_rows10_f32", rows * 10, () => Reductions.SumRows(a.AsSpan(0, rows * 10), y.AsSpan(0, rows), rows, 10));

        // Tensor operations (no recording unless named "backward"), [64, 256] activations.
        var ta = Tensor.Randn([n / 256, 256], g);
        var tb = Tensor.Randn([n / 256, 256], g);
        var bias = Tensor.Randn([256], g);
        var tad = ta.ToDType(DType.Float64);
        var arena = new TensorArena();
        void TensorCase(string name, Action act) => Case(name, n, () => { using (arena.Enter()) using (GradMode.NoGrad()) act(); });
        TensorCase("tensor_add_f32", () => _ = ta + tb);
        TensorCase("tensor_add_f64", () => _ = tad + tad);
        TensorCase("tensor_add_bias_f32", () => _ = ta + bias);
        TensorCase("tensor_mul_scalar_f32", () => _ = ta * 0.5);
        TensorCase("tensor_exp_f32", () => _ = ta.Exp());
        TensorCase("tensor_relu_f32", () => _ = ta.ReLU());
        TensorCase("tensor_sigmoid_f32", () => _ = ta.Sigmoid());
        TensorCase("tensor_sum_axis0_f32", () => _ = ta.Sum(0));
        TensorCase("tensor_sum_axis1_f32", () => _ = ta.Sum(1));
        TensorCase("tensor_max_axis1_f32", () => _ = ta.Max(1));
        TensorCase("tensor_softmax_f32", () => _ = ta.Softmax());
        var tr = ta.Detach(); tr.RequiresGrad = true;
        Case("tensor_relu_backward_f32", n, () =>
        {
            using (arena.Enter()) tr.ReLU().Sum().Backward();
            tr.ZeroGrad(setToNone: false);
        });
        Case("tensor_tanh_backward_f32", n, () =>
        {
            using (arena.Enter()) tr.Tanh().Sum().Backward();
            tr.ZeroGrad(setToNone: false);
        });

        // An Adam step over a 784-256-128-10 MLP's parameters, and the fused softmax cross-entropy on [64, 10].
        var ps = new[] { new Parameter(Tensor.Randn([256, 784], g)), new Parameter(Tensor.Randn([256], g), isBias: true),
            new Parameter(Tensor.Randn([128, 256], g)), new Parameter(Tensor.Randn([10, 128], g)) };
        foreach (var p in ps) p.Grad = Tensor.Randn(p.Shape.ToArray(), g);
        var adam = new Adam(ps, 1e-3);
        Case("adam_step_mlp", ps.Sum(p => p.Numel), adam.Step);
        var logits = Tensor.Randn([64, 10], g); logits.RequiresGrad = true;
        var labels = Enumerable.Range(0, 64).Select(i => (float)(i % 10)).ToArray();
        var target = Tensor.FromArray(labels, [64]);
        var ce = new CrossEntropy();
        Case("cross_entropy_fwd_bwd_64x10", 640, () =>
        {
            using (arena.Enter()) ce.Forward(logits, target).Backward();
            logits.ZeroGrad(setToNone: false);
        });
        return 0;
    }

    /// <summary>Minimum milliseconds per call over repetitions of batches (at least 0.3 s of timing after a warm-up).</summary>
    private static double Min(Action act)
    {
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalMilliseconds < 100) act();
        int inner = 1;
        while (true) // calls per timed batch: about 0.2 ms
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < inner; i++) act();
            if (Stopwatch.GetElapsedTime(t0).TotalMilliseconds > 0.2 || inner >= 1 << 20) break;
            inner *= 2;
        }
        double best = double.MaxValue;
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < 0.3)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < inner; i++) act();
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalMilliseconds / inner);
        }
        return best;
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static void Emit(string c, string metric, double value) =>
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["case"] = c, ["metric"] = metric, ["value"] = Math.Round(value, 4), ["unit"] = "ns" }));
}
