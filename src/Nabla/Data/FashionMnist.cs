namespace Nabla.Data;

/// <summary>
/// Fashion-MNIST (Zalando Research, MIT license): 60000 training and 10000 test 28×28 gray images of ten kinds
/// of clothing, in MNIST's IDX layout. Not stored in the repository: install it with
/// <c>apt-get install dataset-fashion-mnist</c> (files in <c>/usr/share/datasets/fashion-mnist</c>).
/// </summary>
public static class FashionMnist
{
    /// <summary>The system folder the Debian package <c>dataset-fashion-mnist</c> installs to.</summary>
    public const string SystemFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>The class names of labels 0–9.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// Loads the training and test sets: features pixel/255 as float32 [N,1,28,28] ([N,784] with
    /// <paramref name="flatten"/>), int labels 0–9 (names in <see cref="ClassNames"/>).
    /// </summary>
    /// <param name="folder">The folder with the four IDX files (.gz or raw); null searches with <see cref="FindFolder"/>.</param>
    /// <param name="flatten">Return features as [N,784] instead of [N,1,28,28].</param>
    public static TrainTestData Load(string? folder = null, bool flatten = false)
    {
        folder ??= FindFolder() ?? throw new DatasetNotFoundException(
            $"Fashion-MNIST: not found in {SystemFolder}, {DataLocations.Describe("fashion-mnist")}, nor shared/data/fashion-mnist. " +
            "Install it with 'apt-get install dataset-fashion-mnist' (it goes to /usr/share/datasets/fashion-mnist), " +
            $"or copy its four IDX files to {Path.Combine(DataLocations.UserFolder, "fashion-mnist")} or pass their folder.");
        return IdxImageFolder.Load(folder, "Fashion-MNIST", ClassNames, flatten);
    }

    /// <summary>
    /// The first folder holding the four files among: NABLA_DATA/fashion-mnist and the user's data folder
    /// (<see cref="DataLocations"/>), <see cref="SystemFolder"/>, then <c>data/fashion-mnist</c> and
    /// <c>shared/data/fashion-mnist</c> above the current and application directories; or null.
    /// </summary>
    public static string? FindFolder() =>
        DataLocations.Find("fashion-mnist", SystemFolder, Path.Combine("shared", "data", "fashion-mnist"));
}
