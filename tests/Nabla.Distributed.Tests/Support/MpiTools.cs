using System.Diagnostics;
using Xunit;

namespace Nabla.Distributed.Tests.Support;

/// <summary>
/// Open MPI's mpirun (Debian's openmpi-bin, which <c>.ci/run</c> installs) and the real <c>nabla</c> command launched
/// under it. As root Open MPI needs <c>--allow-run-as-root</c>; on a 2-core machine <c>--oversubscribe</c>.
/// </summary>
public static class MpiTools
{
    /// <summary>Debian's mpirun.</summary>
    public const string Mpirun = "/usr/bin/mpirun";

    /// <summary>Why mpirun or libmpi.so.40 is missing, or null.</summary>
    public static readonly Lazy<string?> MpiMissing = new(() =>
        !File.Exists(Mpirun) ? $"{Mpirun} does not exist; install Debian's openmpi-bin (apt-get install openmpi-bin)"
        : !System.Runtime.InteropServices.NativeLibrary.TryLoad("libmpi.so.40", out _) ? "libmpi.so.40 cannot be loaded; install Debian's openmpi-bin"
        : null);

    /// <summary>Why two network namespaces cannot be made here (not root, no ip), or null.</summary>
    public static readonly Lazy<string?> NetnsMissing = new(() =>
        MpiMissing.Value ?? (Environment.UserName != "root" ? "network namespaces need root"
        : !File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip") ? "ip is missing; install Debian's iproute2" : null));

    /// <summary>The command's assembly, copied next to the tests by the project reference.</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "Nabla.Cli.dll");

    /// <summary>The repository root (where data/mnist lives).</summary>
    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Nabla.slnx"))) return d.FullName;
        throw new DirectoryNotFoundException("repository root not found");
    }

    /// <summary>mpirun's options for this machine: root allowed, more ranks than cores allowed, TCP between ranks in <paramref name="tcp"/> mode.</summary>
    public static List<string> MpirunArgs(int ranks, bool tcp = false)
    {
        var args = new List<string> { "--allow-run-as-root", "--oversubscribe", "-np", ranks.ToString() };
        if (tcp) args.AddRange(["--mca", "btl", "tcp,self"]);
        return args;
    }

    /// <summary>The result of a process: exit code, output, error, how long it took.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed);

    /// <summary>Starts <paramref name="file"/> with output captured and CI set (no interactive progress).</summary>
    public static Process Start(string file, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["CI"] = "true";
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        return Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
    }

    /// <summary>Runs a process to its end (killing it after <paramref name="timeout"/>).</summary>
    public static Result Run(string file, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? env = null, TimeSpan? timeout = null)
    {
        var watch = Stopwatch.StartNew();
        using var p = Start(file, args, workingDirectory, env);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish: {stderr.Result}");
        }
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result, watch.Elapsed);
    }

    /// <summary><c>mpirun -np N dotnet nabla.dll ARGS</c> with the weight hash of every rank and epoch traced to standard error.</summary>
    public static Result MpirunNabla(int ranks, IEnumerable<string> nablaArgs, string workingDirectory, bool tcp = false)
    {
        var args = MpirunArgs(ranks, tcp);
        args.AddRange(["-x", "NABLA_DISTRIBUTED_TRACE=1", "-x", "CI=true", "dotnet", CliDll]);
        args.AddRange(nablaArgs);
        return Run(Mpirun, args, workingDirectory);
    }

    /// <summary>The "rank R epoch E weights HASH" lines of a traced run, as (rank, epoch) → hash.</summary>
    public static Dictionary<(int Rank, int Epoch), string> WeightHashes(string stderr)
    {
        var hashes = new Dictionary<(int, int), string>();
        foreach (var line in stderr.Split('\n'))
        {
            var f = line.Trim().Split(' ');
            if (f.Length == 6 && f[0] == "rank" && f[2] == "epoch" && f[4] == "weights") hashes[(int.Parse(f[1]), int.Parse(f[3]))] = f[5];
        }
        return hashes;
    }
}
