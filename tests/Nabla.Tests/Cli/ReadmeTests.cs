using System.Text.RegularExpressions;
using Xunit;

namespace Nabla.Tests.Cli;

/// <summary>The README's quickstart is the compiled example, and it runs.</summary>
public class ReadmeTests
{
    private static string Normalize(string s) => Regex.Replace(s, @"\s+", " ").Trim();

    [Fact]
    public void QuickstartInTheReadmeIsTheExampleProgram()
    {
        string root = CliRunner.RepoRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var m = Regex.Match(readme, @"## Quickstart.*?```csharp\n(.*?)```", RegexOptions.Singleline);
        Assert.True(m.Success, "README has no Quickstart csharp block");
        Assert.Equal(Normalize(File.ReadAllText(Path.Combine(root, "examples", "Quickstart", "Program.cs"))), Normalize(m.Groups[1].Value));
        var firstLines = string.Join("\n", readme.Split('\n').Take(6));
        Assert.Contains("dotnet run -c Release --project src/Nabla.Cli -- train", firstLines);
        Assert.Contains("bash .ci/run", firstLines);
    }

    [Fact]
    public void QuickstartRunsAndPredictsTheFirstDigits()
    {
        var dir = Directory.CreateTempSubdirectory("nabla-quickstart").FullName;
        try
        {
            var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Quickstart.dll"));
            using var p = System.Diagnostics.Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd(), error = p.StandardError.ReadToEnd();
            Assert.True(p.WaitForExit(TimeSpan.FromMinutes(5)));
            Assert.True(p.ExitCode == 0, error);
            var acc = Regex.Match(output, @"test accuracy ([\d.]+) ?%");
            Assert.True(acc.Success, output);
            Assert.True(double.Parse(acc.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 94, output);
            Assert.Contains("first five digits: 7 2 1 0 4 (labels 7 2 1 0 4)", output);
            Assert.True(File.Exists(Path.Combine(dir, "mlp.safetensors")));
        }
        finally { Directory.Delete(dir, true); }
    }
}
