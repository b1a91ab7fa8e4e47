using System.Globalization;
using Nabla.Data;
using Nabla.IO;
using Nabla.Losses;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Cli.Commands;

/// <summary>`nabla predict`: class and probabilities for PNG/PGM images or CSV rows.</summary>
internal static class PredictCommand
{
    public const string Help = """
        usage: nabla predict --run DIR FILE...
               nabla predict --pretrained mnist|fashion-mnist FILE...
               nabla predict --model FILE.onnx [--classes a,b,c | --labels FILE] FILE...

          FILE   a PNG or PGM image (grayscale or colour, any size: converted to the model's input, and inverted
                 when it is dark-on-light, since MNIST digits are light on dark), or a CSV file of feature rows
          --run DIR         a run folder written by 'nabla train' or 'nabla import'
          --pretrained NAME a model shipped with Nabla (data/pretrained): mnist or fashion-mnist
          --model F.onnx    an ONNX model; its declared input says what a file becomes: [batch, 1, H, W] a grayscale
                            image (as MNIST), [batch, 3, H, W] an RGB image, [batch, H*W] a flattened square grayscale
                            image, [batch, F] CSV rows of F features; its output [batch, classes] is read as logits
                            (probabilities when the graph ends in Softmax)
          --classes a,b,c   class names of an ONNX model's outputs (default 0..K-1)
          --labels FILE     the same, one name per line
          --top K           show the K most likely classes (default 3)
        """;

    public static int Run(string[] argv)
    {
        var a = new Arguments(argv, new HashSet<string>());
        string? pretrained = PretrainedModel.Option(a, "predict");
        var (run, onnx) = pretrained is null ? OnnxModelFile.RunOrModel(a, "predict") : (null, null);
        int top = a.Int("top", 3, 1, 1000);
        string? classes = a.String("classes"), labels = a.String("labels");
        a.EnsureAllUsed("predict");
        if (a.Positional.Count == 0) throw new CliException("predict: give at least one PNG, PGM or CSV file");
        if (onnx is null && (classes ?? labels) is not null)
            throw new CliException($"predict: --{(classes is null ? "labels" : "classes")} names the outputs of an ONNX model (--model); a run's classes are in its run.json");
        if (onnx is not null) return PredictOnnx(onnx, a.Positional, OnnxModelFile.ClassNames(classes, labels), top);
        var (model, config) = pretrained is null ? RunFolder.LoadModel(run!) : PretrainedModel.Load(pretrained);
        var loss = new CrossEntropy(); // what `nabla train` trains with: the model outputs logits
        CheckFiles(a.Positional);
        foreach (var file in a.Positional)
        {
            string ext = Path.GetExtension(file).ToLowerInvariant();
            if (ext == ".csv")
            {
                var rows = ReadRows(file, config);
                var p = model.Predict(DatasetLoader.Preprocess(rows, config.Preprocessing), loss);
                CheckFinite(p.Probabilities, file);
                for (int r = 0; r < p.Classes.Length; r++) Print($"{file}:{r + 1}", p.Probabilities, r, config.ClassNames, top);
                continue;
            }
            Tensor x;
            if (config.DatasetKind == "image-folder")
            {
                // Converted exactly as the training images were (resized, gray or colour; never inverted).
                int[] s = config.InputShape;
                x = Tensor.FromArray(ImageFolder.LoadImage(file, s[0], s[1], s[2]), 1, s[0], s[1], s[2]);
            }
            else x = ToInput(ext == ".png" ? Png.Load(file) : Pgm.Load(file), config.InputShape);
            var pred = model.Predict(x, loss);
            CheckFinite(pred.Probabilities, file);
            Print(file, pred.Probabilities, 0, config.ClassNames, top);
        }
        return 0;
    }

    /// <summary>Every name checked before any output.</summary>
    private static void CheckFiles(List<string> files)
    {
        foreach (var file in files)
        {
            if (!File.Exists(file)) throw new CliException($"predict: file '{file}' not found");
            if (Path.GetExtension(file).ToLowerInvariant() is not (".csv" or ".png" or ".pgm"))
                throw new CliException($"predict: '{file}': expected a .png, .pgm or .csv file");
        }
    }

    /// <summary>Predicts with an ONNX model, its input converted as its declared shape requires.</summary>
    private static int PredictOnnx(string path, List<string> files, string[] classNames, int top)
    {
        var graph = OnnxModelFile.Load(path, "predict");
        var (example, batch) = OnnxModelFile.ExampleShape(graph, path);
        CheckFiles(files);
        string input = OnnxModelFile.Describe(graph);
        var model = new OnnxClassifier(graph, path);
        var loss = new CrossEntropy();
        foreach (var file in files)
        {
            bool csv = Path.GetExtension(file).Equals(".csv", StringComparison.OrdinalIgnoreCase);
            var x = csv ? OnnxInputs.Rows(file, example, input) : OnnxInputs.Image(file, example, input);
            var p = model.Predict(x, loss, batch);
            CheckFinite(p.Probabilities, file);
            int k = p.Probabilities.Shape[1];
            if (classNames.Length > 0 && classNames.Length != k)
                throw new CliException($"predict: {classNames.Length} class names given for the {k} outputs of {path}");
            for (int r = 0; r < p.Classes.Length; r++) Print(csv ? $"{file}:{r + 1}" : file, p.Probabilities, r, classNames, top);
        }
        return 0;
    }

    /// <summary>
    /// The feature rows of a CSV file for a model trained on CSV rows of F features: F columns, or F + 1 with the
    /// training label column (by --label, or the last), which is then ignored.
    /// </summary>
    private static Tensor ReadRows(string file, RunConfig config)
    {
        if (config.InputShape.Length != 1)
            throw new CliException($"predict: '{file}': the model of this run takes images [{string.Join(",", config.InputShape)}], not CSV rows");
        int expected = config.InputShape[0];
        var data = CsvReader.Read(file, new CsvOptions());
        int found = data.Features.Shape[1];
        if (found == expected) return data.Features;
        if (found == expected + 1)
        {
            var options = config.Label is null ? new CsvOptions { LabelColumnIndex = -1 }
                : int.TryParse(config.Label, out int i) ? new CsvOptions { LabelColumnIndex = i } : new CsvOptions { LabelColumn = config.Label };
            return CsvReader.Read(file, options).Features;
        }
        throw new CliException($"predict: '{file}' has {found} columns; the model takes {expected} features (or {expected + 1} columns with the label)");
    }

    private static void CheckFinite(Tensor probabilities, string file)
    {
        var values = probabilities.ToDoubleArray();
        int bad = Array.FindIndex(values, v => !double.IsFinite(v));
        if (bad >= 0)
            throw new CliException($"predict: '{file}': row {bad / probabilities.Shape[1] + 1} gives non-finite probabilities (NaN); its features are out of the model's range", 1);
    }

    /// <summary>Grayscale, inverted if dark-on-light, resized to [1, C, H, W] of the model.</summary>
    public static Tensor ToInput(GrayImage image, int[] inputShape)
    {
        if (inputShape.Length != 3) throw new CliException($"predict: the model takes inputs of shape [{string.Join(",", inputShape)}], not images");
        int c = inputShape[0], h = inputShape[1], w = inputShape[2];
        if (image.Mean() > 0.5) image = image.Invert();
        var resized = image.Resize(w, h);
        var data = new float[c * h * w];
        for (int ch = 0; ch < c; ch++) resized.Pixels.CopyTo(data, ch * h * w);
        return Tensor.FromArray(data, 1, c, h, w);
    }

    private static void Print(string name, Tensor probs, int row, string[] classNames, int top)
    {
        int k = probs.Shape[1];
        var order = Enumerable.Range(0, k).OrderByDescending(c => probs[row, c]).Take(top).ToList();
        string Name(int c) => c < classNames.Length ? classNames[c] : c.ToString(CultureInfo.InvariantCulture);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {Name(order[0])}  ({string.Join(", ", order.Select(c => $"{Name(c)} {probs[row, c]:F4}"))})"));
    }
}
