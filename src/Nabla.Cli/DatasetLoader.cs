using System.Globalization;
using Nabla.Data;
using Nabla.Data.Preprocessing;
using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Cli;

/// <summary>
/// Resolves --dataset: mnist (bundled), fashion-mnist, a folder of IDX files, a folder of images with one subfolder per
/// class, or a CSV file with --label. Refuses data that cannot train a classifier (one class, continuous labels).
/// </summary>
internal static class DatasetLoader
{
    public sealed record Loaded(TensorDataset Train, TensorDataset Test, string[] ClassNames, int[] InputShape, Dictionary<string, double[]>? Preprocessing, string Name)
    {
        /// <summary>What the data is: "idx" (MNIST layout), "image-folder" or "csv"; predict prepares its inputs by it.</summary>
        public string Kind { get; init; } = "idx";
    }

    /// <summary>Share of an image folder without test/ subfolder that is held out for testing.</summary>
    public const double ImageTestFraction = 0.2;

    /// <summary>The dataset as run.json stores it: a built-in name, or an absolute path (so eval works from any folder).</summary>
    public static string Canonical(string dataset)
    {
        if (string.IsNullOrWhiteSpace(dataset)) throw new CliException("--dataset: empty; give mnist, fashion-mnist, a folder or a .csv file");
        return IsBuiltIn(dataset) ? dataset : Path.GetFullPath(dataset);
    }

    private static bool IsBuiltIn(string dataset) => dataset is "mnist" or "fashion-mnist" or "fashion_mnist";

    /// <summary>Parses --image-size: "28", "28x28" or "32x48" (height x width).</summary>
    public static int[] ParseImageSize(string s)
    {
        var parts = s.Split('x', 'X');
        var dims = new int[2];
        if (parts.Length is < 1 or > 2 || parts.Any(p => !int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            throw new CliException($"--image-size: expected HxW such as 28x28, got '{s}'");
        dims[0] = int.Parse(parts[0], CultureInfo.InvariantCulture);
        dims[1] = int.Parse(parts[^1], CultureInfo.InvariantCulture);
        if (dims.Any(d => d is < 4 or > 1024)) throw new CliException($"--image-size: each side must be between 4 and 1024 pixels, got '{s}'");
        return dims;
    }

    public static Loaded Load(RunConfig config, Dictionary<string, double[]>? preprocessing = null)
    {
        string dataset = config.Dataset;
        Loaded loaded;
        try
        {
            if (dataset == "mnist") loaded = Idx(Mnist.Load(), "mnist");
            else if (dataset is "fashion-mnist" or "fashion_mnist") loaded = Idx(FashionMnist.Load(), "fashion-mnist");
            else if (Directory.Exists(dataset)) loaded = Folder(dataset, config);
            else if (File.Exists(dataset) && dataset.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) loaded = Csv(dataset, config.Label, config.Seed, preprocessing);
            else if (dataset.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) throw new CliException($"--dataset: CSV file '{dataset}' not found");
            else if (File.Exists(dataset)) throw new CliException($"--dataset: '{dataset}' is a file but not a .csv file; give mnist, fashion-mnist, a folder of IDX files or images, or a .csv file");
            else throw new CliException(
                $"--dataset: '{dataset}' is not mnist, fashion-mnist, an existing folder of IDX files or images, or a .csv file. " +
                "Fashion-MNIST comes from 'apt-get install dataset-fashion-mnist' (/usr/share/datasets/fashion-mnist)");
        }
        catch (DatasetNotFoundException e) when (IsBuiltIn(dataset))
        {
            throw new CliException($"--dataset {dataset}: {e.Message} Then run 'nabla train --dataset PATH', or set {DataLocations.EnvironmentVariable} to a folder holding {dataset}/.", 1);
        }
        if (loaded.Train.Count == 0 || loaded.Test.Count == 0)
            throw new CliException($"--dataset {loaded.Name}: no {(loaded.Train.Count == 0 ? "training" : "test")} examples ({loaded.Train.Count} for training, {loaded.Test.Count} for testing)", 1);
        var present = loaded.Train.Labels!.Concat(loaded.Test.Labels ?? []).Distinct().ToArray();
        if (present.Length < 2)
            throw new CliException($"--dataset {loaded.Name}: {present.Length} class{(present.Length == 1 ? $" ('{ClassName(loaded.ClassNames, present[0])}')" : "es")} found; a classifier needs at least 2", 1);
        if (config.Limit is int n && n < loaded.Train.Count) loaded = loaded with { Train = loaded.Train.Slice(0, n) };
        return loaded;
    }

    private static string ClassName(string[] names, int label) => label < names.Length ? names[label] : label.ToString(CultureInfo.InvariantCulture);

    private static Loaded Idx(TrainTestData d, string name) =>
        new(d.Train, d.Test, d.ClassNames.ToArray(), d.Train.ExampleShape, null, name);

    private static Loaded Folder(string dir, RunConfig config)
    {
        string name = Path.GetFileName(Path.GetFullPath(dir).TrimEnd('/'));
        if (IdxFolderHasFiles(dir)) return Idx(Mnist.Load(dir), name);
        if (!Directory.EnumerateDirectories(dir).Any(d => !Path.GetFileName(d).StartsWith('.')))
            throw new CliException($"--dataset: folder '{dir}' holds neither the four MNIST-layout IDX files (train-images-idx3-ubyte.gz, ...) nor one subfolder of images per class");
        int[] size = config.ImageSize ?? [28, 28];
        int channels = config.Channels ?? ImageFolder.InferShape(dir)[0];
        var d = ImageFolder.LoadTrainTest(dir, channels, size[0], size[1], ImageTestFraction, config.Seed);
        // Image folders list their files class by class: shuffle once (seeded) so that --limit takes every class.
        var order = new Generator(config.Seed).Permutation(d.Train.Count);
        return new Loaded(d.Train.Subset(order), d.Test, d.ClassNames.ToArray(), [channels, size[0], size[1]], null, name) { Kind = "image-folder" };
    }

    private static bool IdxFolderHasFiles(string dir) =>
        Directory.EnumerateFiles(dir).Any(f => Path.GetFileName(f).Contains("-idx", StringComparison.Ordinal));

    private static Loaded Csv(string path, string? label, ulong seed, Dictionary<string, double[]>? preprocessing)
    {
        var options = label is null ? new CsvOptions { LabelColumnIndex = -1 } : int.TryParse(label, out int idx) ? new CsvOptions { LabelColumnIndex = idx } : new CsvOptions { LabelColumn = label };
        CsvData data;
        try { data = CsvReader.Read(path, options); }
        catch (DataFormatException e) when (label is null && e.Message.Contains("label column", StringComparison.Ordinal))
        {
            throw new DataFormatException($"{e.Message}. Without --label the last column is the label: name the class column with --label NAME or --label INDEX");
        }
        if (data.Labels is null) throw new CliException($"--label: {path} has no label column; name it with --label NAME or --label INDEX");
        if (data.FeatureNames.Count == 0) throw new CliException($"--dataset {path}: no feature columns besides the label '{data.LabelName}'", 1);
        if (preprocessing is not null && preprocessing.TryGetValue("mean", out var mean) && mean.Length != data.FeatureNames.Count)
            throw new CliException($"--dataset {path}: its examples have {data.FeatureNames.Count} features ([{data.FeatureNames.Count}]); the model of the run takes [{mean.Length}]", 1);
        int n = data.Labels.Length;
        var names = data.ClassNames?.ToArray() ?? Enumerable.Range(0, data.Labels.Max() + 1).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        int distinct = data.Labels.Distinct().Count();
        if (distinct > 20 && distinct > n / 2)
            throw new CliException($"--label: column '{data.LabelName}' of {path} has {distinct} different values in {n} rows: an identifier or a measurement, not classes; name the class column with --label", 1);
        var (train, test) = Split.TrainTest(data.ToDataset(), 0.2, seed, stratified: true);
        // Standardize with training statistics only (no leakage into the test split).
        var scaler = new StandardScaler();
        if (preprocessing is not null) scaler.ImportState(preprocessing);
        else scaler.Fit(train.Features);
        train = train.WithFeatures(scaler.Transform(train.Features));
        test = test.WithFeatures(scaler.Transform(test.Features));
        return new Loaded(train, test, names, train.ExampleShape, scaler.ExportState().ToDictionary(k => k.Key, k => k.Value), Path.GetFileNameWithoutExtension(path)) { Kind = "csv" };
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
