using Nabla.Errors;

namespace Nabla.Data;

/// <summary>Shared loading of an MNIST-layout folder: four IDX files, 28×28 unsigned-byte images and labels.</summary>
internal static class IdxImageFolder
{
    internal static readonly string[] Files =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>The path of a file in <paramref name="folder"/>: the gzip-compressed one if present, else the raw one, else null.</summary>
    internal static string? Resolve(string folder, string baseName)
    {
        foreach (var candidate in new[] { baseName + ".gz", baseName })
        {
            var p = Path.Combine(folder, candidate);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    internal static bool HasAll(string folder) => Directory.Exists(folder) && Files.All(f => Resolve(folder, f) != null);

    /// <summary>Directories from <paramref name="start"/> up to the file-system root.</summary>
    internal static IEnumerable<string> Ancestors(string start)
    {
        for (var d = new DirectoryInfo(start); d != null; d = d.Parent) yield return d.FullName;
    }

    /// <summary>The start points of upward searches: the current directory and the application's base directory.</summary>
    internal static IEnumerable<string> SearchStarts() => new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory }.Distinct();

    internal static TrainTestData Load(string folder, string datasetName, IReadOnlyList<string> classNames, bool flatten)
    {
        var paths = Files.Select(f => Resolve(folder, f) ?? throw new DatasetNotFoundException(
            $"{datasetName}: {f}(.gz) not found in {folder}")).ToArray();
        // Images stay bytes (ByteFeatures, pixel / 255 on the way into each batch): a quarter of the memory of float32.
        var files = new IdxData[4];
        try
        {
            Parallel.For(0, 4, i => files[i] = IdxReader.Read(paths[i], expectedRank: i % 2 == 0 ? 3 : 1));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Report the reader's own error (a DataFormatException naming the file), not Parallel.For's wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return new TrainTestData(Make(files[0], files[1], classNames.Count, flatten), Make(files[2], files[3], classNames.Count, flatten), classNames);
    }

    private static TensorDataset Make(IdxData images, IdxData labels, int classes, bool flatten)
    {
        int count = images.Count;
        if (images.Dims[1] != 28 || images.Dims[2] != 28)
            throw new DataFormatException($"{images.Source}: 28x28 images expected, found {images.Dims[1]}x{images.Dims[2]}");
        if (count != labels.Count)
            throw new DataFormatException($"{labels.Source}: {count} labels expected (one per image of {images.Source}), found {labels.Count}");
        var y = labels.ToInt32Array();
        for (int i = 0; i < y.Length; i++)
            if (y[i] >= classes) throw new DataFormatException($"{labels.Source}: labels 0..{classes - 1} expected, found {y[i]} at record {i}");
        var x = ByteFeatures.Scaled(images.Data, flatten ? [count, 28 * 28] : [count, 1, 28, 28], 255f);
        return new TensorDataset(x, y);
    }
}
