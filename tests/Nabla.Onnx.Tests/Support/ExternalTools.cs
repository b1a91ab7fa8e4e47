using System.Diagnostics;
using Xunit;

namespace Nabla.Onnx.Tests.Support;

/// <summary>
/// The outside tools the ONNX tests check against: Debian's <c>python3-onnx</c> (onnx.checker), <c>python3-torch</c>
/// (torch.onnx.export) and <c>libonnx-testdata</c> (the backend conformance tests). <c>.ci/run</c> installs them.
/// </summary>
public static class ExternalTools
{
    /// <summary>Debian's Python, which sees the apt-installed onnx and torch packages (pyenv's python3 does not).</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>Where <c>libonnx-testdata</c> puts the ONNX backend test cases.</summary>
    public const string OnnxTestData = "/usr/share/libonnx-testdata/data";

    /// <summary>Why <c>import onnx</c> fails, or null when python3-onnx is usable.</summary>
    public static readonly Lazy<string?> OnnxMissing = new(() => PythonModuleMissing("onnx", "python3-onnx"));

    /// <summary>Why <c>import torch</c> fails, or null when python3-torch is usable.</summary>
    public static readonly Lazy<string?> TorchMissing = new(() => PythonModuleMissing("torch", "python3-torch"));

    /// <summary>Why the conformance data is missing, or null when libonnx-testdata is installed.</summary>
    public static readonly Lazy<string?> TestDataMissing = new(() => Directory.Exists(Path.Combine(OnnxTestData, "node"))
        ? null
        : $"{OnnxTestData}/node does not exist; install Debian's libonnx-testdata (apt-get install libonnx-testdata)");

    /// <summary>Runs a program and returns its exit code, standard output and standard error.</summary>
    public static (int Code, string Stdout, string Stderr) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    static string? PythonModuleMissing(string module, string package)
    {
        if (!File.Exists(Python)) return $"{Python} does not exist; install Debian's {package}";
        try
        {
            var (code, _, stderr) = Run(Python, "-c", $"import {module}");
            return code == 0 ? null : $"{Python} cannot import {module} ({stderr.Trim().Split('\n').LastOrDefault()}); install Debian's {package}";
        }
        catch (Exception e) { return $"{Python} could not be run ({e.Message})"; }
    }
}

/// <summary>
/// A fact that needs one of <see cref="ExternalTools"/>: skipped, saying why, on a developer machine without it, but
/// run (and failing) in CI (<c>CI</c> set), where <c>.ci/run</c> has installed it.
/// </summary>
public abstract class ExternalFactAttribute : FactAttribute
{
    /// <summary>Skips the test where the tool is missing, except in CI.</summary>
    protected ExternalFactAttribute(Lazy<string?> missing)
    {
        if (missing.Value is { } why && Environment.GetEnvironmentVariable("CI") is null or "") Skip = why;
    }
}

/// <summary>A fact that needs Debian's python3-onnx.</summary>
public sealed class OnnxPythonFactAttribute() : ExternalFactAttribute(ExternalTools.OnnxMissing);

/// <summary>A fact that needs Debian's python3-torch.</summary>
public sealed class TorchFactAttribute() : ExternalFactAttribute(ExternalTools.TorchMissing);

/// <summary>A fact that needs Debian's libonnx-testdata.</summary>
public sealed class OnnxTestDataFactAttribute() : ExternalFactAttribute(ExternalTools.TestDataMissing);
