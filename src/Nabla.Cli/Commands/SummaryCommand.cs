using Nabla.Diagnostics;

namespace Nabla.Cli.Commands;

/// <summary>`nabla summary`: the layer table of a model with output shapes, parameters and multiply-accumulates.</summary>
internal static class SummaryCommand
{
    public const string Help = """
        usage: nabla summary --model NAME|FILE [--input C,H,W] [--classes K]

          --model    mlp, lenet, cnn, resnet, lstm, a JSON architecture file, or an ONNX file (FILE.onnx):
                     its producer, IR version, opset, inputs and outputs, then one row per node
          --input    the input shape without the batch axis (default 1,28,28; for an ONNX file its declared
                     input, needed only when a dimension other than the batch is symbolic)
          --classes  number of output classes (default 10; not for ONNX files)
        """;

    public static int Run(string[] argv)
    {
        var a = new Arguments(argv, new HashSet<string>());
        string name = a.String("model", "lenet");
        string? inputText = a.String("input");
        if (OnnxModelFile.IsOnnx(name))
        {
            if (a.Has("classes")) throw new CliException("summary: --classes does not apply to an ONNX file (its outputs are fixed)");
            a.EnsureNoPositional("summary");
            a.EnsureAllUsed("summary");
            return OnnxSummary.Run(name, inputText is null ? null : ParseShape(inputText));
        }
        var input = ParseShape(inputText ?? "1,28,28");
        int classes = a.Int("classes", 10, 1);
        a.EnsureNoPositional("summary");
        a.EnsureAllUsed("summary");
        var config = ModelFactory.ConfigFor(name) with { InputShape = input };
        var model = ModelFactory.Build(config, classes);
        Console.WriteLine(model.Summary([1, .. input]));
        return 0;
    }

    /// <summary>The most values one input sample of --input may hold (3 x 2048 x 2048 fits): more would overflow sizes or memory.</summary>
    public const long MaxInputValues = 1L << 24;

    public static int[] ParseShape(string s)
    {
        int[] dims;
        try
        {
            dims = s.Split(',', StringSplitOptions.TrimEntries).Select(d => int.Parse(d, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            if (dims.Length == 0 || dims.Any(d => d <= 0)) throw new FormatException();
        }
        catch (Exception e) when (e is FormatException or OverflowException) { throw new CliException($"--input: expected positive sizes like 1,28,28, got '{s}'"); }
        long values = 1;
        foreach (int d in dims)
            if ((values *= d) > MaxInputValues)
                throw new CliException($"--input: '{s}' is more than {MaxInputValues} values per sample; give a smaller shape");
        return dims;
    }
}
