using Nabla.Data;
using Nabla.IO;
using Nabla.Tensors;

namespace Nabla.Cli;

/// <summary>
/// Turns predict's files into the input an ONNX model declares: [1, H, W] a grayscale image as `nabla train` reads MNIST
/// (inverted when dark-on-light), [3, H, W] an RGB image, [H·W] a flattened square grayscale image or CSV rows of H·W
/// features, [F] CSV rows of F features (or F + 1 columns, the last a label that is ignored).
/// </summary>
internal static class OnnxInputs
{
    /// <summary>One image as a batch of one example of shape <paramref name="example"/>.</summary>
    public static Tensor Image(string file, int[] example, string input)
    {
        if (example is [1, int h, int w]) return Commands.PredictCommand.ToInput(LoadGray(file), example);
        if (example is [3, int hc, int wc]) return Tensor.FromArray(ImageFolder.LoadImage(file, 3, hc, wc), 1, 3, hc, wc);
        if (example is [int f] && Side(f) is int s) return Commands.PredictCommand.ToInput(LoadGray(file), [1, s, s]).Reshape(1, f);
        throw new CliException($"predict: '{file}': the model takes {input}; an image can feed [batch, 1, H, W] (grayscale), " +
                               "[batch, 3, H, W] (RGB) or [batch, H*W] (a flattened square grayscale image)", 1);
    }

    /// <summary>The feature rows of a CSV file for a model whose examples are <paramref name="example"/> = [F].</summary>
    public static Tensor Rows(string file, int[] example, string input)
    {
        if (example is not [int expected])
            throw new CliException($"predict: '{file}': the model takes {input}; CSV rows can feed [batch, F] only (images feed [batch, C, H, W])", 1);
        var data = CsvReader.Read(file, new CsvOptions());
        int found = data.Features.Shape[1];
        if (found == expected) return data.Features;
        if (found == expected + 1) return CsvReader.Read(file, new CsvOptions { LabelColumnIndex = -1 }).Features;
        throw new CliException($"predict: '{file}' has {found} columns; the model takes {input}: {expected} features (or {expected + 1} columns, the last a label)", 1);
    }

    private static GrayImage LoadGray(string file) =>
        Path.GetExtension(file).Equals(".png", StringComparison.OrdinalIgnoreCase) ? Png.Load(file) : Pgm.Load(file);

    /// <summary>The side of a square image of <paramref name="pixels"/> pixels, or null.</summary>
    private static int? Side(int pixels)
    {
        int s = (int)Math.Round(Math.Sqrt(pixels));
        return s * s == pixels && s >= 4 ? s : null;
    }
}
