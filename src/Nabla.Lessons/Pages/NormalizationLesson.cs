using Nabla.Lessons.Svg;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Lessons.Pages;

/// <summary>Lesson 9: batch normalization and residual shortcuts: training curves, and gradient norms per layer.</summary>
public sealed class NormalizationLesson : Lesson
{
    /// <inheritdoc/>
    public override string Slug => "09-batchnorm-residual";

    /// <inheritdoc/>
    public override string Title => "9. Batch normalization and residual shortcuts";

    /// <inheritdoc/>
    public override string Summary => "Deep sigmoid networks with and without batch normalization; gradient norm per layer in a deep plain network against a residual one.";

    /// <inheritdoc/>
    public override void Build(LessonPage page, LessonContext context)
    {
        var data = context.MnistTrain(context.Pick(2048, 6144)).Flatten();
        int depth = 8, width = 64, epochs = context.Pick(2, 3);
        page.Text("The notes: without normalization 'the large become larger and the small become smaller' between layers. Batch " +
                  "normalization standardizes every feature over the mini-batch (then rescales it with a learned γ and β), so each layer " +
                  $"sees inputs of a steady scale. Here a {depth}-layer sigmoid network, the kind whose gradients vanish, learns MNIST with " +
                  "plain SGD, with and without BatchNorm1d after every Linear layer.");
        // <snippet batchnorm>
        Sequential Deep(bool batchNorm)
        {
            Generator.ManualSeed(3);
            var net = new Sequential(new Linear(784, width));
            for (int l = 0; l < depth; l++)
            {
                if (batchNorm) net.Add(new BatchNorm1d(width));
                net.Add(new Sigmoid()).Add(new Linear(width, width));
            }
            return net.Add(new Sigmoid()).Add(new Linear(width, 10));
        }
        List<double> TrainSteps(Module net, double rate)
        {
            var sgd = new SGD(net.Parameters(), rate, momentum: 0.9);
            var losses = new List<double>();
            for (int epoch = 0; epoch < epochs; epoch++)
                for (int start = 0; start + 64 <= data.Count; start += 64)
                {
                    var batch = data.Slice(start, 64);
                    var loss = new CrossEntropy().Forward(net.Forward(batch.Features), batch.Labels!);
                    sgd.ZeroGrad();
                    loss.Backward();
                    sgd.Step();
                    losses.Add(loss.Item());
                }
            return losses;
        }
        var withoutBn = TrainSteps(Deep(batchNorm: false), 0.05);
        var withBn = TrainSteps(Deep(batchNorm: true), 0.05);
        // </snippet>
        page.Code("batchnorm");
        page.Figure(new Plot($"{depth}-layer sigmoid network, SGD + momentum, rate 0.05", "step", "training loss (moving average of 10)") { Width = 600 }
            .Line("without batch normalization", Steps(withoutBn), Smooth(withoutBn))
            .Line("with BatchNorm1d", Steps(withBn), Smooth(withBn)).ToSvg(),
            "Without normalization the loss sits near ln 10 ≈ 2.3 (chance) for a long time; with it, learning starts at once.");

        page.Heading("Residual shortcuts and the gradient through depth");
        page.Text("The notes' vanishing gradient: ∂v₃/∂w₁ = σ′(z₃)σ′(z₂)σ′(z₁)·w₃w₂x, a product of small factors. A residual block adds its " +
                  "input to its output, y = x + F(x), so ∂y/∂x = 1 + ∂F/∂x: the gradient has a path that multiplies by 1. Below, the " +
                  "norm of each layer's weight gradient for one batch, in a 30-layer tanh network with and without shortcuts.");
        // <snippet residual>
        double[] GradientNorms(bool residual)
        {
            Generator.ManualSeed(4);
            var blocks = new List<Linear>();
            var net = new Sequential(new Linear(784, width), new Tanh());
            for (int l = 0; l < 30; l++)
            {
                var linear = new Linear(width, width);
                blocks.Add(linear);
                Module block = new Sequential(linear, new Tanh());
                net.Add(residual ? new Residual(block) : block);
            }
            net.Add(new Linear(width, 10));
            var batch = data.Slice(0, 128);
            new CrossEntropy().Forward(net.Forward(batch.Features), batch.Labels!).Backward();
            return blocks.Select(b => b.Weight.Grad!.Square().Sum().Sqrt().Item()).ToArray();
        }
        var plain = GradientNorms(residual: false);
        var shortcut = GradientNorms(residual: true);
        // </snippet>
        page.Code("residual");
        var layers = Enumerable.Range(1, plain.Length).Select(l => (double)l).ToArray();
        page.Figure(new Plot("Weight-gradient norm per layer (layer 1 is nearest the input)", "layer", "‖∂L/∂W‖ (log scale)") { LogY = true, Width = 600 }
            .Line("plain 30-layer tanh network", layers, plain, markers: true)
            .Line("the same with residual shortcuts", layers, shortcut, markers: true).ToSvg(),
            $"Plain: the gradient shrinks by a factor of {Fmt.G(plain[^1] / plain[0])} from the last layer to the first. Residual: {Fmt.G(shortcut[^1] / shortcut[0])}.");
        page.Implements("src/Nabla/NN/BatchNorm1d.cs", "src/Nabla/NN/BatchNorm.cs", "src/Nabla/NN/Residual.cs");
    }

    private static double[] Steps(List<double> losses) => Enumerable.Range(1, losses.Count).Select(i => (double)i).ToArray();

    private static double[] Smooth(List<double> losses) =>
        losses.Select((_, i) => losses.Skip(Math.Max(0, i - 9)).Take(Math.Min(10, i + 1)).Average()).ToArray();
}
