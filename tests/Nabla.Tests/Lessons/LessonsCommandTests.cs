using Nabla.Tests.Cli;
using Xunit;

namespace Nabla.Tests.Lessons;

/// <summary>`nabla lessons`: listed in the usage, its help, and a wrong option refused with one line.</summary>
public sealed class LessonsCommandTests
{
    [Fact]
    public void IsListedAndHasHelp()
    {
        using var box = new CliSandbox();
        var usage = box.Run("--help");
        Assert.Contains("lessons", usage.Stdout, StringComparison.Ordinal);
        var help = box.Run("lessons", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--quick", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("--out DIR", help.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesAnUnknownOption()
    {
        using var box = new CliSandbox();
        var r = box.Run("lessons", "--fast");
        Assert.NotEqual(0, r.ExitCode);
        Assert.StartsWith("nabla: error:", r.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(box.Dir, "lessons")));
    }
}
