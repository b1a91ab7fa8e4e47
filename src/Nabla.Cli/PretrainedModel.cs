using Nabla.Data;
using Nabla.Models;
using Nabla.NN;

namespace Nabla.Cli;

/// <summary>`--pretrained NAME` of predict and eval: a model shipped in data/pretrained (<see cref="ModelZoo.Pretrained"/>) in place of a run folder.</summary>
internal static class PretrainedModel
{
    /// <summary>The --pretrained option, refused together with --run or --model.</summary>
    public static string? Option(Arguments a, string command)
    {
        string? name = a.String("pretrained");
        if (name is not null && (a.Has("run") || a.Has("model")))
            throw new CliException($"{command}: give one of --pretrained NAME, --run DIR or --model FILE.onnx");
        return name;
    }

    /// <summary>The pretrained model and a configuration describing it as a run would (dataset, input shape, class names).</summary>
    public static (Module Model, RunConfig Config) Load(string name)
    {
        try
        {
            var model = ModelZoo.Pretrained(name);
            string dataset = name.ToLowerInvariant();
            var classes = dataset == "fashion-mnist" ? FashionMnist.ClassNames : Mnist.ClassNames;
            string recipe = dataset == "fashion-mnist" ? TrainingRecipe.FashionBest.Name : TrainingRecipe.MnistBest.Name;
            return (model, new RunConfig { Model = recipe, Dataset = dataset, InputShape = [1, 28, 28], ClassNames = [.. classes] });
        }
        catch (Models.ConfigurationException e) { throw new CliException("--" + e.Message); }
        catch (DatasetNotFoundException e) { throw new CliException("--" + e.Message, 1); }
    }
}
