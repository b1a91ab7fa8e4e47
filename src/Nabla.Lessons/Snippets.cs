using System.Reflection;

namespace Nabla.Lessons;

/// <summary>
/// The code a page shows: a region of the lesson's own source file, embedded in this assembly at build time and cut
/// between the lines <c>// &lt;snippet name&gt;</c> and <c>// &lt;/snippet&gt;</c>, so the shown code is the code that ran.
/// </summary>
internal static class Snippets
{
    /// <summary>The source text of the page class <paramref name="lessonType"/> (Pages/{TypeName}.cs).</summary>
    public static string SourceOf(Type lessonType)
    {
        string resource = $"Nabla.Lessons.Pages.{lessonType.Name}.cs";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"lesson source '{resource}' is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The lines between the markers of snippet <paramref name="name"/> in <paramref name="source"/>, de-indented.</summary>
    public static string Extract(string source, string name)
    {
        var lines = source.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int start = Array.FindIndex(lines, l => l.Trim() == $"// <snippet {name}>");
        if (start < 0) throw new InvalidOperationException($"snippet '{name}' not found");
        int end = Array.FindIndex(lines, start + 1, l => l.Trim() == "// </snippet>");
        if (end < 0) throw new InvalidOperationException($"snippet '{name}' has no end marker");
        var body = lines[(start + 1)..end];
        int indent = body.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join('\n', body.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())).TrimEnd();
    }
}
