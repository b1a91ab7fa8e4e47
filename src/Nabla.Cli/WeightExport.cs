using Nabla.IO.Torch;

namespace Nabla.Cli;

/// <summary>
/// The weights of a run folder for PyTorch (`nabla export --run DIR --format torch|safetensors`): the trained model's
/// <see cref="NN.Module.StateDict"/> with PyTorch's names, as a torch.save file that
/// <c>torch.load(path, weights_only=True)</c> reads, or as safetensors. The export command calls <see cref="Write"/>.
/// </summary>
internal static class WeightExport
{
    /// <summary>The formats <see cref="Write"/> accepts.</summary>
    public static readonly string[] Formats = ["torch", "safetensors"];

    /// <summary>The file written when no output path is given: DIR/model.pt or DIR/model.torch.safetensors.</summary>
    public static string DefaultPath(string runDir, string format) =>
        Path.Combine(runDir, format == "torch" ? "model.pt" : "model.torch.safetensors");

    /// <summary>Writes the weights of the run in <paramref name="runDir"/> to <paramref name="outPath"/> (atomically) and returns the number of tensors.</summary>
    /// <exception cref="CliException">The format is unknown or the folder is not a finished run.</exception>
    public static int Write(string runDir, string format, string? outPath = null)
    {
        CheckFormat(format);
        var (model, _) = RunFolder.LoadModel(runDir);
        return Write(model, format, outPath ?? DefaultPath(runDir, format));
    }

    /// <summary>Writes <paramref name="model"/>'s weights in <paramref name="format"/> to <paramref name="path"/> (atomically) and returns the number of tensors.</summary>
    public static int Write(NN.Module model, string format, string path)
    {
        CheckFormat(format);
        var state = model.StateDict();
        if (format == "torch") TorchFile.Save(path, state);
        else TorchFile.SaveSafeTensors(path, state);
        return state.Count;
    }

    static void CheckFormat(string format)
    {
        if (!Formats.Contains(format))
            throw new CliException($"--format: unknown weight format '{format}'; choose {string.Join(" or ", Formats)}");
    }
}
