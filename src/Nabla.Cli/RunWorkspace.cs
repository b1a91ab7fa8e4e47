namespace Nabla.Cli;

/// <summary>
/// Where `nabla train` writes a run, so that a run folder is either absent or complete:
/// the run is built in <c>DIR.partial</c> (checkpoints, history, run.json) and renamed to <c>DIR</c> only when it
/// has finished; <c>DIR.lock</c> is held (an exclusive lock, released by the kernel even after a kill) while a process
/// works on it, so a second `train` on the same folder stops with a clear error instead of mixing files.
/// An existing run folder is replaced only when asked (--force), and only when it is a run folder.
/// </summary>
internal sealed class RunWorkspace : IDisposable
{
    private const string PartialSuffix = ".partial";
    private readonly FileStream _lock;
    private bool _createdHere, _committed;
    private string? _setAside; // an interrupted run replaced by --force, kept until the new run has something of its own

    private RunWorkspace(string target, FileStream lockFile)
    {
        Target = target;
        Work = target + PartialSuffix;
        _lock = lockFile;
    }

    /// <summary>The finished run's folder (DIR).</summary>
    public string Target { get; }

    /// <summary>The folder the run is written into until it finishes (DIR.partial).</summary>
    public string Work { get; }

    /// <summary>Where the run's files were read from, for messages: DIR for a finished run being continued (its copy is in DIR.partial), else DIR.partial.</summary>
    public string Source => _createdHere && Directory.Exists(Target) ? Target : Work;

    /// <summary>Set once the run has something worth resuming (an epoch checkpoint): the work folder then survives a failure.</summary>
    public bool KeepOnFailure { get; set; }

    /// <summary>The run folder a user named, without a trailing separator or the .partial suffix.</summary>
    public static string Normalize(string dir, string option)
    {
        if (string.IsNullOrWhiteSpace(dir)) throw new CliException($"{option}: the run folder path is empty");
        string d = dir.TrimEnd('/', '\\');
        if (d.Length == 0) throw new CliException($"{option}: '{dir}' cannot be a run folder");
        if (d.EndsWith(PartialSuffix, StringComparison.Ordinal)) d = d[..^PartialSuffix.Length];
        return d;
    }

    /// <summary>Takes the lock of a new run in <paramref name="dir"/>; refuses an existing run unless <paramref name="force"/>.</summary>
    public static RunWorkspace ForNewRun(string dir, bool force)
    {
        var ws = Acquire(Normalize(dir, "--out"), "--out");
        try
        {
            if (Directory.Exists(ws.Work) && !force)
                throw new CliException($"--out: an interrupted run is in {ws.Work}; continue it with 'nabla train --resume {ws.Target}', or start over with --force");
            if (File.Exists(ws.Target)) throw new CliException($"--out: {ws.Target} is a file, not a folder");
            if (Directory.Exists(ws.Target) && Directory.EnumerateFileSystemEntries(ws.Target).Any())
            {
                if (!File.Exists(Path.Combine(ws.Target, "run.json")))
                    throw new CliException($"--out: {ws.Target} exists and is not a run folder (no run.json); choose another folder (nothing was written)");
                if (!force)
                    throw new CliException($"--out: {ws.Target} already holds a run; choose another folder, continue it with 'nabla train --resume {ws.Target} --epochs N', or replace it with --force");
            }
            if (Directory.Exists(ws.Work))
            {
                // --force over an interrupted run: set it aside; it comes back if the new run fails before its first checkpoint.
                ws._setAside = $"{ws.Work}.old-{Environment.ProcessId}";
                if (Directory.Exists(ws._setAside)) Directory.Delete(ws._setAside, recursive: true);
                Directory.Move(ws.Work, ws._setAside);
            }
            Directory.CreateDirectory(ws.Work);
            ws._createdHere = true;
            return ws;
        }
        catch { ws.Dispose(); throw; }
    }

    /// <summary>
    /// Takes the lock of the run in <paramref name="dir"/> to continue it: an interrupted run (DIR.partial) in place,
    /// a finished one (DIR) in a fresh copy that replaces it when training ends.
    /// </summary>
    public static RunWorkspace ForResume(string dir)
    {
        var ws = Acquire(Normalize(dir, "--resume"), "--resume");
        try
        {
            if (Directory.Exists(ws.Work)) return ws;
            if (!File.Exists(Path.Combine(ws.Target, "run.json")))
                throw new CliException($"--resume: {ws.Target} is not a run folder (no run.json, no {Path.GetFileName(ws.Work)}); train one with 'nabla train --out {ws.Target}'");
            Directory.CreateDirectory(ws.Work);
            ws._createdHere = true;
            foreach (var f in Directory.EnumerateFiles(ws.Target))
                File.Copy(f, Path.Combine(ws.Work, Path.GetFileName(f)));
            return ws;
        }
        catch { ws.Dispose(); throw; }
    }

    private static RunWorkspace Acquire(string target, string option)
    {
        string full = Path.GetFullPath(target);
        string? parent = Path.GetDirectoryName(full);
        if (parent is null) throw new CliException($"{option}: '{target}' cannot be a run folder (it is the file-system root)");
        for (string? p = parent; p is not null; p = Path.GetDirectoryName(p))
            if (File.Exists(p)) throw new CliException($"{option}: {target} cannot be made: {p} is a file, not a folder");
        Directory.CreateDirectory(parent);
        string lockPath = full + ".lock";
        try
        {
            var fs = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            return new RunWorkspace(target, fs);
        }
        catch (IOException)
        {
            throw new CliException($"{option}: {target} is in use by another 'nabla train' (lock {target}.lock is held); wait for it to finish or choose another folder");
        }
    }

    /// <summary>Moves the finished run into place: DIR.partial becomes DIR (an older DIR, replaced by --force or a resume, is removed).</summary>
    public void Commit()
    {
        string? old = null;
        if (Directory.Exists(Target))
        {
            old = $"{Target}.old-{Environment.ProcessId}";
            Directory.Move(Target, old);
        }
        Directory.Move(Work, Target);
        _committed = true;
        if (old is not null) Directory.Delete(old, recursive: true);
    }

    /// <summary>
    /// Releases the lock; a work folder made by this process that holds nothing to resume is removed, and an interrupted
    /// run it replaced (--force) is put back, unless the new run finished or has a checkpoint of its own.
    /// </summary>
    public void Dispose()
    {
        try
        {
            if (!_committed && _createdHere && !KeepOnFailure && Directory.Exists(Work)) Directory.Delete(Work, recursive: true);
            if (_setAside is not null && Directory.Exists(_setAside))
            {
                if (!_committed && !KeepOnFailure && !Directory.Exists(Work)) Directory.Move(_setAside, Work);
                else Directory.Delete(_setAside, recursive: true);
            }
        }
        finally { _lock.Dispose(); }
    }

    /// <summary>Removes the work folder if this process made it, whatever it holds (a diverged run has nothing worth resuming).</summary>
    public void Discard()
    {
        KeepOnFailure = false;
        if (_createdHere && Directory.Exists(Work)) Directory.Delete(Work, recursive: true);
    }
}
