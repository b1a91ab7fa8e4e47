using System.Globalization;
using Nabla.Autograd;
using Nabla.Cli;
using Nabla.Losses;
using Nabla.Tensors;

namespace Nabla.Cli.Commands;

/// <summary>`nabla gradcheck`: the lectures' gradient checking on a whole model, in float64, worst relative error per parameter.</summary>
internal static class GradCheckCommand
{
    public const string Help = """
        usage: nabla gradcheck --model NAME|FILE [--input C,H,W] [--batch N] [--seed N]

          compares backpropagated gradients of a cross-entropy loss with central differences (float64)
          for every parameter of the model, on random inputs; prints the worst relative error per parameter.
          Dropout is switched off (evaluation mode) so the function is deterministic; batch norm uses batch statistics.
        """;

    public static int Run(string[] argv)
    {
        var a = new Arguments(argv, new HashSet<string>());
        string name = a.String("model", "mlp");
        var input = SummaryCommand.ParseShape(a.String("input", "1,28,28"));
        int batch = a.Int("batch", 2, 1, 64);
        ulong seed = (ulong)a.Int("seed", 1, 0);
        a.EnsureNoPositional("gradcheck");
        a.EnsureAllUsed("gradcheck");
        Generator.ManualSeed(seed);
        var config = ModelFactory.ConfigFor(name) with { InputShape = input };
        var model = ModelFactory.Build(config, 10);
        ModelFactory.CheckFits(model, config, 10, $"--model {name}");
        model.To(DType.Float64);
        model.Eval();
        var x = Tensor.Uniform([batch, .. input], 0, 1, new Generator(seed), DType.Float64);
        var labels = Enumerable.Range(0, batch).Select(i => i % 10).ToArray();
        var loss = new CrossEntropy();
        var parameters = model.NamedParameters().ToList();
        long total = parameters.Sum(p => (long)p.Parameter.Numel);
        Console.WriteLine($"checking {parameters.Count} parameters ({total:N0} values) of {name} by central differences...");
        var progress = new ConsoleProgress(ProgressReporter.IsInteractive(Console.Error));
        var result = GradCheck.Check(() => loss.Forward(model.Forward(x), labels), parameters.Select(p => p.Parameter.Data).ToList(), step: 1e-6, progress: progress);
        progress.Finish();
        int width = Math.Max(10, parameters.Max(p => p.Name.Length));
        Console.WriteLine($"criterion: {result.Criterion}");
        for (int i = 0; i < parameters.Count; i++)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {parameters[i].Name.PadRight(width)}  {parameters[i].Parameter.Shape,-16}  {(result.InputPassed[i] ? "ok  " : "FAIL")}  worst element at {result.WorstExcess[i]:P1} of its tolerance (max relative error {result.MaxRelativeError[i]:E2})"));
        Console.WriteLine(result.Passed
            ? $"gradcheck passed: every element within its tolerance ({result.Criterion})"
            : $"gradcheck FAILED: {result.InputPassed.Count(ok => !ok)} parameter(s) have elements outside {result.Criterion}");
        return result.Passed ? 0 : 1;
    }

    /// <summary>Progress on standard error: a line redrawn in place on a terminal, else a line every 10%.</summary>
    private sealed class ConsoleProgress(bool live) : IProgress<GradCheckProgress>
    {
        private int _lastTenth = -1;

        public void Report(GradCheckProgress p)
        {
            string text = string.Create(CultureInfo.InvariantCulture,
                $"  {p.Done:N0}/{p.Total:N0} values ({p.Fraction:P0}), parameter {p.Input + 1}/{p.InputCount}, {p.Elapsed.TotalSeconds:F0} s");
            if (live) { Console.Error.Write("\r" + text.PadRight(60)); return; }
            int tenth = (int)(p.Fraction * 10);
            if (tenth == _lastTenth) return;
            _lastTenth = tenth;
            Console.Error.WriteLine(text);
        }

        public void Finish()
        {
            if (live) Console.Error.Write("\r" + new string(' ', 60) + "\r");
        }
    }
}
