using Nabla.Autograd;
using Nabla.Lessons.Svg;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Tensors;

namespace Nabla.Lessons.Pages;

/// <summary>Lesson 4: the notes' computation graph with forward values and gradients, the add, mul and max gates, a gradient check.</summary>
public sealed class BackpropLesson : Lesson
{
    /// <inheritdoc/>
    public override string Slug => "04-backprop";

    /// <inheritdoc/>
    public override string Title => "4. Computation graphs and backpropagation";

    /// <inheritdoc/>
    public override string Summary => "J(a, b, c) = 3(a + bc) drawn with every forward value and gradient; the add, mul and max gates; analytic against numerical gradients.";

    /// <inheritdoc/>
    public override void Build(LessonPage page, LessonContext context)
    {
        page.Text("Nabla records every operation on tensors that require gradients in a graph. Backward() walks it from the output back " +
                  "to the inputs, multiplying local derivatives by the chain rule: each edge below carries its forward value (green) and " +
                  "the gradient of the output with respect to it (red).");
        page.Heading("The notes' graph: J(a, b, c) = 3(a + bc)");
        // <snippet graph>
        Tensor Leaf(double v) { var t = Tensor.Scalar(v, DType.Float64); t.RequiresGrad = true; return t; }
        var a = Leaf(5);
        var b = Leaf(3);
        var c = Leaf(2);
        var u = (b * c).RetainGrad();        // u = bc = 6
        var v = (a + u).RetainGrad();        // v = a + u = 11
        var J = 3.0 * v;                     // J = 3v = 33
        J.Backward();                        // dJ/dv, dJ/du, dJ/da, dJ/db, dJ/dc
        // </snippet>
        page.Code("graph");
        string G(Tensor t) => Fmt.G(t.Grad!.Item());
        string V(Tensor t) => Fmt.G(t.Item());
        var diagram = new GraphDiagram("J(a, b, c) = 3(a + bc) at a = 5, b = 3, c = 2", 760, 330)
            .Node("b", 70, 190, "b").Node("c", 70, 290, "c").Node("a", 70, 80, "a")
            .Node("mul", 280, 240, "×", true).Node("add", 450, 150, "+", true).Node("three", 580, 150, "×3", true).Node("J", 715, 150, "J")
            .Edge("b", "mul", $"b = {V(b)}", $"∂J/∂b = {G(b)}").Edge("c", "mul", $"c = {V(c)}", $"∂J/∂c = {G(c)}")
            .Edge("a", "add", $"a = {V(a)}", $"∂J/∂a = {G(a)}").Edge("mul", "add", $"u = {V(u)}", $"∂J/∂u = {G(u)}")
            .Edge("add", "three", $"v = {V(v)}", $"∂J/∂v = {G(v)}").Edge("three", "J", $"J = {V(J)}", "∂J/∂J = 1");
        page.Figure(diagram.ToSvg(), "Forward: u = 6, v = 11, J = 33. Backward: the ×3 node sends 3 to v; + passes it unchanged to a and u; × sends 3·c = 6 to b and 3·b = 9 to c.");
        // <snippet nudge>
        double Jof(double av, double bv, double cv) => 3 * (av + bv * cv);
        var nudges = new (string Name, double Grad, double Before, double After)[]
        {
            ("a: 5 → 5.001", a.Grad!.Item(), Jof(5, 3, 2), Jof(5.001, 3, 2)),
            ("b: 3 → 3.001", b.Grad!.Item(), Jof(5, 3, 2), Jof(5, 3.001, 2)),
            ("c: 2 → 2.001", c.Grad!.Item(), Jof(5, 3, 2), Jof(5, 3, 2.001)),
        };
        // </snippet>
        page.Code("nudge");
        page.Table("graph-values", "Forward values and gradients (autograd)", ["node", "value", "dJ/d(node)"],
            [["a", V(a), G(a)], ["b", V(b), G(b)], ["c", V(c), G(c)], ["u = bc", V(u), G(u)], ["v = a + u", V(v), G(v)], ["J = 3v", V(J), "1"]]);
        page.Table("graph-nudge", "The notes' check: nudge one input by 0.001 and watch J", ["nudge", "J before", "J after", "change / 0.001", "autograd"],
            nudges.Select(n => (IReadOnlyList<string>)[n.Name, Fmt.F(n.Before, 3), Fmt.F(n.After, 3), Fmt.F((n.After - n.Before) / 0.001, 3), Fmt.G(n.Grad)]));

        page.Heading("Gates: add distributes, mul switches, max routes");
        page.Text("Three local rules explain most of backpropagation. An add gate passes its incoming gradient unchanged to every input. " +
                  "A mul gate sends each input the gradient times the other input. A max gate sends the whole gradient to the larger input " +
                  "and zero to the others. In f = 2·(x·y + max(z, w)) at x = 2, y = −3, z = 4, w = 1:");
        // <snippet gates>
        var x = Leaf(2);
        var y = Leaf(-3);
        var z = Leaf(4);
        var w = Leaf(1);
        var product = (x * y).RetainGrad();              // mul gate
        var larger = z.Maximum(w).RetainGrad();          // max gate
        var sum = (product + larger).RetainGrad();       // add gate
        var f = 2.0 * sum;
        f.Backward();
        // </snippet>
        page.Code("gates");
        var gates = new GraphDiagram("f = 2·(x·y + max(z, w))", 760, 360)
            .Node("x", 70, 70, "x").Node("y", 70, 170, "y").Node("z", 70, 240, "z").Node("w", 70, 320, "w")
            .Node("mul", 270, 120, "×", true).Node("max", 270, 280, "max", true).Node("add", 450, 200, "+", true).Node("two", 580, 200, "×2", true).Node("f", 715, 200, "f")
            .Edge("x", "mul", $"x = {V(x)}", $"{G(x)}").Edge("y", "mul", $"y = {V(y)}", $"{G(y)}")
            .Edge("z", "max", $"z = {V(z)}", $"{G(z)}").Edge("w", "max", $"w = {V(w)}", $"{G(w)}")
            .Edge("mul", "add", $"{V(product)}", $"{G(product)}").Edge("max", "add", $"{V(larger)}", $"{G(larger)}")
            .Edge("add", "two", $"{V(sum)}", $"{G(sum)}").Edge("two", "f", $"f = {V(f)}", "1");
        page.Figure(gates.ToSvg(), "The add gate gives both inputs the same gradient 2; the mul gate swaps its inputs (x gets 2·y = −6, y gets 2·x = 4); the max gate routes 2 to z and 0 to w.");

        page.Heading("Gradient checking");
        page.Text("The notes: compare the analytic gradient with the numerical one, (f(x + h) − f(x − h)) / 2h, at a few points, then switch " +
                  "the check off. Below, a small two-layer network in float64; for each parameter the element with the largest relative error.");
        // <snippet gradcheck>
        Generator.ManualSeed(3);
        var net = new Sequential(new Linear(3, 4), new Tanh(), new Linear(4, 2));
        net.To(DType.Float64);
        var input = Tensor.Randn([5, 3], dtype: DType.Float64);
        var target = Tensor.Randn([5, 2], dtype: DType.Float64);
        var parameters = net.Parameters().Select(p => (Tensor)p).ToList();
        var check = GradCheck.Check(() => new MSE().Forward(net.Forward(input), target), parameters, step: 1e-6);
        // </snippet>
        page.Code("gradcheck");
        var names = net.NamedParameters().Select(p => p.Name).ToList();
        page.Table("gradcheck", "Analytic against numerical gradient (worst element of each parameter)",
            ["parameter", "element", "analytic", "numerical", "relative error"],
            names.Select((n, i) =>
            {
                int k = check.WorstIndex[i];
                return (IReadOnlyList<string>)[n, Fmt.G(k), check.Analytical[i][k].ToString("0.000000000", System.Globalization.CultureInfo.InvariantCulture),
                    check.Numerical[i][k].ToString("0.000000000", System.Globalization.CultureInfo.InvariantCulture), check.MaxRelativeError[i].ToString("0.0e+0", System.Globalization.CultureInfo.InvariantCulture)];
            }));
        page.Text(check.Passed ? "Every element agrees to the check's tolerance: backpropagation is right." : "The check failed: " + check);
        page.Implements("src/Nabla.Core/Autograd/BackwardEngine.cs", "src/Nabla.Core/Autograd/GradNode.cs", "src/Nabla.Core/Autograd/GradCheck.cs");
    }
}
