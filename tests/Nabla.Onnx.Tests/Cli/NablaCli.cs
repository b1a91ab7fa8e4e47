using System.Diagnostics;

namespace Nabla.Onnx.Tests.Cli;

/// <summary>Runs the real `nabla` command (Nabla.Cli.dll next to the test assembly) as a child process.</summary>
internal static class NablaCli
{
    public static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Nabla.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["CI"] = "true";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException($"nabla {string.Join(' ', args)} did not finish"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
