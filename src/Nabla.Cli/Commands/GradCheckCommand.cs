using System.Globalization;
using Nabla.Autograd;
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
        a.EnsureAllUsed("gradcheck");
        Generator.ManualSeed(seed);
        var model = ModelFactory.Build(ModelFactory.ConfigFor(name) with { InputShape = input }, 10);
        model.To(DType.Float64);
        model.Eval();
        var x = Tensor.Uniform([batch, .. input], 0, 1, new Generator(seed), DType.Float64);
        var labels = Enumerable.Range(0, batch).Select(i => i % 10).ToArray();
        var loss = new CrossEntropy();
        var parameters = model.NamedParameters().ToList();
        long total = parameters.Sum(p => (long)p.Parameter.Numel);
        Console.WriteLine($"checking {parameters.Count} parameters ({total:N0} values) of {name} by central differences...");
        var result = GradCheck.Check(() => loss.Forward(model.Forward(x), labels), parameters.Select(p => p.Parameter.Data).ToList(), step: 1e-6);
        int width = Math.Max(10, parameters.Max(p => p.Name.Length));
        for (int i = 0; i < parameters.Count; i++)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {parameters[i].Name.PadRight(width)}  {parameters[i].Parameter.Shape,-16}  max relative error {result.MaxRelativeError[i]:E2}"));
        Console.WriteLine(result.Passed ? "gradcheck passed" : "gradcheck FAILED");
        return result.Passed ? 0 : 1;
    }
}
