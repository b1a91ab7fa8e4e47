using Nabla.Data;
using Nabla.Data.Preprocessing;
using Nabla.Tensors;

namespace Nabla.Cli;

/// <summary>Resolves --dataset: mnist (bundled), fashion-mnist, a folder of IDX files, or a CSV file with --label.</summary>
internal static class DatasetLoader
{
    public sealed record Loaded(TensorDataset Train, TensorDataset Test, string[] ClassNames, int[] InputShape, Dictionary<string, double[]>? Preprocessing, string Name);

    public static Loaded Load(string dataset, string? label, ulong seed, int? limit, Dictionary<string, double[]>? preprocessing = null)
    {
        Loaded loaded;
        if (dataset == "mnist") loaded = Images(Mnist.Load(), "mnist");
        else if (dataset is "fashion-mnist" or "fashion_mnist") loaded = Images(FashionMnist.Load(), "fashion-mnist");
        else if (Directory.Exists(dataset)) loaded = Images(Mnist.Load(dataset), Path.GetFileName(Path.GetFullPath(dataset).TrimEnd('/')));
        else if (File.Exists(dataset) && dataset.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) loaded = Csv(dataset, label, seed, preprocessing);
        else if (dataset.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) throw new CliException($"--dataset: CSV file '{dataset}' not found");
        else throw new CliException(
            $"--dataset: '{dataset}' is not mnist, fashion-mnist, a folder of IDX files or a .csv file. MNIST is bundled in data/mnist; " +
            "Fashion-MNIST comes from 'apt-get install dataset-fashion-mnist' (/usr/share/datasets/fashion-mnist) or ../shared/data/fashion-mnist");
        if (limit is int n && n < loaded.Train.Count)
            loaded = loaded with { Train = loaded.Train.Slice(0, n), Test = loaded.Test.Slice(0, Math.Min(loaded.Test.Count, Math.Max(n / 6, 100))) };
        return loaded;
    }

    private static Loaded Images(TrainTestData d, string name) =>
        new(d.Train, d.Test, d.ClassNames.ToArray(), d.Train.ExampleShape, null, name);

    private static Loaded Csv(string path, string? label, ulong seed, Dictionary<string, double[]>? preprocessing)
    {
        var options = label is null ? new CsvOptions { LabelColumnIndex = -1 } : int.TryParse(label, out int idx) ? new CsvOptions { LabelColumnIndex = idx } : new CsvOptions { LabelColumn = label };
        var data = CsvReader.Read(path, options);
        if (data.Labels is null) throw new CliException($"--label: {path} has no label column; name it with --label NAME or --label INDEX");
        var (train, test) = Split.TrainTest(data.ToDataset(), 0.2, seed, stratified: true);
        // Standardize with training statistics only (no leakage into the test split).
        var scaler = new StandardScaler();
        if (preprocessing is not null) scaler.ImportState(preprocessing);
        else scaler.Fit(train.Features);
        train = train.WithFeatures(scaler.Transform(train.Features));
        test = test.WithFeatures(scaler.Transform(test.Features));
        var names = data.ClassNames?.ToArray() ?? Enumerable.Range(0, data.Labels.Max() + 1).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return new Loaded(train, test, names, train.ExampleShape, scaler.ExportState().ToDictionary(k => k.Key, k => k.Value), Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>Applies the saved preprocessing of a CSV run to new rows.</summary>
    public static Tensor Preprocess(Tensor features, Dictionary<string, double[]>? state)
    {
        if (state is null) return features;
        var scaler = new StandardScaler();
        scaler.ImportState(state);
        return scaler.Transform(features);
    }
}
