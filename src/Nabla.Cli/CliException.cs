namespace Nabla.Cli;

/// <summary>A usage error (unknown command, flag or value): printed as one line on standard error, exit code 2.</summary>
internal sealed class CliException(string message) : Exception(message);
