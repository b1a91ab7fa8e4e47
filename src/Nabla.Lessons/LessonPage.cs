using System.Net;
using System.Text;

namespace Nabla.Lessons;

/// <summary>
/// The body of one lesson page as it is built: paragraphs, figures (inline SVG), tables, the C# that produced them
/// and the library files that implement the concept. Everything is escaped and written as well-formed XHTML5, so a
/// strict XML parser reads every page.
/// </summary>
public sealed class LessonPage
{
    private readonly StringBuilder _body = new();
    private readonly List<string> _files = [];
    private readonly List<string> _snippets = [];
    private readonly Lazy<string> _source;

    internal LessonPage(Lesson lesson)
    {
        Lesson = lesson;
        _source = new Lazy<string>(() => Snippets.SourceOf(lesson.GetType()));
    }

    /// <summary>The lesson this page belongs to.</summary>
    public Lesson Lesson { get; }

    /// <summary>Repository paths of the library files the page names (e.g. src/Nabla/Optim/Adam.cs).</summary>
    public IReadOnlyList<string> ImplementationFiles => _files;

    /// <summary>Names of the code snippets the page shows.</summary>
    public IReadOnlyList<string> SnippetNames => _snippets;

    /// <summary>Number of figures so far.</summary>
    public int FigureCount { get; private set; }

    /// <summary>A section heading.</summary>
    public void Heading(string text) => _body.Append("<h2>").Append(Esc(text)).Append("</h2>\n");

    /// <summary>A paragraph of plain text (escaped).</summary>
    public void Text(string text) => _body.Append("<p>").Append(Esc(text)).Append("</p>\n");

    /// <summary>A highlighted remark: what the notes say, or where Nabla's value differs from a printed one.</summary>
    public void Note(string text) => _body.Append("<p class=\"note\">").Append(Esc(text)).Append("</p>\n");

    /// <summary>A formula or short line shown in monospace.</summary>
    public void Formula(string text) => _body.Append("<p class=\"formula\">").Append(Esc(text)).Append("</p>\n");

    /// <summary>A figure: one SVG document (as produced by the plot classes) and its caption.</summary>
    public void Figure(string svg, string caption)
    {
        FigureCount++;
        string inline = svg.StartsWith("<?xml", StringComparison.Ordinal) ? svg[(svg.IndexOf("?>", StringComparison.Ordinal) + 2)..] : svg;
        _body.Append("<figure>\n").Append(inline.Trim()).Append("\n<figcaption>").Append(Esc(caption)).Append("</figcaption>\n</figure>\n");
    }

    /// <summary>A table with an id (tests and links find it by that id), a caption, a header row and body rows.</summary>
    public void Table(string id, string caption, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        _body.Append("<table id=\"").Append(Esc(id)).Append("\">\n<caption>").Append(Esc(caption)).Append("</caption>\n<thead><tr>");
        foreach (var h in header) _body.Append("<th>").Append(Esc(h)).Append("</th>");
        _body.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            foreach (var cell in row) _body.Append("<td>").Append(Esc(cell)).Append("</td>");
            _body.Append("</tr>\n");
        }
        _body.Append("</tbody>\n</table>\n");
    }

    /// <summary>Shows the snippet <paramref name="name"/>: the lines of this lesson's source between its markers.</summary>
    public void Code(string name)
    {
        string code = Snippets.Extract(_source.Value, name);
        _snippets.Add(name);
        _body.Append("<details open=\"open\"><summary>The code (from src/Nabla.Lessons/Pages/").Append(Esc(Lesson.GetType().Name))
             .Append(".cs, snippet ").Append(Esc(name)).Append(")</summary>\n<pre><code data-snippet=\"").Append(Esc(name)).Append("\">")
             .Append(Esc(code)).Append("</code></pre></details>\n");
    }

    /// <summary>Names the library files that implement what the page shows (paths from the repository root).</summary>
    public void Implements(params string[] files)
    {
        _files.AddRange(files);
        _body.Append("<p class=\"impl\">Implemented in ");
        for (int i = 0; i < files.Length; i++)
            _body.Append(i == 0 ? "" : i == files.Length - 1 ? " and " : ", ").Append("<code class=\"file\">").Append(Esc(files[i])).Append("</code>");
        _body.Append(".</p>\n");
    }

    /// <summary>The body as built so far (XHTML fragment).</summary>
    internal string Body => _body.ToString();

    internal static string Esc(string s) => WebUtility.HtmlEncode(s);
}
