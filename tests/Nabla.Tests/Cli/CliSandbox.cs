using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Nabla.Tests.Cli;

/// <summary>A temporary folder for command-line tests, with small data files a new user would bring.</summary>
public sealed class CliSandbox : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("nabla-sandbox").FullName;

    public string this[string relative] => Path.Combine(Dir, relative);

    public void Dispose()
    {
        try { Directory.Delete(Dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public CliRunner.Result Run(params string[] args) => CliRunner.Run(Dir, args);

    public string Write(string relative, string text)
    {
        string path = this[relative];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public string Write(string relative, byte[] bytes)
    {
        string path = this[relative];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>
    /// An iris-like table: 4 measurements, 3 separable species named in the last column, <paramref name="rows"/> rows
    /// (balanced), with a header. <paramref name="separator"/> separates cells.
    /// </summary>
    public static string IrisLike(int rows = 150, char separator = ',', int seed = 1)
    {
        var rng = new Random(seed);
        string[] species = ["setosa", "versicolor", "virginica"];
        var sb = new StringBuilder();
        sb.Append(string.Join(separator, "sepal_length", "sepal_width", "petal_length", "petal_width", "species")).Append('\n');
        for (int r = 0; r < rows; r++)
        {
            int c = r % 3;
            double[] v = [5 + c + rng.NextDouble(), 3 + 0.3 * c + rng.NextDouble() * 0.5, 1.5 + 2 * c + rng.NextDouble(), 0.2 + 0.8 * c + rng.NextDouble() * 0.3];
            sb.Append(string.Join(separator, v.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))).Append(separator).Append(species[c]).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>A digest of every file under <paramref name="dir"/> (names, sizes, contents, times): equal digests mean an untouched folder.</summary>
    public static string Digest(string dir)
    {
        if (!Directory.Exists(dir)) return "absent";
        var sb = new StringBuilder();
        foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(f);
            sb.Append(Path.GetRelativePath(dir, f)).Append(' ').Append(info.Length).Append(' ').Append(info.LastWriteTimeUtc.Ticks).Append(' ')
              .Append(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))).Append('\n');
        }
        return sb.ToString();
    }
}
