using System.Globalization;
using OnnxIO = Nabla.Onnx.Onnx;

namespace Nabla.Cli.Commands;

/// <summary>`nabla export`: writes a trained run's model as an ONNX file (inference form) for ONNX Runtime and other consumers.</summary>
internal static class ExportCommand
{
    public const string Help = """
        usage: nabla export --run DIR [--out FILE] [--opset N]

          --run DIR      a run folder written by 'nabla train'
          --out FILE     the ONNX file to write (default: DIR/model.onnx)
          --opset N      the ONNX opset, 13 to 17 (default 17)

        The graph takes 'input' [batch, ...one example's shape] and gives 'output' [batch, classes] (the logits).
        """;

    public static int Run(string[] argv)
    {
        var a = new Arguments(argv, new HashSet<string>());
        string run = a.String("run") ?? throw new CliException("export: --run DIR is required");
        string? outPath = a.String("out");
        int opset = a.Int("opset", OnnxIO.DefaultOpset, 13, OnnxIO.DefaultOpset);
        a.EnsureNoPositional("export");
        a.EnsureAllUsed("export");
        if (outPath is not null && string.IsNullOrWhiteSpace(outPath)) throw new CliException("--out: the file path is empty");
        var (model, config) = RunFolder.LoadModel(run);
        string path = outPath ?? Path.Combine(run, "model.onnx");
        if (Directory.Exists(path)) throw new CliException($"--out {path}: is a folder; give the ONNX file's path (e.g. {Path.Combine(path, "model.onnx")})");
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder))
            throw new CliException($"--out {path}: the folder {folder} does not exist", 1);
        OnnxIO.Export(model, config.InputShape, path, opset);
        long size = new FileInfo(path).Length;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {path} ({size:N0} bytes, opset {opset}, input [batch, {string.Join(", ", config.InputShape)}], output [batch, {config.ClassNames.Length}])"));
        if (config.Preprocessing is not null)
            Console.WriteLine("note: the model was trained on standardized features, (x - mean) / scale with run.json's \"preprocessing\"; " +
                              "the ONNX graph expects inputs already standardized that way");
        return 0;
    }
}
