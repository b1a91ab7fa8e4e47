using System.Diagnostics;
using Nabla.Lessons;

namespace Nabla.Cli.Commands;

/// <summary>`nabla lessons`: writes the lecture notes as a static, offline website whose figures Nabla computes as it runs.</summary>
internal static class LessonsCommand
{
    public const string Help = """
        usage: nabla lessons [--out DIR] [--quick]

          writes one HTML page per topic of the lecture notes and an index (DIR/index.html; default DIR: lessons):
          plain HTML with inline SVG, no script and no network. Every figure and number is computed by Nabla while
          the command runs; each page shows the C# that produced it and names the library file implementing it.
          --quick  small data subsets and few steps (the same pages, under a minute); the full run takes a few minutes
        """;

    public static int Run(string[] argv)
    {
        var a = new Arguments(argv, new HashSet<string> { "quick" });
        string folder = a.String("out", "lessons");
        bool quick = a.Flag("quick");
        a.EnsureNoPositional("lessons");
        a.EnsureAllUsed("lessons");
        var watch = Stopwatch.StartNew();
        var pages = LessonSite.Generate(folder, quick, line => Console.WriteLine($"  {line}"));
        Console.WriteLine($"wrote {pages.Count} lessons and index.html to {Path.GetFullPath(folder)} in {watch.Elapsed.TotalSeconds:F0} s");
        Console.WriteLine($"open {Path.Combine(Path.GetFullPath(folder), "index.html")}");
        return 0;
    }
}
