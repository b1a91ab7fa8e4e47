using Nabla.Diagnostics;
using Nabla.Lessons.Svg;
using Nabla.Losses;
using Nabla.Models;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Lessons.Pages;

/// <summary>Lesson 10: convolution on the notes' 6×6 image, output sizes and parameter counts, LeNet's filters, depthwise-separable counts.</summary>
public sealed class CnnLesson : Lesson
{
    /// <inheritdoc/>
    public override string Slug => "10-cnn";

    /// <inheritdoc/>
    public override string Title => "10. Convolutional networks";

    /// <inheritdoc/>
    public override string Summary => "The notes' 6×6 image and 3×3 filter at stride 1 and 2; output sizes and parameter counts; LeNet's learned filters and feature maps; standard against depthwise-separable convolution.";

    /// <inheritdoc/>
    public override void Build(LessonPage page, LessonContext context)
    {
        page.Text("A convolution slides a small filter over the image and writes one dot product per position: each filter detects a " +
                  "small pattern (property 1) wherever it appears (property 2, the same weights everywhere).");
        page.Heading("The notes' 6×6 image and Filter 1");
        // <snippet convolve>
        var image = Tensor.FromArray(new float[]
        {
            1, 0, 0, 0, 0, 1,
            0, 1, 0, 0, 1, 0,
            0, 0, 1, 1, 0, 0,
            1, 0, 0, 0, 1, 0,
            0, 1, 0, 0, 1, 0,
            0, 0, 1, 0, 1, 0,
        }, 1, 1, 6, 6);
        var filter1 = Tensor.FromArray(new float[] { 1, -1, -1, -1, 1, -1, -1, -1, 1 }, 1, 1, 3, 3);
        Tensor Convolve(int stride)
        {
            var conv = new Conv2d(1, 1, 3, stride: stride, bias: false);
            conv.Weight.Data.CopyFrom(filter1);
            return conv.Forward(image);              // [1, 1, O, O] with O = (6 − 3)/stride + 1
        }
        var stride1 = Convolve(1);
        var stride2 = Convolve(2);
        // </snippet>
        page.Code("convolve");
        Grid(page, "conv-stride1", "Filter 1 over the 6×6 image, stride 1: a 4×4 feature map (the notes: first row starts 3, −1)", stride1);
        Grid(page, "conv-stride2", "Stride 2: a 2×2 feature map (the notes: 3, −3)", stride2);
        page.Text("The 3 marks where the diagonal pattern of Filter 1 appears: top left and bottom left.");

        page.Heading("Output size and number of parameters");
        page.Text("With an I×I×C input, K filters of size F×F, stride S and padding P: the output is O×O×K with O = (I − F + 2P)/S + 1, and the " +
                  "layer has (F·F·C + 1)·K parameters (one bias per filter). A fully connected layer has (N_in + 1)·N_out. Each row below is a " +
                  "Nabla layer measured by ModelSummary, not the formula:");
        // <snippet sizes>
        var cases = new (string Name, Module Layer, int[] Input)[]
        {
            ("6×6×1 image, 3×3 filter, stride 1", new Conv2d(1, 1, 3), [1, 1, 6, 6]),
            ("6×6×1 image, 3×3 filter, stride 2", new Conv2d(1, 1, 3, stride: 2), [1, 1, 6, 6]),
            ("32×32×3 image, 5×5×3 filters, K = 6", new Conv2d(3, 6, 5), [1, 3, 32, 32]),
            ("32×32×3 image, 5×5 filters, K = 6, padding 2", new Conv2d(3, 6, 5, padding: 2), [1, 3, 32, 32]),
            ("2×2 max pooling of 28×28×6", new MaxPool2d(2), [1, 6, 28, 28]),
            ("fully connected 400 → 120", new Linear(400, 120), [1, 400]),
        };
        var measured = cases.Select(c => (c.Name, Summary: ModelSummary.Summary(new Sequential(c.Layer), c.Input))).ToList();
        // </snippet>
        page.Code("sizes");
        page.Table("cnn-sizes", "Output shapes and parameter counts (ModelSummary)", ["layer", "output shape", "parameters", "multiply-accumulates"],
            measured.Select(m => (IReadOnlyList<string>)[m.Name, m.Summary.OutputShape.ToString(), Fmt.N(m.Summary.TotalParameters), Fmt.N(m.Summary.TotalMultiplyAccumulates)]));

        page.Heading("Standard against depthwise-separable convolution");
        page.Text("The notes' example: a 12×12×3 image, 5×5 filters, no padding, so 8×8 outputs. A standard convolution runs a 5×5×3 kernel " +
                  "(75 multiplications) at 8·8 positions for each of 256 output channels. A depthwise-separable one first filters each of " +
                  "the 3 channels with its own 5×5 kernel, then mixes them with 256 1×1×3 kernels.");
        // <snippet separable>
        var standard = ModelSummary.Summary(new Sequential(new Conv2d(3, 256, 5, bias: false)), 1, 3, 12, 12);
        var separableLayer = new DepthwiseSeparableConv2d(3, 256, 5, bias: false);
        var separable = ModelSummary.Summary(new Sequential(separableLayer), 1, 3, 12, 12);
        long depthwiseMacs = separableLayer.Depthwise.MultiplyAccumulates(new Shape(1, 3, 12, 12), new Shape(1, 3, 8, 8));
        long pointwiseMacs = separableLayer.Pointwise.MultiplyAccumulates(new Shape(1, 3, 8, 8), new Shape(1, 256, 8, 8));
        // </snippet>
        page.Code("separable");
        page.Table("separable", "12×12×3 → 8×8×256 with 5×5 filters", ["convolution", "parameters", "multiplications"],
            [
                ["standard: 256 kernels of 5×5×3", Fmt.N(standard.TotalParameters), Fmt.N(standard.TotalMultiplyAccumulates)],
                ["depthwise: 3 kernels of 5×5×1", Fmt.N(separableLayer.Depthwise.Weight.Numel), Fmt.N(depthwiseMacs)],
                ["pointwise: 256 kernels of 1×1×3", Fmt.N(separableLayer.Pointwise.Weight.Numel), Fmt.N(pointwiseMacs)],
                ["depthwise-separable total", Fmt.N(separable.TotalParameters), Fmt.N(separable.TotalMultiplyAccumulates)],
            ]);
        page.Note("The notes' text says 125 output channels, but their products (1,228,800 = 256·75·64 and 49,152 = 256·3·64) are for 256; " +
                  "Nabla's counts for 256 channels match those products exactly.");

        page.Heading("LeNet-5: learned filters and feature maps");
        // <snippet lenet>
        Generator.ManualSeed(1);
        var lenet = ModelZoo.LeNet5();
        var trainer = new Trainer(lenet, new CrossEntropy(), new Adam(lenet.Parameters(), 1e-3));
        trainer.Fit(context.MnistTrain(context.Pick(2000, 30000)), epochs: context.Pick(1, 2), batchSize: 64, seed: 1);
        var conv1 = (Conv2d)lenet.Layers[0];
        var digit = context.MnistTest(1).Features;                    // one test digit, [1, 1, 28, 28]
        var featureMaps = lenet.Layers[1].Forward(conv1.Forward(digit)); // after conv1 and ReLU: [1, 6, 28, 28]
        // </snippet>
        page.Code("lenet");
        var filters = Enumerable.Range(0, 6).Select(k => conv1.Weight.Data.Rows(k, 1).ToArray()).ToList();
        page.Figure(ImageGrid.ToSvg("conv1: the six learned 5×5 filters", filters, 5, 5, Enumerable.Range(1, 6).Select(k => $"filter {k}").ToArray(), 6, 10, signed: true),
            "Red weights add, blue weights subtract: edge and stroke detectors at different orientations.");
        var maps = new List<float[]> { digit.ToArray() };
        foreach (int k in Enumerable.Range(0, 6))
        {
            var map = featureMaps.Narrow(1, k, 1);
            float top = (float)Math.Max(1e-6, map.Max().Item());
            maps.Add(map.ToArray().Select(v => v / top).ToArray());
        }
        page.Figure(ImageGrid.ToSvg("One test digit and its six conv1 feature maps", maps, 28, 28, ["input", .. Enumerable.Range(1, 6).Select(k => $"map {k}")], 7, 3),
            "Each map (after ReLU, scaled to its maximum) lights up where its filter's pattern occurs in the digit.");
        var lenetSummary = lenet.Summary([1, 1, 28, 28]);
        page.Table("lenet", $"LeNet-5 on 28×28 digits: {Fmt.N(lenetSummary.TotalParameters)} parameters", ["layer", "output shape", "parameters"],
            lenetSummary.Rows.Select(r => (IReadOnlyList<string>)[r.Description, r.OutputShape?.ToString() ?? "", Fmt.N(r.Parameters)]));
        page.Implements("src/Nabla/NN/Conv2d.cs", "src/Nabla/NN/DepthwiseSeparableConv2d.cs", "src/Nabla/NN/MaxPool2d.cs", "src/Nabla/Diagnostics/ModelSummary.cs", "src/Nabla.Core/Kernels/Convolution.cs");
    }

    private static void Grid(LessonPage page, string id, string caption, Tensor map)
    {
        var v = map.ToDoubleArray();
        int o = (int)Math.Round(Math.Sqrt(v.Length));
        page.Table(id, caption, ["", .. Enumerable.Range(1, o).Select(c => $"col {c}")],
            Enumerable.Range(0, o).Select(r => (IReadOnlyList<string>)[$"row {r + 1}", .. Enumerable.Range(0, o).Select(c => Fmt.G(v[r * o + c]))]));
    }
}
