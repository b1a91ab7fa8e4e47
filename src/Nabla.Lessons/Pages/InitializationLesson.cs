using Nabla.Lessons.Svg;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Lessons.Pages;

/// <summary>Lesson 6: activation statistics of deep tanh and ReLU networks under four initializations; why zeros fail.</summary>
public sealed class InitializationLesson : Lesson
{
    /// <inheritdoc/>
    public override string Slug => "06-initialization";

    /// <inheritdoc/>
    public override string Title => "6. Weight initialization";

    /// <inheritdoc/>
    public override string Summary => "Per-layer activation histograms of deep tanh and ReLU networks under zeros, small normal, Xavier and He; why zeros fail.";

    /// <inheritdoc/>
    public override void Build(LessonPage page, LessonContext context)
    {
        page.Text("The notes: initialize the weights randomly, NOT to 0; the simplest way is a normal distribution with zero mean and a small " +
                  "standard deviation, but in deep models the scale matters. Push a batch of random inputs through ten layers and watch the " +
                  "activations: too small a scale shrinks them towards 0 layer after layer (and the gradients with them), too large saturates " +
                  "tanh. Xavier (std √(2/(fan_in + fan_out))) keeps tanh layers alive; He (std √(2/fan_in)) does the same for ReLU.");
        int width = context.Pick(256, 512), depth = 10, samples = context.Pick(500, 2000);
        // <snippet deep>
        List<double[]> LayerActivations(Func<Module> activation, Action<Tensor> init)
        {
            Generator.ManualSeed(1);
            var x = Tensor.Randn([samples, width]);
            var outputs = new List<double[]>();
            for (int l = 0; l < depth; l++)
            {
                var linear = new Linear(width, width);
                init(linear.Weight.Data);
                Init.Zeros(linear.Bias!.Data);
                x = activation().Forward(linear.Forward(x));
                outputs.Add(x.ToDoubleArray());
            }
            return outputs;
        }
        var inits = new (string Name, Action<Tensor> Init)[]
        {
            ("zeros", w => Init.Zeros(w)),
            ("small normal (std 0.01)", w => Init.Normal(w, 0, 0.01)),
            ("Xavier", w => Init.XavierNormal(w)),
            ("He", w => Init.KaimingNormal(w)),
        };
        // </snippet>
        page.Code("deep");
        foreach (var (actName, act) in new (string, Func<Module>)[] { ("tanh", () => new Tanh()), ("ReLU", () => new ReLU()) })
        {
            page.Heading($"A {depth}-layer {actName} network, {width} units per layer");
            var std = new Plot($"{actName}: standard deviation of each layer's activations", "layer", "std (log scale)") { LogY = true, Width = 500 };
            for (int i = 0; i < inits.Length; i++)
            {
                var acts = LayerActivations(act, inits[i].Init);
                double[] stds = acts.Select(a => Math.Sqrt(a.Select(v => v * v).Average() - Math.Pow(a.Average(), 2))).ToArray();
                std.Line(inits[i].Name, Enumerable.Range(1, depth).Select(l => (double)l).ToArray(), stds.Select(s => s == 0 ? double.NaN : s).ToArray(), color: Plot.Color(i), markers: true);
                if (i == 0) continue; // all zeros: every activation is exactly 0, nothing to histogram
                // ReLU: about half the units output exactly 0; histogram the positive outputs and give the share of zeros in the legend.
                bool relu = actName == "ReLU";
                var positive = acts.SelectMany(a => a).Where(v => v > 0).OrderBy(v => v).ToArray();
                double lo = relu ? 0 : -1, hi = relu ? Math.Max(1e-12, positive.Length > 0 ? positive[(int)(0.995 * (positive.Length - 1))] : 1) : 1;
                var hist = new Plot($"{actName}, {inits[i].Name}", relu ? "activation value (units with output > 0)" : "activation value", "share of units") { Width = 420, Height = 300 };
                foreach (int l in new[] { 0, 2, 5, 9 })
                {
                    var values = relu ? acts[l].Where(v => v > 0).ToArray() : acts[l];
                    var (edges, share) = Histogram(values.Length > 0 ? values : [0], lo, hi, 40);
                    double[] mids = edges.Zip(edges.Skip(1), (p, q) => (p + q) / 2).ToArray();
                    double zeros = 1 - values.Length / (double)acts[l].Length;
                    hist.Line(relu ? $"layer {l + 1} ({Fmt.F(100 * zeros, 0)}% zero)" : $"layer {l + 1}", mids, share);
                }
                page.Figure(hist.ToSvg(), $"{actName} with {inits[i].Name}: the distribution of activations in layers 1, 3, 6 and 10.");
            }
            page.Figure(std.ToSvg(), $"{actName}: the zeros line is missing because every activation is exactly 0 (log scale).");
        }

        page.Heading("Why zeros (or any constant) fail: symmetry");
        page.Text("If every weight starts equal, every hidden unit computes the same function and receives the same gradient, so they stay equal " +
                  "forever: the layer behaves like one unit. With all zeros and tanh it is worse: the hidden activations are 0, so the first " +
                  "layer's gradient is 0 and it never moves.");
        // <snippet symmetry>
        var points = Tensor.Randn([256, 2], new Generator(4));
        var p = points.ToDoubleArray();
        int[] inside = Enumerable.Range(0, 256).Select(i => p[2 * i] * p[2 * i] + p[2 * i + 1] * p[2 * i + 1] < 1.4 ? 1 : 0).ToArray();
        (int Distinct, double Largest, double Accuracy) TrainFrom(Action<Tensor> init)
        {
            Generator.ManualSeed(2);
            var hidden = new Linear(2, 8);
            var output = new Linear(8, 2);
            foreach (var layer in new[] { hidden, output }) { init(layer.Weight.Data); Init.Zeros(layer.Bias!.Data); }
            var net = new Sequential(hidden, new Tanh(), output);
            var sgd = new SGD(net.Parameters(), 0.5);
            for (int step = 0; step < 300; step++)
            {
                var loss = new CrossEntropy().Forward(net.Forward(points), inside);
                sgd.ZeroGrad();
                loss.Backward();
                sgd.Step();
            }
            var rows = Enumerable.Range(0, 8).Select(r => hidden.Weight.Data.Rows(r, 1).ToDoubleArray()).ToList();
            int distinct = rows.Where((row, r) => rows.Take(r).All(o => o.Zip(row).Max(z => Math.Abs(z.First - z.Second)) > 1e-6)).Count();
            double accuracy = net.Forward(points).ArgMaxRows().Zip(inside).Count(z => z.First == z.Second) / 256.0;
            return (distinct, hidden.Weight.Data.Abs().Max().Item(), accuracy);
        }
        var results = new (string Name, Action<Tensor> Init)[]
            { ("all zeros", w => Init.Zeros(w)), ("all 0.5", w => Init.Constant(w, 0.5)), ("Xavier (random)", w => Init.XavierNormal(w)) }
            .Select(i => (i.Name, Result: TrainFrom(i.Init))).ToList();
        // </snippet>
        page.Code("symmetry");
        page.Table("symmetry", "8 hidden tanh units after 300 steps of gradient descent on 'inside the circle?' (256 points)",
            ["initialization", "distinct hidden units", "largest |first-layer weight|", "training accuracy"],
            results.Select(r => (IReadOnlyList<string>)[r.Name, Fmt.G(r.Result.Distinct), Fmt.F(r.Result.Largest, 4), Fmt.F(r.Result.Accuracy, 3)]));
        page.Implements("src/Nabla/NN/Init.cs", "src/Nabla/NN/Linear.cs");
    }

    private static (double[] Edges, double[] Share) Histogram(double[] values, double lo, double hi, int bins)
    {
        var counts = new double[bins];
        foreach (var v in values) counts[Math.Clamp((int)((v - lo) / (hi - lo) * bins), 0, bins - 1)]++;
        return (Enumerable.Range(0, bins + 1).Select(i => lo + (hi - lo) * i / bins).ToArray(), counts.Select(c => c / values.Length).ToArray());
    }
}
