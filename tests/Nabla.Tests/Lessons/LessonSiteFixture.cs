using System.Xml;
using System.Xml.Linq;
using Nabla.Lessons;

namespace Nabla.Tests.Lessons;

/// <summary>Generates the lessons once with --quick into a temporary folder and parses every page as XML.</summary>
public sealed class LessonSiteFixture : IDisposable
{
    public static readonly XNamespace Xhtml = "http://www.w3.org/1999/xhtml";
    public static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    public LessonSiteFixture()
    {
        Folder = Path.Combine(Path.GetTempPath(), "nabla-lessons-" + Guid.NewGuid().ToString("N"));
        Pages = LessonSite.Generate(Folder, quick: true);
        foreach (var file in Directory.GetFiles(Folder, "*.html"))
        {
            using var reader = XmlReader.Create(file, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
            Documents[Path.GetFileName(file)] = XDocument.Load(reader);
        }
    }

    /// <summary>The output folder.</summary>
    public string Folder { get; }

    /// <summary>The pages as built (lesson, snippets, named files).</summary>
    public IReadOnlyList<LessonPage> Pages { get; }

    /// <summary>Every written page, parsed, by file name.</summary>
    public Dictionary<string, XDocument> Documents { get; } = [];

    /// <summary>The text of body cell (row, column) of table <paramref name="id"/> on <paramref name="page"/>.</summary>
    public string Cell(string page, string id, int row, int column)
    {
        var table = Documents[page].Descendants(Xhtml + "table").Single(t => (string?)t.Attribute("id") == id);
        return table.Element(Xhtml + "tbody")!.Elements(Xhtml + "tr").ElementAt(row).Elements(Xhtml + "td").ElementAt(column).Value;
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
