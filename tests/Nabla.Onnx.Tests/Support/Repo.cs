namespace Nabla.Onnx.Tests.Support;

/// <summary>Paths in the repository, found upwards from the test binary.</summary>
public static class Repo
{
    /// <summary>The repository root (the folder holding Nabla.slnx).</summary>
    public static string Root { get; } = FindRoot();

    static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Nabla.slnx"))) return d.FullName;
        throw new InvalidOperationException("Nabla.slnx not found above " + AppContext.BaseDirectory);
    }
}
