using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace Nabla.Tests.Parity;

/// <summary>
/// The committed fixture is what <c>tests/parity/generate.py</c> produces: the test reruns the script with Debian's
/// PyTorch and compares the two files byte for byte. Skipped, with the reason, where <c>/usr/bin/python3</c> cannot
/// import torch (CI installs <c>python3-torch</c>, see <c>.ci/run</c>).
/// </summary>
public class FixtureRegenerationTests
{
    internal const string Python = "/usr/bin/python3";

    [TorchFact]
    public void ScriptRegeneratesTheFixtureByteForByte()
    {
        string root = ParityFixture.RepoRoot();
        string script = Path.Combine(root, "tests", "parity", "generate.py");
        string fresh = Path.Combine(Path.GetTempPath(), $"nabla-torch-reference-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        try
        {
            var (code, stdout, stderr) = Run(Python, script, "--output", fresh);
            Assert.True(code == 0, $"{script} failed (exit {code}):\n{stdout}\n{stderr}");
            byte[] committed = File.ReadAllBytes(ParityFixture.FixturePath()), regenerated = File.ReadAllBytes(fresh);
            if (committed.AsSpan().SequenceEqual(regenerated)) return;
            Assert.Fail(Describe(committed, regenerated));
        }
        finally
        {
            if (File.Exists(fresh)) File.Delete(fresh);
        }
    }

    // The first differing line, and whether the numbers differ beyond rounding (another PyTorch or BLAS) or the cases do.
    private static string Describe(byte[] committed, byte[] regenerated)
    {
        string[] a = System.Text.Encoding.UTF8.GetString(committed).Split('\n'), b = System.Text.Encoding.UTF8.GetString(regenerated).Split('\n');
        int line = 0;
        while (line < Math.Min(a.Length, b.Length) && a[line] == b[line]) line++;
        string Excerpt(string s) => s.Length > 300 ? s[..300] + "…" : s;
        string where = line < Math.Min(a.Length, b.Length)
            ? $"line {line + 1} differs:\n  committed:   {Excerpt(a[line])}\n  regenerated: {Excerpt(b[line])}"
            : $"the files have {a.Length} and {b.Length} lines";
        return $"the committed tests/Nabla.Tests/Parity/torch_reference.json ({committed.Length} bytes) is not what tests/parity/generate.py " +
               $"writes now ({regenerated.Length} bytes); rerun `{Python} tests/parity/generate.py` and commit the result if the change is intended. {where}";
    }

    internal static (int Code, string Stdout, string Stderr) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void FixtureNamesItsGeneratorAndHasCasesOfEveryFamily()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(ParityFixture.FixturePath()));
        var meta = doc.RootElement.GetProperty("meta");
        Assert.Equal("tests/parity/generate.py", meta.GetProperty("generator").GetString());
        Assert.StartsWith("1.13", meta.GetProperty("torch").GetString());
        var families = ParityFixture.Cases().Select(c => c.GetProperty("family").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "tensor_ops", "layers", "batchnorm", "recurrent", "losses", "optimizers", "schedules", "clipping", "init" }, families);
        Assert.True(new FileInfo(ParityFixture.FixturePath()).Length < 3_000_000, "the fixture should stay under 3 MB");
    }
}

/// <summary>A fact that is skipped, saying why, where <c>/usr/bin/python3 -c "import torch"</c> fails.</summary>
public sealed class TorchFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Missing = new(() =>
    {
        if (!File.Exists(FixtureRegenerationTests.Python)) return $"{FixtureRegenerationTests.Python} does not exist";
        try
        {
            var (code, _, stderr) = FixtureRegenerationTests.Run(FixtureRegenerationTests.Python, "-c", "import torch");
            return code == 0 ? null : $"{FixtureRegenerationTests.Python} cannot import torch ({stderr.Trim().Split('\n').LastOrDefault()})";
        }
        catch (Exception e) { return $"{FixtureRegenerationTests.Python} could not be run ({e.Message})"; }
    });

    /// <summary>Skips the test when PyTorch is unavailable.</summary>
    public TorchFactAttribute()
    {
        if (Missing.Value is { } why) Skip = why + "; install Debian's python3-torch (apt-get install python3-torch) to regenerate the PyTorch parity fixture";
    }
}
