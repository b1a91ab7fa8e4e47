using Nabla.Lessons.Svg;
using Nabla.Losses;
using Nabla.Tensors;

namespace Nabla.Lessons.Pages;

/// <summary>Lesson 3: the losses of the notes, drawn from Nabla's loss classes, and the notes' cross-entropy examples.</summary>
public sealed class LossesLesson : Lesson
{
    /// <inheritdoc/>
    public override string Slug => "03-losses";

    /// <inheritdoc/>
    public override string Title => "3. Loss functions";

    /// <inheritdoc/>
    public override string Summary => "−log(x) and −log(1−x), MSE, MAE and MSLE, hinge and squared hinge, cross-entropy and KL divergence between the notes' two distributions.";

    /// <inheritdoc/>
    public override void Build(LessonPage page, LessonContext context)
    {
        page.Text("A loss scores one prediction against its target; the cost averages it over the examples, L(w, b) = (1/m) Σ l(y⁽ⁱ⁾, ŷ⁽ⁱ⁾). " +
                  "Every curve on this page is the value Nabla's loss class returns (Reduction.None: one loss per prediction).");
        page.Heading("Binary cross-entropy: −log(x) and −log(1 − x)");
        page.Text("For a target of 1 the binary cross-entropy is −log(p): it wants p large. For a target of 0 it is −log(1 − p): it wants p small. " +
                  "Both grow without bound as the prediction approaches the wrong end.");
        // <snippet bce>
        var p = Tensor.FromArray(Enumerable.Range(1, 199).Select(i => i / 200.0).ToArray(), 199, 1);
        var bce = new BinaryCrossEntropy(Reduction.None);
        double[] whenOne = bce.Forward(p, Tensor.OnesLike(p)).ToDoubleArray();    // −log(p)
        double[] whenZero = bce.Forward(p, Tensor.ZerosLike(p)).ToDoubleArray();  // −log(1 − p)
        // </snippet>
        page.Code("bce");
        double[] px = p.ToDoubleArray();
        page.Figure(new Plot("Target 1: −log(p)", "predicted probability p", "loss") { Width = 400, YRange = (0, 5.5) }.Line("−log(p)", px, whenOne).ToSvg(), "The notes' graph for −log(x).");
        page.Figure(new Plot("Target 0: −log(1 − p)", "predicted probability p", "loss") { Width = 400, YRange = (0, 5.5) }.Line("−log(1 − p)", px, whenZero, color: Plot.Color(1)).ToSvg(), "The notes' graph for −log(1 − x).");

        page.Heading("Regression: MSE, MAE and MSLE");
        page.Text("For a target of 3, the three regression losses as the prediction moves: MSE punishes large mistakes quadratically, " +
                  "MAE only linearly (robust to outliers), MSLE compares logarithms, log(1 + y) − log(1 + ŷ), so it punishes under-prediction " +
                  "more than over-prediction and forgives large values.");
        // <snippet regression>
        var prediction = Tensor.FromArray(Enumerable.Range(0, 161).Select(i => i * 0.05).ToArray(), 161, 1);
        var three = Tensor.Full([161, 1], 3.0, DType.Float64);
        var regression = new (string Name, Loss Loss)[]
        {
            ("MSE", new MSE(Reduction.None)), ("MAE", new MAE(Reduction.None)), ("MSLE", new MSLE(Reduction.None)),
        };
        var regressionCurves = regression.Select(r => (r.Name, Y: r.Loss.Forward(prediction, three).ToDoubleArray())).ToList();
        // </snippet>
        page.Code("regression");
        var rplot = new Plot("Regression losses, target y = 3", "prediction ŷ", "loss") { YRange = (0, 6) };
        foreach (var (name, y) in regressionCurves) rplot.Line(name, prediction.ToDoubleArray(), y);
        page.Figure(rplot.ToSvg(), "MSE is a parabola, MAE a V, MSLE asymmetric and flat for large predictions.");

        page.Heading("Classification with labels ±1: hinge and squared hinge");
        // <snippet hinge>
        var score = Tensor.FromArray(Enumerable.Range(0, 161).Select(i => -2 + i * 0.03125).ToArray(), 161, 1);
        var plusOne = Tensor.OnesLike(score);
        double[] hinge = new Hinge(Reduction.None).Forward(score, plusOne).ToDoubleArray();               // max(0, 1 − y·s)
        double[] squaredHinge = new SquaredHinge(Reduction.None).Forward(score, plusOne).ToDoubleArray(); // max(0, 1 − y·s)²
        // </snippet>
        page.Code("hinge");
        page.Figure(new Plot("Hinge losses for a positive example (y = +1)", "score s", "loss")
            .Line("hinge", score.ToDoubleArray(), hinge).Line("squared hinge", score.ToDoubleArray(), squaredHinge).VLine(1, "margin s = 1").ToSvg(),
            "Both are zero beyond the margin; the squared hinge is smooth at the margin and punishes large violations more.");

        page.Heading("Entropy, cross-entropy and KL divergence: the notes' example");
        page.Text("Distribution 1 is (1/3, 1/2, 1/6), distribution 2 is (1/4, 1/2, 1/4). The notes compute entropies and cross-entropies with " +
                  "base-10 logarithms; Nabla works in natural logarithms (nats), so the page divides by ln 10. The KL divergence is the " +
                  "cross-entropy minus the entropy, and Nabla's KLDivergence loss computes it directly.");
        // <snippet entropy>
        var d1 = Tensor.FromArray(new[] { 1 / 3.0, 1 / 2.0, 1 / 6.0 }, 1, 3);
        var d2 = Tensor.FromArray(new[] { 1 / 4.0, 1 / 2.0, 1 / 4.0 }, 1, 3);
        double Entropy(Tensor a) => -(a * a.Log()).Sum().Item();
        double CrossEntropy(Tensor a, Tensor b) => -(a * b.Log()).Sum().Item();     // H(a, b) = −Σ aᵢ log bᵢ
        var kl = new KLDivergence(Reduction.Sum);
        double kl12 = kl.Forward(d2, d1).Item();                                       // KL(d1 ‖ d2): target d1, prediction d2
        double kl21 = kl.Forward(d1, d2).Item();
        // </snippet>
        page.Code("entropy");
        double ln10 = Math.Log(10);
        page.Table("entropy", "Entropy and cross-entropy, base 10 (the notes' convention) and in nats",
            ["quantity", "the notes", "Nabla (base 10)", "Nabla (nats)"],
            [
                ["entropy of distribution 1", "0.439", Fmt.F(Entropy(d1) / ln10, 3), Fmt.F(Entropy(d1), 4)],
                ["entropy of distribution 2", "0.452", Fmt.F(Entropy(d2) / ln10, 3), Fmt.F(Entropy(d2), 4)],
                ["cross-entropy of 1 over 2: −Σ p₁ log p₂", "0.456", Fmt.F(CrossEntropy(d1, d2) / ln10, 3), Fmt.F(CrossEntropy(d1, d2), 4)],
                ["cross-entropy of 2 over 1: −Σ p₂ log p₁", "0.464", Fmt.F(CrossEntropy(d2, d1) / ln10, 3), Fmt.F(CrossEntropy(d2, d1), 4)],
                ["KL(1 ‖ 2) = cross-entropy − entropy", "", Fmt.F(kl12 / ln10, 3), Fmt.F(kl12, 4)],
                ["KL(2 ‖ 1)", "", Fmt.F(kl21 / ln10, 3), Fmt.F(kl21, 4)],
            ]);
        page.Note("Three of the notes' four values agree with Nabla. The third does not: 1/3·log 4 + 1/2·log 2 + 1/6·log 4 = 0.4515 (base 10), " +
                  "which rounds to 0.452, not the printed 0.456. Distribution 2 gives the first and third outcomes the same probability, so the " +
                  "cross-entropy of 1 over 2 equals the entropy of 2 exactly. Both cross-entropies still exceed the entropies, as the notes say.");
        var bars = new Plot("The two distributions", "outcome", "probability") { YRange = (0, 0.6), Width = 380 }
            .Bars("distribution 1", [0.6, 1.0, 1.6, 2.0, 2.6, 3.0], [1 / 3.0, 0, 1 / 2.0, 0, 1 / 6.0])
            .Bars("distribution 2", [1.0, 1.4, 2.0, 2.4, 3.0, 3.4], [1 / 4.0, 0, 1 / 2.0, 0, 1 / 4.0]);
        page.Figure(bars.ToSvg(), "Distribution 1 (left bars) and distribution 2 (right bars) over three outcomes.");

        page.Heading("Softmax cross-entropy: the notes' forward pass");
        page.Text("The notes' network outputs the scores [0, 0.006, 0.12]; softmax gives [0.319, 0.321, 0.36]; the label is the second class, " +
                  "so the loss is −ln(0.321) = 1.1363.");
        // <snippet softmaxce>
        var logits = Tensor.FromArray(new[] { 0, 0.006, 0.12 }, 1, 3);
        double fromLogits = new CrossEntropy().Forward(logits, [1]).Item();      // softmax, then −ln of the label's probability
        double fromRounded = -Math.Log(0.321);                                    // the notes round the probability first
        // </snippet>
        page.Code("softmaxce");
        page.Table("softmax-ce", "Cross-entropy of the notes' forward pass", ["computed from", "loss"],
            [["the logits, exactly (Nabla CrossEntropy)", Fmt.F(fromLogits, 4)], ["the probability rounded to 0.321, as in the notes", Fmt.F(fromRounded, 4)]]);
        page.Text("The notes' 1.1363 is −ln of the rounded probability; from the exact probability 0.32105 the loss is " + Fmt.F(fromLogits, 4) + ".");
        page.Implements("src/Nabla/Losses/BinaryCrossEntropy.cs", "src/Nabla/Losses/MSE.cs", "src/Nabla/Losses/MAE.cs", "src/Nabla/Losses/MSLE.cs",
            "src/Nabla/Losses/Hinge.cs", "src/Nabla/Losses/SquaredHinge.cs", "src/Nabla/Losses/KLDivergence.cs", "src/Nabla/Losses/CrossEntropy.cs");
    }
}
