using Nabla.Data;
using Nabla.IO;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Models;

public static partial class ModelZoo
{
    /// <summary>The metadata key of a pretrained file holding its architecture (<see cref="ModelSpec"/> JSON).</summary>
    public const string ArchitectureKey = "nabla.architecture";

    /// <summary>The metadata key of a pretrained file holding the test accuracy its weights reached.</summary>
    public const string TestAccuracyKey = "nabla.test_accuracy";

    /// <summary>
    /// The names of the pretrained models <see cref="Pretrained"/> loads: "mnist" (the <see cref="TrainingRecipe.MnistBest"/>
    /// model trained on MNIST) and "fashion-mnist" (<see cref="TrainingRecipe.FashionBest"/> on Fashion-MNIST). Both take
    /// [N, 1, 28, 28] images in [0, 1] and return [N, 10] logits.
    /// </summary>
    public static IReadOnlyList<string> PretrainedNames { get; } = ["mnist", "fashion-mnist"];

    /// <summary>
    /// The pretrained model <paramref name="name"/> (see <see cref="PretrainedNames"/>), in evaluation mode: its
    /// architecture and weights come from <c>pretrained/NAME.safetensors</c>, found as <see cref="DataLocations"/> finds
    /// datasets (the repository keeps the files in <c>data/pretrained</c>; the installed nabla tool carries them).
    /// </summary>
    /// <exception cref="ConfigurationException">The name is unknown.</exception>
    /// <exception cref="Data.DatasetNotFoundException">The file is not found.</exception>
    /// <exception cref="CheckpointException">The file is damaged or does not fit its architecture.</exception>
    public static Sequential Pretrained(string name)
    {
        var file = Checkpoint.Read(PretrainedPath(name));
        if (!file.Metadata.TryGetValue(ArchitectureKey, out var architecture))
            throw new CheckpointException($"{name}.safetensors: no architecture ({ArchitectureKey}) in its metadata");
        var model = ModelSpec.Parse(architecture, $"{name}.safetensors").Build(new Generator(0));
        Checkpoint.Load(file, $"{name}.safetensors", model);
        model.Eval();
        return model;
    }

    /// <summary>The file of the pretrained model <paramref name="name"/>, searched as <see cref="Pretrained"/> describes.</summary>
    /// <exception cref="ConfigurationException">The name is unknown.</exception>
    /// <exception cref="Data.DatasetNotFoundException">The file is not found.</exception>
    public static string PretrainedPath(string name)
    {
        string key = name.ToLowerInvariant();
        if (!PretrainedNames.Contains(key))
            throw new ConfigurationException($"pretrained: unknown model '{name}'; known pretrained models: {string.Join(", ", PretrainedNames)}");
        return DataLocations.FindFile(Path.Combine("pretrained", key + ".safetensors")) ?? throw new DatasetNotFoundException(
            $"pretrained: {key}.safetensors was not found in {DataLocations.Describe("pretrained")}. The Nabla repository keeps it in " +
            "data/pretrained; run from inside a clone, or copy it to " + Path.Combine(DataLocations.UserFolder, "pretrained") + ".");
    }
}
