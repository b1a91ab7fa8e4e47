using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Bench;

/// <summary>
/// Conv2d forward and forward+backward (input, weight and bias gradients) of the LeNet-5, 32c3-64c3 CNN and CompactBNCNN layers at
/// batch 64, float32: milliseconds per call (median of timed repetitions), as JSON lines {"case","metric","value","unit"}.
/// The same cases run in PyTorch with bench/torch_bench.py conv_layers. <c>--kernels</c> adds the three kernels alone
/// (median and minimum, the minimum being the figure least disturbed on a shared machine); <c>--im2col</c> runs the
/// im2col + GEMM method where the implicit GEMM would apply, <c>--avx2</c> the AVX2 paths on an AVX-512 machine,
/// <c>--channel-rows</c> the AVX2 channel-rows tiles where the pixel-rows ones would run, <c>--no-winograd</c> the direct
/// tiles where Winograd would run (F(2×2, 3×3) forward and input gradient, F(3×3, 2×2) weight gradient);
/// <c>--case NAME</c> runs that layer only. <c>--cpu-time</c> times with the calling thread's CPU clock instead of the
/// wall clock: meaningful with <c>--threads 1</c> only, it ignores preemption on a busy machine. Every timing starts after the runtime has stopped compiling (see <c>WarmUp</c>).
/// </summary>
internal static class ConvBench
{
    public static readonly (string Name, int C, int K, int H, int F, int Pad)[] Layers =
    [
        ("lenet_conv1", 1, 6, 28, 5, 2),
        ("lenet_conv2", 6, 16, 14, 5, 0),
        ("cnn_conv1", 1, 32, 28, 3, 0),
        ("cnn_conv2", 32, 64, 26, 3, 0),
        // The recipes' CompactBNCNN (mnist-best, fashion-best): 3x3 "same" convolutions after the first.
        ("bncnn_conv2", 16, 32, 28, 3, 1),
        ("bncnn_conv3", 32, 32, 14, 3, 1),
        ("bncnn_conv4", 32, 64, 14, 3, 1),
    ];

    public static int Run(string[] args)
    {
        int i = Array.IndexOf(args, "--threads");
        if (i >= 0) Threads.Max = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
        ConvDirect.Disable = args.Contains("--im2col");
        ConvDirect.DisablePixelRows = args.Contains("--channel-rows");
        ConvWinogradAvx2.Disable = args.Contains("--no-winograd");
        ConvWinograd128.Disable = args.Contains("--no-winograd");
        ThreadCpuClock.Enabled = args.Contains("--cpu-time");
        Gemm.DisableAvx512 = args.Contains("--avx2");
        var g = new Generator(1);
        int only = Array.IndexOf(args, "--case");
        foreach (var (name, c, k, h, f, pad) in Layers)
        {
            if (only >= 0 && name != args[only + 1]) continue;
            var x = Tensor.Randn([64, c, h, h], g); x.RequiresGrad = true;
            var w = Tensor.Randn([k, c, f, f], g); w.RequiresGrad = true;
            var b = Tensor.Randn([k], g); b.RequiresGrad = true;
            // As in a training step (Trainer.Fit): outputs and intermediate gradients in a tensor arena, the leaves'
            // gradients kept and written in place; so the figures are the kernels', not fresh-memory page faults.
            var arena = new TensorArena();
            var fwd = Time(() => { using (arena.Enter()) using (Autograd.GradMode.NoGrad()) Tensor.Conv2d(x, w, b, padding: (pad, pad)); });
            var both = Time(() =>
            {
                using (arena.Enter())
                {
                    var y = Tensor.Conv2d(x, w, b, padding: (pad, pad));
                    y.Backward(Tensor.OnesLike(y));
                }
                x.ZeroGrad(setToNone: false); w.ZeroGrad(setToNone: false); b.ZeroGrad(setToNone: false);
            });
            Emit(name, "forward_ms", fwd);
            Emit(name, "forward_backward_ms", both);
            if (args.Contains("--kernels")) Kernels(name, c, k, h, f, pad, g);
        }
        if (args.Contains("--kernels"))
            foreach (var (name, c, h) in new[] { ("lenet_pool1", 6, 28), ("lenet_pool2", 16, 10), ("cnn_pool", 64, 24) })
            {
                var pg = new Pool2dGeometry(64, c, h, h, 2, 2, 2, 2);
                float[] x = Tensor.Randn([pg.InputLength], g).ToArray(), y = new float[pg.OutputLength], dx = new float[pg.InputLength];
                var arg = new int[pg.OutputLength];
                Emit(name, "kernel_forward_ms", Time(() => Pooling.MaxPool2dForward<float>(pg, x, y, arg)));
                Emit(name, "kernel_backward_ms", Time(() => Pooling.MaxPool2dBackward<float>(pg, y, arg, dx, accumulate: false)));
            }
        return 0;
    }

    // The three kernels alone (no autograd), to see where a layer's time goes.
    private static void Kernels(string name, int c, int k, int h, int f, int pad, Generator g)
    {
        var geo = new Conv2dGeometry(64, c, h, h, k, f, f, padH: pad, padW: pad);
        float[] x = Tensor.Randn([geo.InputLength], g).ToArray(), w = Tensor.Randn([geo.WeightLength], g).ToArray();
        float[] y = new float[geo.OutputLength], dx = new float[geo.InputLength], dw = new float[geo.WeightLength], db = new float[k];
        EmitBoth(name, "kernel_forward_ms", () => Convolution.Conv2dForward<float>(geo, x, w, db, y));
        EmitBoth(name, "kernel_input_grad_ms", () => Convolution.Conv2dBackwardInput<float>(geo, y, w, dx, accumulate: false));
        EmitBoth(name, "kernel_weight_grad_ms", () => Convolution.Conv2dBackwardWeight<float>(geo, x, y, dw, db));
    }

    private static void EmitBoth(string name, string metric, Action a)
    {
        double min = double.MaxValue;
        Emit(name, metric, Time(a, t => min = Math.Min(min, t)));
        Emit(name, metric.Replace("_ms", "_min_ms", StringComparison.Ordinal), min);
    }

    private static double Time(Action a, Action<double>? each = null)
    {
        WarmUp(a);
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < 5 || (total.Elapsed.TotalSeconds < 1.0 && times.Count < 200))
        {
            long t0 = Stopwatch.GetTimestamp();
            double c0 = ThreadCpuClock.Enabled ? ThreadCpuClock.Seconds() : 0;
            a();
            times.Add(ThreadCpuClock.Enabled ? (ThreadCpuClock.Seconds() - c0) * 1e3 : Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            each?.Invoke(times[^1]);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>
    /// Runs <paramref name="a"/> until the runtime has stopped compiling: at least 3 times, then until no method was
    /// compiled for 300 ms (at most 10 s). Tiered compilation first runs new methods unoptimized and recompiles the hot
    /// ones in the background about 100 ms after their 30th call, so 3 calls alone time unoptimized code (LeNet conv1
    /// forward 0.33-0.55 ms after 3 calls against 0.25 ms with DOTNET_TieredCompilation=0). PyTorch has no JIT, and its
    /// 3 warm-up calls in bench/torch_bench.py reach its steady state.
    /// </summary>
    private static void WarmUp(Action a)
    {
        var total = Stopwatch.StartNew();
        long compiled = System.Runtime.JitInfo.GetCompiledMethodCount(), quietSince = 0;
        for (int i = 0; i < 3 || (total.ElapsedMilliseconds - quietSince < 300 && total.ElapsedMilliseconds < 10_000); i++)
        {
            a();
            long now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now != compiled) (compiled, quietSince) = (now, total.ElapsedMilliseconds);
        }
    }

    private static void Emit(string c, string metric, double value) =>
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["case"] = c, ["metric"] = metric, ["value"] = value, ["unit"] = "ms" }));
}
