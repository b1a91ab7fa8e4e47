using System.Diagnostics;
using System.Text;
using Nabla.Lessons.Pages;

namespace Nabla.Lessons;

/// <summary>
/// Writes the course: one static page per lesson and an index, plain XHTML5 with inline SVG and one shared inline
/// style, no script and no reference outside the folder. Every figure and number is computed by Nabla while it runs.
/// </summary>
public static class LessonSite
{
    /// <summary>All lessons, in page order.</summary>
    public static IReadOnlyList<Lesson> Lessons { get; } =
    [
        new NeuronLesson(), new ActivationsLesson(), new LossesLesson(), new BackpropLesson(), new OptimizationLesson(),
        new InitializationLesson(), new PreprocessingLesson(), new GeneralizationLesson(), new NormalizationLesson(),
        new CnnLesson(), new RecurrentLesson(), new ComplexityLesson(), new DigitsLesson(),
    ];

    /// <summary>
    /// Generates every page into <paramref name="folder"/> (created if needed) and returns the written pages, index
    /// first. <paramref name="quick"/> uses small data and few steps; <paramref name="progress"/> receives one line per page.
    /// </summary>
    public static IReadOnlyList<LessonPage> Generate(string folder, bool quick, Action<string>? progress = null)
    {
        Directory.CreateDirectory(folder);
        var context = new LessonContext(quick);
        var pages = new List<LessonPage>();
        for (int i = 0; i < Lessons.Count; i++)
        {
            var lesson = Lessons[i];
            var watch = Stopwatch.StartNew();
            var page = new LessonPage(lesson);
            lesson.Build(page, context);
            var prev = i > 0 ? Lessons[i - 1] : null;
            var next = i + 1 < Lessons.Count ? Lessons[i + 1] : null;
            File.WriteAllText(Path.Combine(folder, lesson.FileName), Shell(lesson.Title, page.Body, Nav(prev, next), quick), new UTF8Encoding(false));
            pages.Add(page);
            progress?.Invoke($"{lesson.FileName}: {page.FigureCount} figures, {watch.Elapsed.TotalSeconds:F1} s");
        }
        File.WriteAllText(Path.Combine(folder, "index.html"), Shell("Nabla lessons", Index(), "", quick), new UTF8Encoding(false));
        return pages;
    }

    private static string Index()
    {
        var sb = new StringBuilder();
        sb.Append("<p>The five lecture notes on neural networks, made live: every figure and number on these pages was computed by Nabla ")
          .Append("when the pages were generated (<code>nabla lessons</code>). Each page shows the C# that produced it and names the library ")
          .Append("file that implements the concept.</p>\n<ol class=\"toc\">\n");
        foreach (var l in Lessons)
            sb.Append("<li><a href=\"").Append(LessonPage.Esc(l.FileName)).Append("\">").Append(LessonPage.Esc(l.Title)).Append("</a> <span>")
              .Append(LessonPage.Esc(l.Summary)).Append("</span></li>\n");
        return sb.Append("</ol>\n").ToString();
    }

    private static string Nav(Lesson? prev, Lesson? next)
    {
        var sb = new StringBuilder("<nav>");
        sb.Append(prev is null ? "<span>&#8592; start</span>" : $"<a href=\"{LessonPage.Esc(prev.FileName)}\">&#8592; {LessonPage.Esc(prev.Title)}</a>");
        sb.Append(" <a href=\"index.html\">contents</a> ");
        sb.Append(next is null ? "<span>end &#8594;</span>" : $"<a href=\"{LessonPage.Esc(next.FileName)}\">{LessonPage.Esc(next.Title)} &#8594;</a>");
        return sb.Append("</nav>\n").ToString();
    }

    private static string Shell(string title, string body, string nav, bool quick) => $$"""
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
        <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{{LessonPage.Esc(title)}}</title>
        <style>{{Style}}</style>
        </head>
        <body>
        {{nav}}<h1>{{LessonPage.Esc(title)}}</h1>
        {{body}}{{(quick ? "<p class=\"impl\">Generated with --quick: small data and few steps; run without it for the full figures.</p>\n" : "")}}{{nav}}</body>
        </html>

        """;

    private const string Style = """
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1320px; margin: 0 auto; padding: 12px 24px 40px; color: #222; line-height: 1.5; font-size: 16px; }
        h1 { font-size: 28px; margin: 12px 0; } h2 { font-size: 21px; margin-top: 32px; border-bottom: 1px solid #ddd; }
        nav { display: flex; justify-content: space-between; gap: 12px; padding: 8px 0; border-bottom: 1px solid #eee; font-size: 15px; }
        figure { display: inline-block; vertical-align: top; margin: 8px 12px 16px 0; max-width: 100%; }
        figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
        figcaption { font-size: 14px; color: #444; max-width: 600px; }
        table { border-collapse: collapse; margin: 12px 0 20px; font-size: 15px; }
        caption { text-align: left; font-weight: 600; padding: 4px 0; }
        th, td { border: 1px solid #ccc; padding: 3px 9px; text-align: right; font-variant-numeric: tabular-nums; }
        th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
        pre { background: #f7f7f9; border: 1px solid #e3e3e8; padding: 10px 12px; overflow-x: auto; font-size: 13.5px; line-height: 1.4; }
        details summary { cursor: pointer; color: #555; font-size: 14px; }
        .note { background: #fff8e1; border-left: 4px solid #f0b400; padding: 6px 10px; }
        .formula { font-family: ui-monospace, Menlo, Consolas, monospace; background: #f4f8ff; padding: 4px 10px; display: inline-block; }
        .impl { color: #555; font-size: 14px; } code.file { background: #eef; padding: 0 4px; }
        ol.toc li { margin: 6px 0; } ol.toc span { color: #555; display: block; font-size: 14px; }
        """;
}
