using System.Diagnostics;
using Nabla.Diagnostics;
using Nabla.Lessons.Svg;
using Nabla.Losses;
using Nabla.Models;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Lessons.Pages;

/// <summary>Lesson 12: measured time per epoch against parameters and multiply-accumulates, beside the notes' Big-O statements.</summary>
public sealed class ComplexityLesson : Lesson
{
    /// <inheritdoc/>
    public override string Slug => "12-complexity";

    /// <inheritdoc/>
    public override string Title => "12. Complexity: what training costs";

    /// <inheritdoc/>
    public override string Summary => "Time per epoch measured for a family of model sizes, on log-log axes, against O(n·t·Σ input_dim × output_dim).";

    /// <inheritdoc/>
    public override void Build(LessonPage page, LessonContext context)
    {
        page.Text("The notes: forward propagation of one layer costs O(j·i·t) for t examples, i inputs and j outputs; for all layers " +
                  "O(t·Σ input_dim × output_dim); backward propagation the same order; n epochs O(n·t·Σ input_dim × output_dim). So the " +
                  "time of an epoch should grow linearly with the multiply-accumulates of the model, a straight line of slope 1 on log-log " +
                  "axes once the model is large enough that fixed overheads stop mattering.");
        // <snippet timing>
        var data = context.MnistTrain(context.Pick(1024, 4096)).Flatten();
        var widths = context.Quick ? new[] { 16, 64, 256, 512 } : new[] { 16, 32, 64, 128, 256, 512, 1024 };
        var rows = new List<(int Width, long Parameters, long Macs, double Seconds)>();
        foreach (int width in widths)
        {
            Generator.ManualSeed(1);
            var model = ModelZoo.MLP([width, width]);
            var summary = model.Summary(1, 784);
            var sgd = new SGD(model.Parameters(), 0.01);
            void Epoch()
            {
                for (int start = 0; start + 64 <= data.Count; start += 64)
                {
                    var batch = data.Slice(start, 64);
                    var loss = new CrossEntropy().Forward(model.Forward(batch.Features), batch.Labels!);
                    sgd.ZeroGrad();
                    loss.Backward();
                    sgd.Step();
                }
            }
            Epoch();                                               // warm-up: JIT, buffers
            var watch = Stopwatch.StartNew();
            Epoch();
            rows.Add((width, summary.TotalParameters, summary.TotalMultiplyAccumulates * data.Count, watch.Elapsed.TotalSeconds));
        }
        // </snippet>
        page.Code("timing");
        double[] macs = rows.Select(r => (double)r.Macs).ToArray(), secs = rows.Select(r => r.Seconds).ToArray();
        double slope = Slope(macs.Skip(macs.Length / 2).ToArray(), secs.Skip(secs.Length / 2).ToArray());
        page.Figure(new Plot("Time per epoch against forward multiply-accumulates", "multiply-accumulates per epoch (forward)", "seconds per epoch") { LogX = true, LogY = true }
            .Line("measured (784-w-w-10 MLPs)", macs, secs, markers: true)
            .Line("slope 1 (linear in work)", [macs[0], macs[^1]], [secs[^1] * macs[0] / macs[^1], secs[^1]], dashed: true).ToSvg(),
            $"The larger models lie close to slope 1: a fitted slope of {Fmt.F(slope, 2)} over the larger half. Small models sit above the line: per-batch overhead dominates.");
        page.Figure(new Plot("Time per epoch against parameters", "parameters", "seconds per epoch") { LogX = true, LogY = true }
            .Line("measured", rows.Select(r => (double)r.Parameters).ToArray(), secs, markers: true, color: Plot.Color(2)).ToSvg(),
            "For a fully connected network each weight is used once per example forward and twice backward, so parameters and work grow together.");
        page.Table("timing", $"Measured on this machine, {data.Count} examples per epoch, batch 64", ["hidden width", "parameters", "forward MACs per epoch", "seconds per epoch", "ns per MAC (fwd + bwd)"],
            rows.Select(r => (IReadOnlyList<string>)[Fmt.G(r.Width), Fmt.N(r.Parameters), Fmt.N(r.Macs), Fmt.F(r.Seconds, 3), Fmt.F(r.Seconds * 1e9 / r.Macs, 3)]));
        page.Heading("The notes' Big-O statements");
        page.Table("bigo", "Complexity ranking and the network costs, as the notes state them", ["statement", "order"],
            [
                ["5n³ + 200n² + 15", "O(n³)"], ["3n² + 2³⁰⁰", "O(n²)"], ["4n + log n", "O(n)"], ["2⁶⁴", "O(1)"], ["2ⁿ + n¹⁰⁰⁰", "O(2ⁿ)"],
                ["one layer forward, t examples, i → j units", "O(j·i·t)"],
                ["all layers, forward or backward", "O(t·Σ input_dim × output_dim)"],
                ["n epochs", "O(n·t·Σ input_dim × output_dim)"],
            ]);
        page.Implements("src/Nabla/Diagnostics/ModelSummary.cs", "src/Nabla.Core/Kernels/Gemm.cs", "src/Nabla/NN/Linear.cs");
    }

    private static double Slope(double[] x, double[] y)
    {
        var lx = x.Select(Math.Log10).ToArray();
        var ly = y.Select(Math.Log10).ToArray();
        double mx = lx.Average(), my = ly.Average();
        return lx.Zip(ly).Sum(p => (p.First - mx) * (p.Second - my)) / Math.Max(1e-12, lx.Sum(v => (v - mx) * (v - mx)));
    }
}
