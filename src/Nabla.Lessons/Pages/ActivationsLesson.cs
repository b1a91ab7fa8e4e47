using Nabla.Lessons.Svg;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Lessons.Pages;

/// <summary>Lesson 2: every activation of the notes with its derivative (from autograd), softmax with temperature, maxout.</summary>
public sealed class ActivationsLesson : Lesson
{
    /// <inheritdoc/>
    public override string Slug => "02-activations";

    /// <inheritdoc/>
    public override string Title => "2. Activation functions and their derivatives";

    /// <inheritdoc/>
    public override string Summary => "ReLU, Leaky ReLU, PReLU, ELU, sigmoid, tanh, linear, softmax with temperature and maxout, each with the derivative backpropagation uses.";

    /// <inheritdoc/>
    public override void Build(LessonPage page, LessonContext context)
    {
        page.Text("An activation turns a neuron's weighted sum into its output. Backpropagation multiplies gradients by the activation's " +
                  "derivative, so its shape matters as much as the function's: a saturated sigmoid or tanh passes almost nothing back, " +
                  "ReLU passes 1 for positive inputs. Each curve below is the layer's forward output and, dashed, the gradient autograd " +
                  "computed for it (not a formula typed in).");
        // <snippet derivative>
        (double[] X, double[] Y, double[] Dy) Curve(Func<Tensor, Tensor> activation)
        {
            var x = Tensor.FromArray(Enumerable.Range(0, 201).Select(i => -5f + i * 0.05f).ToArray(), 201);
            x.RequiresGrad = true;
            var y = activation(x);
            y.Sum().Backward();                 // dy/dx for every x at once: the activations are elementwise
            return (x.ToDoubleArray(), y.ToDoubleArray(), x.Grad!.ToDoubleArray());
        }
        var activations = new (string Name, Func<Tensor, Tensor> F)[]
        {
            ("ReLU", new ReLU().Forward),
            ("Leaky ReLU (a = 0.1)", new LeakyReLU(0.1).Forward),
            ("PReLU (learned a, starts at 0.25)", new PReLU(1, 0.25).Forward),
            ("ELU (α = 1)", new ELU(1.0).Forward),
            ("sigmoid", new Sigmoid().Forward),
            ("tanh", new Tanh().Forward),
            ("linear (identity)", new Identity().Forward),
        };
        // </snippet>
        page.Code("derivative");
        double sigmoidSlope = 0;
        foreach (var (name, f) in activations)
        {
            var (x, y, dy) = Curve(f);
            if (name == "sigmoid") sigmoidSlope = dy.Max();
            var plot = new Plot(name, "x", "y") { Width = 340, Height = 270, YRange = (-2, 5) }
                .Line("f(x)", x, y).Line("f′(x)", x, dy, dashed: true);
            page.Figure(plot.ToSvg(), name + ": the function and its derivative.");
        }
        page.Note($"The notes: the largest derivative of the sigmoid is 0.25. Nabla's autograd: {Fmt.F(sigmoidSlope, 4)}, at x = 0. " +
                  "Through ten sigmoid layers a gradient shrinks by at least 0.25¹⁰ ≈ 1e−6: the vanishing gradient.");

        page.Heading("Softmax and temperature");
        page.Text("Softmax turns scores into probabilities that sum to 1: s(xᵢ) = e^(xᵢ) / Σⱼ e^(xⱼ). The notes' forward pass ends with " +
                  "softmax([0, 0.006, 0.12]) = [0.319, 0.321, 0.36]. Dividing the scores by a temperature T first flattens (T > 1) or " +
                  "sharpens (T < 1) the distribution.");
        // <snippet softmax>
        var notes = Tensor.FromArray(new double[] { 0, 0.006, 0.12 }, 3).Softmax();
        var scores = Tensor.FromArray(new double[] { 1, 2, 3, 4 }, 4);
        var temperatures = new[] { 0.5, 1, 2, 5 };
        var byTemperature = temperatures.Select(t => (scores / t).Softmax().ToDoubleArray()).ToArray();
        // </snippet>
        page.Code("softmax");
        page.Table("softmax-notes", "The notes' softmax example, computed by Nabla", ["z", "softmax(z)"],
            notes.ToDoubleArray().Select((p, i) => (IReadOnlyList<string>)[Fmt.G(new[] { 0, 0.006, 0.12 }[i]), Fmt.F(p, 3)]));
        var tplot = new Plot("softmax(z / T) for scores z = 1, 2, 3, 4", "class (score)", "probability") { YRange = (0, 1) };
        for (int i = 0; i < temperatures.Length; i++)
            tplot.Line($"T = {Fmt.G(temperatures[i])}", [1, 2, 3, 4], byTemperature[i], markers: true);
        page.Figure(tplot.ToSvg(), "Low temperature concentrates the probability on the largest score; high temperature spreads it.");

        page.Heading("Maxout: a learned piecewise-linear activation");
        page.Text("A maxout unit outputs the largest of k linear pieces, max(w₁x + b₁, …, w_k x + b_k); ReLU is max(x, 0). " +
                  "Trained by gradient descent to imitate a convex curve, here x², more pieces give a closer piecewise-linear fit.");
        // <snippet maxout>
        var xs = Tensor.FromArray(Enumerable.Range(0, 81).Select(i => -2f + i * 0.05f).ToArray(), 81, 1);
        var target = xs.Square();
        var fits = new List<(int Pieces, double[] Y, double Loss)>();
        foreach (int pieces in new[] { 2, 3, 6 })
        {
            Generator.ManualSeed(7);
            var unit = new Maxout(1, 1, pieces);
            var adam = new Adam(unit.Parameters(), 0.05);
            for (int step = 0; step < context.Pick(600, 2000); step++)
            {
                var loss = (unit.Forward(xs) - target).Square().Mean();
                adam.ZeroGrad();
                loss.Backward();
                adam.Step();
            }
            var fit = unit.Forward(xs);
            fits.Add((pieces, fit.ToDoubleArray(), (fit - target).Square().Mean().Item()));
        }
        // </snippet>
        page.Code("maxout");
        var mplot = new Plot("Maxout fits of x²", "x", "y").Line("x² (target)", xs.ToDoubleArray(), target.ToDoubleArray(), color: "#222", width: 3);
        foreach (var (k, y, l) in fits) mplot.Line($"k = {k} pieces (MSE {Fmt.F(l, 4)})", xs.ToDoubleArray(), y, dashed: true);
        page.Figure(mplot.ToSvg(), "Each fit is the maximum of k lines; with more pieces the kinks follow the curve more closely.");
        page.Implements("src/Nabla/NN/Activations/ReLU.cs", "src/Nabla/NN/Activations/LeakyReLU.cs", "src/Nabla/NN/Activations/PReLU.cs",
            "src/Nabla/NN/Activations/ELU.cs", "src/Nabla/NN/Activations/Sigmoid.cs", "src/Nabla/NN/Activations/Tanh.cs",
            "src/Nabla/NN/Activations/Softmax.cs", "src/Nabla/NN/Maxout.cs", "src/Nabla.Core/Kernels/Activations.cs");
    }
}
