using Nabla.Data.Preprocessing;
using Nabla.Lessons.Svg;
using Nabla.Tensors;

namespace Nabla.Lessons.Pages;

/// <summary>Lesson 7: a correlated 2-D cloud raw, standardized, PCA-rotated and whitened; one-hot labels.</summary>
public sealed class PreprocessingLesson : Lesson
{
    /// <inheritdoc/>
    public override string Slug => "07-preprocessing";

    /// <inheritdoc/>
    public override string Title => "7. Data preprocessing";

    /// <inheritdoc/>
    public override string Summary => "A 2-D cloud raw, standardized (X −= mean, X /= std), PCA-rotated and whitened; one-hot labels.";

    /// <inheritdoc/>
    public override void Build(LessonPage page, LessonContext context)
    {
        page.Text("The notes' first steps: X −= mean(X, axis 0) and X /= std(X, axis 0), so every feature has mean 0 and variance 1 and no " +
                  "feature dominates the gradient. PCA goes further and rotates the data onto its principal axes (decorrelating the features); " +
                  "whitening also divides each principal component by its standard deviation, so the covariance becomes the identity.");
        // <snippet cloud>
        var z = Tensor.Randn([context.Pick(400, 1000), 2], new Generator(9), DType.Float64);
        var mix = Tensor.FromArray(new double[,] { { 3.0, 1.2 }, { 0.0, 0.8 } }.Cast<double>().ToArray(), 2, 2);
        var raw = z.Matmul(mix) + Tensor.FromArray(new[] { 6.0, 3.0 }, 2);   // correlated, off-centre, stretched
        var standardized = new StandardScaler().FitTransform(raw);
        var rotated = PCA.WithComponents(2).FitTransform(raw);                   // centred and rotated onto the principal axes
        var whitened = new Whitening(WhiteningKind.PCA).FitTransform(raw);       // rotated and scaled to unit variance
        // </snippet>
        page.Code("cloud");
        foreach (var (name, data) in new[] { ("raw", raw), ("standardized", standardized), ("PCA-rotated", rotated), ("whitened", whitened) })
        {
            var v = data.ToDoubleArray();
            var xs = v.Where((_, i) => i % 2 == 0).ToArray();
            var ys = v.Where((_, i) => i % 2 == 1).ToArray();
            double mx = xs.Average(), my = ys.Average();
            double cov = xs.Zip(ys).Average(p => (p.First - mx) * (p.Second - my));
            double sx = Math.Sqrt(xs.Average(x => (x - mx) * (x - mx))), sy = Math.Sqrt(ys.Average(y => (y - my) * (y - my)));
            var plot = new Plot($"{name}", "feature 1", "feature 2") { Width = 400, Height = 380, XRange = (-10, 18), YRange = (-8, 10) }
                .Points(null, xs, ys, Plot.Color(0), 2).Points(null, [0], [0], "#000", 3.5);
            page.Figure(plot.ToSvg(), $"{name}: mean ({Fmt.F(mx, 2)}, {Fmt.F(my, 2)}), std ({Fmt.F(sx, 2)}, {Fmt.F(sy, 2)}), correlation {Fmt.F(cov / (sx * sy), 2)}.");
        }
        page.Text("All four panels share the same axes, so the change of scale is visible: standardizing centres and rescales each feature but " +
                  "keeps the correlation; PCA removes the correlation; whitening also makes both directions equally long.");

        page.Heading("One-hot labels");
        page.Text("A class label becomes a vector with a single 1 at the class's position, the target the softmax output is compared with " +
                  "(the notes' digit '6' is the vector with the 1 in the seventh place).");
        // <snippet onehot>
        int[] labels = [6, 0, 3, 9, 1];
        var encoder = new OneHotEncoder(10);
        var oneHot = encoder.Transform(labels);
        // </snippet>
        page.Code("onehot");
        var oh = oneHot.ToDoubleArray();
        page.Table("onehot", "OneHotEncoder(10).Transform([6, 0, 3, 9, 1])", ["label", .. Enumerable.Range(0, 10).Select(i => $"{i}")],
            labels.Select((l, r) => (IReadOnlyList<string>)[$"{l}", .. Enumerable.Range(0, 10).Select(c => Fmt.G(oh[r * 10 + c]))]));
        page.Implements("src/Nabla/Data/Preprocessing/StandardScaler.cs", "src/Nabla/Data/Preprocessing/PCA.cs", "src/Nabla/Data/Preprocessing/Whitening.cs", "src/Nabla/Data/Preprocessing/OneHotEncoder.cs");
    }
}
