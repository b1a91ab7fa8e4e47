using System.Diagnostics;

namespace Nabla.Tests.Cli;

/// <summary>Runs the real `nabla` command (Nabla.Cli.dll next to the test assembly) as a child process.</summary>
public static class CliRunner
{
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "Nabla.Cli.dll");

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static ProcessStartInfo StartInfo(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        psi.ArgumentList.Add(CliDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["CI"] = "true";
        return psi;
    }

    public static Result Run(string workingDirectory, params string[] args) => Run(workingDirectory, null, args);

    /// <summary>Runs the command with extra environment variables (null values remove a variable).</summary>
    public static Result Run(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var psi = StartInfo(workingDirectory, args);
        if (environment is not null)
            foreach (var (k, v) in environment)
                if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException($"nabla {string.Join(' ', args)} did not finish"); }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The final weights of a `nabla train` run folder (model.safetensors), by parameter name.</summary>
    public static Dictionary<string, float[]> ModelWeights(string runDir) =>
        Nabla.IO.Checkpoint.Read(Path.Combine(runDir, "model.safetensors")).Tensors.ToDictionary(t => t.Key, t => t.Value.ToArray());

    /// <summary>
    /// Writes the first <paramref name="count"/> MNIST test digits as PNG files digitK.png in <paramref name="dir"/>, dark
    /// on light (inverted, as a person would draw them; predict inverts them back), and returns their paths.
    /// </summary>
    public static List<string> WriteTestDigits(string dir, int count)
    {
        var test = Nabla.Data.Mnist.Load().Test;
        var files = new List<string>();
        for (int i = 0; i < count; i++)
        {
            var pixels = Enumerable.Range(0, 784).Select(k => 1f - (float)test.Features.GetFlat(i * 784 + k)).ToArray();
            var png = Path.Combine(dir, $"digit{i}.png");
            File.WriteAllBytes(png, Nabla.IO.Png.EncodeGray(new Nabla.IO.GrayImage(28, 28, pixels)));
            files.Add(png);
        }
        return files;
    }

    /// <summary>The repository root (where data/mnist lives), found by walking up from the test assembly.</summary>
    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Nabla.slnx"))) return d.FullName;
        throw new DirectoryNotFoundException("repository root not found");
    }
}
