using Nabla.Losses;
using Nabla.Training;

namespace Nabla.Cli.Commands;

/// <summary>`nabla eval --model FILE.onnx`: the metrics of an imported ONNX classifier on a dataset's test split.</summary>
internal static class EvalOnnx
{
    public static int Run(string path, string dataset, string? label, bool json)
    {
        var graph = OnnxModelFile.Load(path, "eval");
        var (example, batch) = OnnxModelFile.ExampleShape(graph, path);
        // An image folder is read at the size and channels the model takes.
        var config = new RunConfig { Dataset = DatasetLoader.Canonical(dataset), Label = label };
        if (example is [int c, int h, int w]) config = config with { Channels = c, ImageSize = [h, w] };
        var data = DatasetLoader.Load(config);
        var test = data.Test;
        // A model of flat inputs [batch, H*W] takes images flattened, as predict feeds it.
        if (example.Length == 1 && data.InputShape.Length > 1 && data.InputShape.Aggregate(1, (p, d) => p * d) == example[0])
            test = test.Flatten();
        if (!test.ExampleShape.SequenceEqual(example))
            throw new CliException($"eval --dataset {data.Name}: its examples have shape {OnnxModelFile.Shape(data.InputShape)}; " +
                                   $"the model {path} takes {OnnxModelFile.Shape(example)} ({OnnxModelFile.Describe(graph)})", 1);
        var model = new OnnxClassifier(graph, path);
        int outputs = model.Forward(test.Slice(0, 1).Features).Shape[1];
        if (data.ClassNames.Length > outputs)
            throw new CliException($"eval --dataset {data.Name}: it has {data.ClassNames.Length} classes; the model {path} has {outputs} outputs", 1);
        EvalCommand.Report("model", path, data with { Test = test }, model.Evaluate(test, new CrossEntropy(), batch), json);
        return 0;
    }
}
