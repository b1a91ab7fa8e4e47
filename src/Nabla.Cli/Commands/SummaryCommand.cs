using Nabla.Diagnostics;

namespace Nabla.Cli.Commands;

/// <summary>`nabla summary`: the layer table of a model with output shapes, parameters and multiply-accumulates.</summary>
internal static class SummaryCommand
{
    public const string Help = """
        usage: nabla summary --model NAME|FILE [--input C,H,W] [--classes K]

          --model    mlp, lenet, cnn, resnet, lstm, or a JSON architecture file
          --input    the input shape without the batch axis (default 1,28,28)
          --classes  number of output classes (default 10)
        """;

    public static int Run(string[] argv)
    {
        var a = new Arguments(argv, new HashSet<string>());
        string name = a.String("model", "lenet");
        var input = ParseShape(a.String("input", "1,28,28"));
        int classes = a.Int("classes", 10, 1);
        a.EnsureAllUsed("summary");
        var config = ModelFactory.ConfigFor(name) with { InputShape = input };
        var model = ModelFactory.Build(config, classes);
        Console.WriteLine(model.Summary([1, .. input]));
        return 0;
    }

    public static int[] ParseShape(string s)
    {
        try
        {
            var dims = s.Split(',', StringSplitOptions.TrimEntries).Select(d => int.Parse(d, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            if (dims.Length == 0 || dims.Any(d => d <= 0)) throw new FormatException();
            return dims;
        }
        catch (Exception e) when (e is FormatException or OverflowException) { throw new CliException($"--input: expected positive sizes like 1,28,28, got '{s}'"); }
    }
}
