namespace Nabla.Data;

/// <summary>
/// Where the built-in datasets are looked for, in order: the folder named by the environment variable
/// <c>NABLA_DATA</c>; the user's data folder (<c>~/.local/share/nabla</c> on Linux, <c>%LOCALAPPDATA%\nabla</c> on
/// Windows); then <c>data/</c> in the current directory, the application's directory (the installed `nabla` tool
/// carries MNIST there) and their ancestors. Each of these holds one subfolder per dataset: <c>mnist/</c>,
/// <c>fashion-mnist/</c>, with the four IDX files (gzip-compressed or raw).
/// </summary>
public static class DataLocations
{
    /// <summary>The environment variable naming a data folder searched first.</summary>
    public const string EnvironmentVariable = "NABLA_DATA";

    /// <summary>The user's data folder (whether or not it exists).</summary>
    public static string UserFolder =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "nabla");

    /// <summary>The roots searched before the upward search: NABLA_DATA (when set) and <see cref="UserFolder"/>.</summary>
    public static IEnumerable<string> Roots()
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) yield return Path.GetFullPath(env);
        yield return UserFolder;
    }

    /// <summary>
    /// The first folder holding the four IDX files of <paramref name="dataset"/> (a subfolder name such as "mnist"):
    /// under each of <see cref="Roots"/>, then in <paramref name="systemFolder"/> (where a system package installs it), then
    /// <c>data/{dataset}</c> and <paramref name="alsoRelative"/> above the current and application directories; or null.
    /// </summary>
    public static string? Find(string dataset, string? systemFolder = null, params string[] alsoRelative)
    {
        foreach (var root in Roots())
        {
            var candidate = Path.Combine(root, dataset);
            if (IdxImageFolder.HasAll(candidate)) return candidate;
        }
        if (systemFolder is not null && IdxImageFolder.HasAll(systemFolder)) return systemFolder;
        foreach (var start in IdxImageFolder.SearchStarts())
            foreach (var dir in IdxImageFolder.Ancestors(start))
                foreach (var rel in alsoRelative.Prepend(Path.Combine("data", dataset)))
                {
                    var candidate = Path.Combine(dir, rel);
                    if (IdxImageFolder.HasAll(candidate)) return candidate;
                }
        return null;
    }

    /// <summary>
    /// The first file at <paramref name="relativePath"/> (such as "pretrained/mnist.safetensors") under each of
    /// <see cref="Roots"/>, then under <c>data/</c> in the current and application directories and their ancestors; or null.
    /// </summary>
    public static string? FindFile(string relativePath)
    {
        foreach (var root in Roots())
        {
            var candidate = Path.Combine(root, relativePath);
            if (File.Exists(candidate)) return candidate;
        }
        foreach (var start in IdxImageFolder.SearchStarts())
            foreach (var dir in IdxImageFolder.Ancestors(start))
            {
                var candidate = Path.Combine(dir, "data", relativePath);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    /// <summary>A description of the places searched, for error messages.</summary>
    public static string Describe(string dataset) =>
        $"{EnvironmentVariable}/{dataset} ({(Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } e ? e : "NABLA_DATA not set")}), " +
        $"{Path.Combine(UserFolder, dataset)}, and data/{dataset} above {string.Join(" or ", IdxImageFolder.SearchStarts())}";
}
