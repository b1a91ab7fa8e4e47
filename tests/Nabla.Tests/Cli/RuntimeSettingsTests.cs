using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace Nabla.Tests.Cli;

/// <summary>
/// The runtime settings that suit training (no dynamic PGO, src/Nabla.Core/build/Nabla.Core.props) reach the nabla
/// command and every application that references the Nabla.Core package, and an application's own choice wins.
/// </summary>
public class RuntimeSettingsTests
{
    [Fact]
    public void TheCommandRunsWithoutDynamicPgo()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Nabla.Cli.runtimeconfig.json");
        Assert.False(TieredPgo(path), $"{path} should set System.Runtime.TieredPGO to false");
    }

    [Fact]
    public void AnApplicationReferencingThePackageGetsTheSettingUnlessItChoosesItself()
    {
        string root = CliRunner.RepoRoot();
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        var dir = Directory.CreateTempSubdirectory("nabla-package").FullName;
        try
        {
            string feed = Path.Combine(dir, "feed");
            Run(root, "pack", Path.Combine(root, "src", "Nabla.Core"), "-c", configuration, "--no-build", "-o", feed);
            Assert.Single(Directory.GetFiles(feed, "Nabla.Core.*.nupkg"));
            string version = Path.GetFileNameWithoutExtension(Directory.GetFiles(feed, "Nabla.Core.*.nupkg")[0])["Nabla.Core.".Length..];

            Assert.False(BuildConsumer(dir, "default", feed, version, ownSetting: null));
            Assert.True(BuildConsumer(dir, "own", feed, version, ownSetting: true));
        }
        finally { Directory.Delete(dir, true); }
    }

    // Builds a console application that references the package from the feed; returns its runtimeconfig's TieredPGO.
    private static bool BuildConsumer(string dir, string name, string feed, string version, bool? ownSetting)
    {
        string app = Path.Combine(dir, name);
        Directory.CreateDirectory(app);
        string own = ownSetting is { } v ? $"<TieredPGO>{(v ? "true" : "false")}</TieredPGO>" : "";
        File.WriteAllText(Path.Combine(app, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <RestorePackagesPath>{Path.Combine(dir, "packages")}</RestorePackagesPath>
                {own}
              </PropertyGroup>
              <ItemGroup><PackageReference Include="Nabla.Core" Version="{version}" /></ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), "System.Console.WriteLine(Nabla.Tensors.Tensor.Zeros([3]).Numel);\n");
        File.WriteAllText(Path.Combine(app, "nuget.config"),
            $"<configuration><packageSources><clear /><add key=\"feed\" value=\"{feed}\" /></packageSources></configuration>");
        Run(app, "build", "-c", "Release", "-o", Path.Combine(app, "out"));
        return TieredPgo(Path.Combine(app, "out", name + ".runtimeconfig.json"));
    }

    private static bool TieredPgo(string runtimeConfig)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(runtimeConfig));
        Assert.True(doc.RootElement.GetProperty("runtimeOptions").TryGetProperty("configProperties", out var props), runtimeConfig);
        Assert.True(props.TryGetProperty("System.Runtime.TieredPGO", out var pgo), $"{runtimeConfig} has no System.Runtime.TieredPGO");
        return pgo.GetBoolean();
    }

    private static void Run(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), $"dotnet {string.Join(' ', args)} timed out");
        Assert.True(p.ExitCode == 0, $"dotnet {string.Join(' ', args)} failed:\n{output}\n{stderr.Result}");
    }
}
