using Nabla.Lessons.Svg;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Lessons.Pages;

/// <summary>Lesson 5: optimizer trajectories on 2-D surfaces, learning rates, schedules and the log-scale rate search.</summary>
public sealed class OptimizationLesson : Lesson
{
    /// <inheritdoc/>
    public override string Slug => "05-optimization";

    /// <inheritdoc/>
    public override string Title => "5. Optimization: gradient descent and its refinements";

    /// <inheritdoc/>
    public override string Summary => "GD, SGD, momentum, Nesterov, AdaGrad, RMSProp, RMSProp + Nesterov, AdaDelta and Adam on three surfaces; learning rates; schedules; the learning-rate search.";

    private sealed record Surface(string Name, Func<Tensor, Tensor> Loss, Func<double, double, double> F, double[] Start,
        (double, double) XRange, (double, double) YRange, double[] Levels, int Steps, double PlainScale, double AdaptiveScale, double[]? Minimum = null);

    /// <inheritdoc/>
    public override void Build(LessonPage page, LessonContext context)
    {
        page.Text("Gradient descent repeats w ← w − η ∇L(w). On a long narrow valley it zig-zags across and crawls along; momentum " +
                  "(v ← γv − η∇L, w ← w + v) accumulates speed along the valley; Nesterov evaluates the gradient at the look-ahead point; " +
                  "AdaGrad divides each coordinate's step by the root of its summed squared gradients; RMSProp uses a moving average instead; " +
                  "AdaDelta also rescales by past step sizes; Adam combines momentum with RMSProp's scaling and corrects both averages' bias.");
        page.Heading("Trajectories on three surfaces");
        page.Text("Each optimizer below is Nabla's class, stepping a single 2-D parameter from the same start. SGD is gradient descent with " +
                  "a noisy gradient (the gradient of a random mini-batch, imitated by adding Gaussian noise).");
        // <snippet trajectories>
        List<(double X, double Y)> Run(Func<Tensor, Tensor> loss, double[] start, Func<Parameter, Optimizer> make, int steps, double noise = 0)
        {
            var w = new Parameter(Tensor.FromArray((double[])start.Clone(), 2));
            var optimizer = make(w);
            var noiseSource = new Generator(11);
            var path = new List<(double, double)> { (start[0], start[1]) };
            for (int t = 0; t < steps; t++)
            {
                optimizer.ZeroGrad();
                loss(w).Backward();
                if (noise > 0) w.Grad!.AddInPlace(Tensor.Randn([2], noiseSource, DType.Float64) * noise);
                optimizer.Step();
                var now = w.Data.ToDoubleArray();
                path.Add((now[0], now[1]));
            }
            return path;
        }
        // Rates for the quadratic; each surface scales them (Scale) for its own curvature.
        var optimizers = new (string Name, bool Adaptive, Func<Parameter, double, Optimizer> Make, double Noise)[]
        {
            ("GD", false, (w, scale) => new SGD([w], 0.04 * scale), 0),
            ("SGD (noisy gradient)", false, (w, scale) => new SGD([w], 0.04 * scale), 1),
            ("momentum 0.9", false, (w, scale) => new SGD([w], 0.01 * scale, momentum: 0.9), 0),
            ("Nesterov 0.9", false, (w, scale) => new SGD([w], 0.01 * scale, momentum: 0.9, nesterov: true), 0),
            ("AdaGrad", true, (w, scale) => new AdaGrad([w], 0.4 * scale), 0),
            ("RMSProp", true, (w, scale) => new RMSProp([w], 0.03 * scale), 0),
            ("RMSProp + Nesterov", true, (w, scale) => new RMSPropNesterov([w], 0.005 * scale, momentum: 0.9), 0),
            ("AdaDelta (no rate)", true, (w, scale) => new AdaDelta([w], 1.0, rho: 0.9), 0),
            ("Adam", true, (w, scale) => new Adam([w], 0.1 * scale), 0),
        };
        // </snippet>
        page.Code("trajectories");
        var surfaces = new[]
        {
            new Surface("Ill-conditioned quadratic  L = x² + 10y²",
                w => (w.Square() * Tensor.FromArray(new[] { 1.0, 10.0 }, 2)).Sum(), (x, y) => x * x + 10 * y * y,
                [-4.5, 1.5], (-5, 5), (-2.5, 2.5), [0.1, 0.5, 1, 2, 4, 8, 16, 32], context.Pick(100, 150), 1, 1, [0, 0]),
            new Surface("Rosenbrock  L = (1 − x)² + 100(y − x²)²",
                w => { var x = w.Narrow(0, 0, 1); var y = w.Narrow(0, 1, 1); return ((1.0 - x).Square() + 100.0 * (y - x.Square()).Square()).Sum(); },
                (x, y) => (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x),
                [-1.2, 1.0], (-2, 2), (-1, 3), [0.3, 1, 3, 10, 30, 100, 300], context.Pick(1500, 3000), 0.02, 0.2, [1, 1]),
            new Surface("Saddle  L = x² − y²",
                w => (w.Square() * Tensor.FromArray(new[] { 1.0, -1.0 }, 2)).Sum(), (x, y) => x * x - y * y,
                [-2.0, 0.01], (-2.5, 2.5), (-2.5, 2.5), [-4, -2, -1, -0.25, 0.25, 1, 2, 4], context.Pick(100, 150), 0.5, 1),
        };
        foreach (var s in surfaces)
        {
            var finals = new List<string>();
            foreach (bool adaptive in new[] { false, true })
            {
                var plot = new Plot(s.Name, "x", "y") { Width = 420, Height = 380, XRange = s.XRange, YRange = s.YRange }.Contour(s.F, s.Levels);
                for (int i = 0; i < optimizers.Length; i++)
                {
                    var o = optimizers[i];
                    if (o.Adaptive != adaptive) continue;
                    var path = Run(s.Loss, s.Start, w => o.Make(w, adaptive ? s.AdaptiveScale : s.PlainScale), s.Steps, o.Noise);
                    plot.Line(o.Name, path.Select(p => p.X).ToArray(), path.Select(p => p.Y).ToArray(), color: Plot.Color(i), width: 2);
                    finals.Add($"{o.Name} {Fmt.G(s.F(path[^1].X, path[^1].Y))}");
                }
                plot.Points(null, [s.Start[0]], [s.Start[1]], "#000", 5).Label(s.Start[0], s.Start[1], "start");
                if (s.Minimum is { } m) plot.Points(null, [m[0]], [m[1]], "#000", 5).Label(m[0], m[1], "minimum");
                page.Figure(plot.ToSvg(), adaptive ? $"Adaptive rates. Final losses of all nine after {s.Steps} steps: {string.Join(", ", finals)}." : $"Gradient descent and momentum: {s.Steps} steps from the same start.");
            }
        }
        page.Text("Momentum and Nesterov overshoot but race along the valley; the adaptive methods take steps of similar size in both " +
                  "coordinates, so the narrow direction no longer dictates the pace. On the saddle, plain GD barely moves off the ridge " +
                  "(the gradient along y starts at 0.02) while the adaptive methods escape at once. AdaDelta has no learning rate: its steps are " +
                  "the ratio of two running averages that both start at 0, so it begins with tiny steps and barely leaves the start here.");

        page.Heading("The learning rate: too small, right, too large");
        // <snippet rates>
        var rates = new[] { 0.005, 0.05, 0.102 };
        var curves = rates.Select(rate =>
        {
            var w = new Parameter(Tensor.FromArray(new[] { -4.5, 1.5 }, 2));
            var gd = new SGD([w], rate);
            var losses = new List<double>();
            for (int t = 0; t < 60; t++)
            {
                gd.ZeroGrad();
                var loss = (w.Data.Square() * Tensor.FromArray(new[] { 1.0, 10.0 }, 2)).Sum();
                losses.Add(loss.Item());
                loss.Backward();
                gd.Step();
            }
            return losses.ToArray();
        }).ToList();
        // </snippet>
        page.Code("rates");
        var lplot = new Plot("Gradient descent on x² + 10y² at three rates", "step", "loss (log scale)") { LogY = true };
        string[] verdict = ["too small", "right", "too large"];
        for (int i = 0; i < rates.Length; i++)
            lplot.Line($"η = {Fmt.G(rates[i])} ({verdict[i]})", Enumerable.Range(0, 60).Select(t => (double)t).ToArray(), curves[i]);
        page.Figure(lplot.ToSvg(), "Too small crawls; too large (above 2/curvature = 0.1 for the 10y² direction) oscillates with growing amplitude and diverges.");

        page.Heading("Learning-rate schedules");
        // <snippet schedules>
        var schedules = new (string Name, LearningRateSchedule Schedule)[]
        {
            ("step: ×0.5 every 25", new StepDecay(0.1, 0.5, 25)),
            ("exponential: ×0.97 per step", new ExponentialDecay(0.1, 0.97)),
            ("1/t: η/(1 + 0.1t)", new InverseTimeDecay(0.1, 0.1)),
            ("η/√(t + 1)", new InverseSqrtDecay(0.1)),
            ("linear to 0.01", new LinearDecay(0.1, 0.01, 100)),
            ("cosine", new CosineDecay(0.1, 100)),
            ("warm-up 10, then cosine", new LinearWarmup(new CosineDecay(0.1, 90), 10)),
        };
        // </snippet>
        page.Code("schedules");
        var splot = new Plot("Learning rate against step", "step t", "learning rate η(t)") { Width = 560 };
        var ts = Enumerable.Range(0, 101).Select(t => (double)t).ToArray();
        foreach (var (name, schedule) in schedules) splot.Line(name, ts, ts.Select(t => schedule.Rate((long)t)).ToArray());
        page.Figure(splot.ToSvg(), "Large steps while far from a minimum, small ones for fine-tuning at the end; the 1/√(t+1) decay is the notes' AdaGrad example.");

        page.Heading("Searching the learning rate on a log scale");
        page.Text("The notes: grid-search the learning rate on a log scale from 0.1 down to 1e−5 or 1e−6. Nabla's LearningRateSearch.Grid " +
                  "trains a fresh optimizer from the same initial weights for each rate and keeps the one with the lowest loss.");
        // <snippet lrsearch>
        Generator.ManualSeed(5);
        var digits = context.MnistTrain(context.Pick(512, 2048)).Flatten();
        var mlp = new Sequential(new Linear(784, 64), new ReLU(), new Linear(64, 10));
        var search = LearningRateSearch.Grid(mlp.Parameters(), rate => new SGD(mlp.Parameters(), rate, momentum: 0.9), optimizer =>
        {
            double last = double.NaN;
            for (int epoch = 0; epoch < context.Pick(2, 3); epoch++)
                for (int start = 0; start + 64 <= digits.Count; start += 64)
                {
                    var batch = digits.Slice(start, 64);
                    var loss = new CrossEntropy().Forward(mlp.Forward(batch.Features), batch.Labels!);
                    optimizer.ZeroGrad();
                    loss.Backward();
                    optimizer.Step();
                    last = loss.Item();
                }
            return last;
        }, LearningRateSearch.LogGrid(1.0, 1e-6));
        // </snippet>
        page.Code("lrsearch");
        var ok = search.Trials.Where(t => !t.Diverged).ToList();
        var gplot = new Plot("Final training loss against learning rate", "learning rate (log scale)", "final loss") { LogX = true }
            .Line("SGD + momentum 0.9", ok.Select(t => t.LearningRate).ToArray(), ok.Select(t => t.Loss).ToArray(), markers: true);
        if (search.Best is { } best) gplot.VLine(best.LearningRate, $"best: {Fmt.G(best.LearningRate)}", "#2ca02c");
        foreach (var d in search.Trials.Where(t => t.Diverged)) gplot.VLine(d.LearningRate, "diverged", "#d62728");
        page.Figure(gplot.ToSvg(), "Too small a rate leaves the loss near its start (ln 10 ≈ 2.3); too large a rate diverges; the best lies in between.");
        page.Implements("src/Nabla/Optim/SGD.cs", "src/Nabla/Optim/AdaGrad.cs", "src/Nabla/Optim/RMSProp.cs", "src/Nabla/Optim/RMSPropNesterov.cs",
            "src/Nabla/Optim/AdaDelta.cs", "src/Nabla/Optim/Adam.cs", "src/Nabla/Optim/LearningRateSchedule.cs", "src/Nabla/Optim/LearningRateSearch.cs");
    }
}
