using System.Text;
using Nabla.Tests.Cli;
using Xunit;

namespace Nabla.Tests.Reliability;

/// <summary>
/// Runs one case of <see cref="CliBadInputCases"/> against the real `nabla` command and asserts what every bad input
/// must give: the expected non-zero exit code; exactly one line on standard error, "nabla: error: ..." with the case's
/// fragments and no stack trace; and no folder created or changed: every file and folder of the case's sandbox
/// (the copies of the fixture runs, the bad files, any --out or --resume target and its DIR.partial) is as it was.
/// </summary>
internal static class CliBadInputCheck
{
    public static void Run(string id)
    {
        var c = CliBadInputCases.Get(id);
        using var box = new CliSandbox();
        using var ctx = new CaseContext(box);
        c.Setup?.Invoke(ctx);
        string before = Snapshot(box.Dir);
        var targets = Targets(c.Args).Select(t => Path.GetFullPath(Path.Combine(box.Dir, t))).ToList();
        var existed = targets.ToDictionary(t => t, t => (Run: Directory.Exists(t) || File.Exists(t), Partial: Directory.Exists(t + ".partial")));

        var r = CliRunner.Run(box.Dir, c.Args); // a held lock stays held until the folder has been compared

        string context = $"nabla {string.Join(' ', c.Args.Select(a => a.Length == 0 || a.Contains(' ') ? $"'{a}'" : a))}\nexit {r.ExitCode}\nstderr: {r.Stderr}\nstdout: {Tail(r.Stdout)}";
        Assert.True(r.ExitCode != 0, $"exit code 0 on bad input\n{context}");
        Assert.True(r.ExitCode == c.Exit, $"exit code {r.ExitCode}, expected {c.Exit}\n{context}");
        string err = r.Stderr.TrimEnd('\n');
        Assert.True(err.Length > 0 && !err.Contains('\n') && !err.Contains('\r'), $"standard error is not exactly one line\n{context}");
        Assert.True(err.StartsWith("nabla: error: ", StringComparison.Ordinal), $"standard error does not start with 'nabla: error: '\n{context}");
        Assert.False(err.Contains("   at ", StringComparison.Ordinal), $"stack trace on standard error\n{context}");
        Assert.False(err.Contains("internal error", StringComparison.Ordinal), $"an internal error, not a message about the input\n{context}");
        foreach (var f in c.Fragments)
            Assert.True(err.Contains(f, StringComparison.Ordinal), $"the error does not contain \"{f}\"\n{context}");

        foreach (var t in targets)
        {
            if (!existed[t].Run) Assert.False(Directory.Exists(t) || File.Exists(t), $"{t} was created\n{context}");
            if (!existed[t].Partial) Assert.False(Directory.Exists(t + ".partial"), $"{t}.partial was left behind\n{context}");
        }
        string after = Snapshot(box.Dir);
        if (before != after)
        {
            var b = before.Split('\n').ToHashSet();
            var a = after.Split('\n').ToHashSet();
            Assert.Fail($"the sandbox changed:\n  gone or changed: {string.Join("\n    ", b.Except(a))}\n  new or changed: {string.Join("\n    ", a.Except(b))}\n{context}");
        }
    }

    /// <summary>
    /// The folders (a folder may be empty) and every file (name, size, time, SHA-256, as <see cref="CliSandbox.Digest"/>)
    /// under <paramref name="dir"/>; a lock file the case holds cannot be read and is listed by name, size and time.
    /// </summary>
    private static string Snapshot(string dir)
    {
        var sb = new StringBuilder();
        foreach (var d in Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            sb.Append(Path.GetRelativePath(dir, d)).Append("/\n");
        foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(f);
            string hash;
            try { hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))); }
            catch (IOException) when (f.EndsWith(".lock", StringComparison.Ordinal)) { hash = "(held)"; }
            sb.Append(Path.GetRelativePath(dir, f)).Append(' ').Append(info.Length).Append(' ').Append(info.LastWriteTimeUtc.Ticks).Append(' ').Append(hash).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The run folders a command line names (--out, --resume, --run).</summary>
    private static IEnumerable<string> Targets(string[] args)
    {
        for (int i = 0; i + 1 < args.Length; i++)
            if (args[i] is "--out" or "--resume" or "--run" && args[i + 1].Trim().Length > 0 && args[i + 1].TrimEnd('/').Length > 0)
                yield return args[i + 1].TrimEnd('/');
    }

    private static string Tail(string s) => s.Length <= 400 ? s : "…" + s[^400..];
}

/// <summary>Bad data files: CSV (training and predict), labels, IDX and gzip, image folders, PNG and PGM given to predict.</summary>
public sealed class CliBadInputDataTests
{
    public static TheoryData<string> Cases => CliBadInputCases.Group(CliBadInputCases.Data);

    [Theory]
    [MemberData(nameof(Cases))]
    public void FailsWithOneLineAndTouchesNoFolder(string id) => CliBadInputCheck.Run(id);
}

/// <summary>Run folders: --out targets, locks, damaged checkpoints and run.json, interrupted runs, diverged and NaN models.</summary>
public sealed class CliBadInputRunTests
{
    public static TheoryData<string> Cases => CliBadInputCases.Group(CliBadInputCases.Runs);

    [Theory]
    [MemberData(nameof(Cases))]
    public void FailsWithOneLineAndTouchesNoFolder(string id) => CliBadInputCheck.Run(id);
}

/// <summary>Command lines: bad flag values for every command, unknown options and commands, JSON architectures.</summary>
public sealed class CliBadInputFlagTests
{
    public static TheoryData<string> Cases => CliBadInputCases.Group(CliBadInputCases.Flags);

    [Theory]
    [MemberData(nameof(Cases))]
    public void FailsWithOneLineAndTouchesNoFolder(string id) => CliBadInputCheck.Run(id);
}

/// <summary>The table itself: enough cases, unique names, every category present.</summary>
public sealed class CliBadInputTableTests
{
    [Fact]
    public void TheTableHasAtLeast250UniquelyNamedCasesInEveryCategory()
    {
        var all = CliBadInputCases.Data.Concat(CliBadInputCases.Runs).Concat(CliBadInputCases.Flags).ToList();
        Assert.True(all.Count >= 250, $"{all.Count} cases");
        Assert.Equal(all.Count, all.Select(c => c.Id).Distinct().Count());
        foreach (var category in new[] { "csv-train", "csv-predict", "csv-malformed", "labels", "idx", "image-folder", "png-pgm", "out", "lock",
                     "checkpoint", "resume", "run-json", "diverged", "nan-weights", "json-architecture", "flags", "command" })
            Assert.Contains(all, c => c.Category == category);
        Assert.All(all, c => Assert.True(c.Exit is 1 or 2, c.Id));
        Assert.All(all, c => Assert.NotEmpty(c.Fragments));
    }
}
