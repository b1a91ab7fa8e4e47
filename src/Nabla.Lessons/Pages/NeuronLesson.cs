using Nabla.Lessons.Svg;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Lessons.Pages;

/// <summary>Lesson 1: one neuron, forward propagation through the notes' 2-2-2-2 sigmoid network, and the y = 2x walk-through.</summary>
public sealed class NeuronLesson : Lesson
{
    /// <inheritdoc/>
    public override string Slug => "01-neuron";

    /// <inheritdoc/>
    public override string Title => "1. The neuron and forward propagation";

    /// <inheritdoc/>
    public override string Summary => "z = b + Σ wᵢxᵢ, then an activation: the notes' worked network, layer by layer, and learning y = 2x step by step.";

    /// <inheritdoc/>
    public override void Build(LessonPage page, LessonContext context)
    {
        page.Text("A neuron computes a weighted sum of its inputs plus a bias, z = b + Σ wᵢxᵢ, and passes it through an activation, " +
                  "here the sigmoid σ(z) = 1/(1 + e^(−z)). Stacking layers of neurons gives y = σ(W³ σ(W² σ(W¹x + b¹) + b²) + b³).");
        page.Heading("The notes' example network");
        page.Text("The notes feed two inputs through three sigmoid layers of two neurons and state f([1, −1]) = [0.62, 0.83] and " +
                  "f([0, 0]) = [0.51, 0.85]. The weights and biases below are the ones in the notes' figure; Nabla's Linear layers hold them " +
                  "and compute every weighted sum and activation:");
        // <snippet network>
        var layers = new[]
        {
            Layer(new double[,] { { 1, -2 }, { -1, 1 } }, [1, 0]),
            Layer(new double[,] { { 2, -1 }, { -2, -1 } }, [0, 0]),
            Layer(new double[,] { { 3, -1 }, { -1, 4 } }, [-2, 2]),
        };
        var rows = new List<string[]>();
        foreach (var input in new[] { new float[] { 1, -1 }, [0, 0] })
        {
            var a = Tensor.FromArray(input, 1, 2);
            for (int l = 0; l < layers.Length; l++)
            {
                var z = layers[l].Forward(a);          // weighted sums plus biases
                var next = z.Sigmoid();                // activations
                rows.Add([$"[{Fmt.F(input[0], 0)}, {Fmt.F(input[1], 0)}]", $"layer {l + 1}",
                          Vec(a), Vec(z), Vec(next)]);
                a = next;
            }
        }
        // </snippet>
        page.Code("network");
        page.Table("forward", "Forward propagation, layer by layer (Nabla, float32, rounded to 2 decimals as in the notes)",
            ["input x", "layer", "input a", "z = W a + b", "σ(z)"], rows);
        page.Text("The last row of each input is the network's output: [0.62, 0.83] for [1, −1] and [0.51, 0.85] for [0, 0], as in the notes.");

        page.Heading("Learning output = 2 × input, step by step");
        page.Text("The notes' first training example: the model y = W·x starts at W = 3 and should learn W = 2 from the inputs 0…4. " +
                  "Forward propagation gives 3x; the squared errors sum to 30. Nudging W to 3.0001 raises the loss to 30.006: the loss " +
                  "changes 60 times as fast as the weight. The notes then repeatedly lower W by loss ÷ 60 (the slope measured at W = 3).");
        // <snippet twox>
        var x = Tensor.FromArray(new double[] { 0, 1, 2, 3, 4 }, 5);
        var desired = x * 2.0;
        double Loss(double w) => ((x * w - desired).Square()).Sum().Item();
        var weight = Tensor.Scalar(3, DType.Float64);
        weight.RequiresGrad = true;
        var loss = ((x * weight - desired).Square()).Sum();
        loss.Backward();                                       // dL/dW by backpropagation
        double slope = weight.Grad!.Item();                     // 60
        double numeric = (Loss(3.0001) - Loss(3)) / 0.0001;    // (30.006 - 30) / 0.0001
        var iterations = new List<(double W, double Loss)>();
        double wk = 3;
        for (int i = 0; i < 5; i++)
        {
            iterations.Add((wk, Loss(wk)));
            wk -= Loss(wk) / slope;                             // the notes' step: extrapolate the loss to 0
        }
        // </snippet>
        page.Code("twox");
        page.Table("twox-errors", "Step 3, the loss of W = 3 and of W = 3.0001 (the notes' 'Differentiation' table)",
            ["input", "desired", "3x", "squared error", "3.0001x", "squared error"],
            Enumerable.Range(0, 5).Select(i => (IReadOnlyList<string>)[Fmt.G(i), Fmt.G(2 * i), Fmt.G(3 * i), Fmt.G(i * i), Fmt.G(3.0001 * i), Fmt.F(Math.Pow(1.0001 * i, 2), 4)])
                .Append(["total", "", "", Fmt.G(Loss(3)), "", Fmt.F(Loss(3.0001), 3)]));
        page.Table("twox-slope", "Step 4, the rate of change of the loss", ["method", "dL/dW at W = 3"],
            [["autograd (loss.Backward())", Fmt.G(slope)], ["numerical (L(3.0001) − L(3)) / 0.0001", Fmt.F(numeric, 3)]]);
        page.Table("twox-iterations", "Step 7, iterate: W and the total squared error (the notes' 'Iterations' table)",
            ["iteration", "W", "total squared error"],
            iterations.Select((it, i) => (IReadOnlyList<string>)[Fmt.G(i + 1), Fmt.F(it.W, 8), Fmt.F(it.Loss, 8)]));
        var plot = new Plot("The loss of y = W·x as a function of W", "W", "total squared error")
            .Line("L(W) = 30 (W − 2)²", Enumerable.Range(0, 101).Select(i => 1.5 + i * 0.02).ToArray(), Enumerable.Range(0, 101).Select(i => Loss(1.5 + i * 0.02)).ToArray())
            .Points("the notes' iterations", iterations.Select(i => i.W).ToArray(), iterations.Select(i => i.Loss).ToArray(), radius: 5);
        page.Figure(plot.ToSvg(), "Each iteration moves W towards 2; the step shrinks with the loss.");
        page.Implements("src/Nabla/NN/Linear.cs", "src/Nabla.Core/Tensors/Tensor.Activations.cs", "src/Nabla.Core/Autograd/BackwardEngine.cs");
    }

    private static Linear Layer(double[,] w, double[] b)
    {
        var layer = new Linear(w.GetLength(1), w.GetLength(0));
        layer.Weight.Data.CopyFrom(Tensor.FromArray(w.Cast<double>().Select(v => (float)v).ToArray(), w.GetLength(0), w.GetLength(1)));
        layer.Bias!.Data.CopyFrom(Tensor.FromArray(b.Select(v => (float)v).ToArray(), b.Length));
        return layer;
    }

    private static string Vec(Tensor t) => "[" + string.Join(", ", t.ToDoubleArray().Select(v => Fmt.F(v, 2))) + "]";
}
