namespace Nabla.Cli;

/// <summary>An error the user can fix, reported as one line; exit code 2 for a wrong command line (the default), 1 for a failed run.</summary>
internal sealed class CliException(string message, int exitCode = 2) : Exception(message)
{
    /// <summary>The process exit code this error ends with.</summary>
    public int ExitCode { get; } = exitCode;
}
