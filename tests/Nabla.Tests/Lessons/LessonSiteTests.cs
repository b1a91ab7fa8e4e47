using Xunit;
using System.Globalization;
using System.Xml.Linq;
using Nabla.Lessons;
using Nabla.Tests.Parity;
using static Nabla.Tests.Lessons.LessonSiteFixture;

namespace Nabla.Tests.Lessons;

/// <summary>
/// The generated course (quick run): well-formed pages, real figures, nothing outside the folder, snippets equal to the
/// code that ran, named files that exist, and the numbers of the notes' worked examples exactly as the notes state them.
/// </summary>
public sealed class LessonSiteTests(LessonSiteFixture site) : IClassFixture<LessonSiteFixture>
{
    private static readonly string Root = ParityFixture.RepoRoot();

    [Fact]
    public void WritesAnIndexAndOneWellFormedPagePerLesson()
    {
        Assert.Equal(13, LessonSite.Lessons.Count);
        Assert.Equal(14, site.Documents.Count); // every file parsed as XML in the fixture
        var links = site.Documents["index.html"].Descendants(Xhtml + "a").Select(a => (string?)a.Attribute("href")).ToHashSet();
        foreach (var lesson in LessonSite.Lessons)
        {
            Assert.Contains(lesson.FileName, links);
            var doc = site.Documents[lesson.FileName];
            Assert.Equal(lesson.Title, doc.Descendants(Xhtml + "h1").Single().Value);
            Assert.Contains("index.html", doc.Descendants(Xhtml + "nav").First().Descendants(Xhtml + "a").Select(a => (string?)a.Attribute("href")));
        }
    }

    [Fact]
    public void EveryFigureIsANonEmptySvg()
    {
        foreach (var (name, doc) in site.Documents.Where(d => d.Key != "index.html"))
        {
            var figures = doc.Descendants(Xhtml + "figure").ToList();
            Assert.True(figures.Count > 0, $"{name} has no figure");
            foreach (var figure in figures)
            {
                var svg = figure.Element(Svg + "svg");
                Assert.True(svg is not null, $"{name}: a figure without an svg");
                double width = double.Parse((string)svg!.Attribute("width")!, CultureInfo.InvariantCulture);
                double height = double.Parse((string)svg.Attribute("height")!, CultureInfo.InvariantCulture);
                Assert.True(width > 0 && height > 0, $"{name}: an svg of {width}x{height}");
                int drawn = svg.Descendants().Count(e => e.Name.LocalName is "polyline" or "line" or "circle" or "rect" or "path" or "image");
                Assert.True(drawn >= 5, $"{name}: an svg with {drawn} drawn elements");
                Assert.False(string.IsNullOrWhiteSpace(figure.Element(Xhtml + "figcaption")?.Value), $"{name}: a figure without a caption");
            }
        }
    }

    [Fact]
    public void NothingReferencesAnythingOutsideTheFolder()
    {
        foreach (var (name, doc) in site.Documents)
        {
            Assert.Empty(doc.Descendants(Xhtml + "script"));
            Assert.Empty(doc.Descendants(Xhtml + "link"));
            foreach (var attribute in doc.Descendants().Attributes().Where(a => !a.IsNamespaceDeclaration))
            {
                string v = attribute.Value;
                if (attribute.Name.LocalName is "href" or "src")
                {
                    bool local = v.StartsWith('#') || v.StartsWith("data:image/png;base64,", StringComparison.Ordinal)
                        || (!v.Contains(':') && !v.Contains('/') && !v.Contains('\\') && File.Exists(Path.Combine(site.Folder, v)));
                    Assert.True(local, $"{name}: {attribute.Name.LocalName}=\"{v[..Math.Min(v.Length, 80)]}\" points outside the folder");
                }
                if (v.Contains("url(", StringComparison.Ordinal))
                    Assert.Matches(@"^url\(#[A-Za-z0-9_-]+\)$", v);
            }
            string style = string.Concat(doc.Descendants(Xhtml + "style").Select(s => s.Value));
            Assert.DoesNotContain("url(", style, StringComparison.Ordinal);
            Assert.DoesNotContain("@import", style, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EverySnippetIsTheCodeOfItsPage()
    {
        int count = 0;
        foreach (var page in site.Pages)
        {
            Assert.NotEmpty(page.SnippetNames);
            string source = File.ReadAllText(Path.Combine(Root, "src", "Nabla.Lessons", "Pages", page.Lesson.GetType().Name + ".cs"));
            var shown = site.Documents[page.Lesson.FileName].Descendants(Xhtml + "code").Where(c => c.Attribute("data-snippet") is not null).ToList();
            Assert.Equal(page.SnippetNames.Count, shown.Count);
            foreach (var code in shown)
            {
                string expected = Snippets.Extract(source, (string)code.Attribute("data-snippet")!);
                Assert.Equal(expected, code.Value);
                Assert.True(expected.Split('\n').Length >= 2, $"{page.Lesson.FileName}: a one-line snippet");
                count++;
            }
        }
        Assert.True(count >= 30, $"{count} snippets");
    }

    [Fact]
    public void EveryNamedLibraryFileExists()
    {
        foreach (var page in site.Pages)
        {
            Assert.NotEmpty(page.ImplementationFiles);
            foreach (var file in page.ImplementationFiles)
                Assert.True(File.Exists(Path.Combine(Root, file)), $"{page.Lesson.FileName} names {file}, which does not exist");
            var named = site.Documents[page.Lesson.FileName].Descendants(Xhtml + "code").Where(c => (string?)c.Attribute("class") == "file").Select(c => c.Value);
            Assert.Equal(page.ImplementationFiles, named);
        }
    }

    [Fact]
    public void ForwardPropagationMatchesTheNotes()
    {
        // Input [1, −1]: 0.98 0.12 → 0.86 0.11 → 0.62 0.83; input [0, 0]: 0.73 0.5 → 0.72 0.12 → 0.51 0.85.
        string[] activations = ["[0.98, 0.12]", "[0.86, 0.11]", "[0.62, 0.83]", "[0.73, 0.50]", "[0.72, 0.12]", "[0.51, 0.85]"];
        for (int r = 0; r < 6; r++) Assert.Equal(activations[r], site.Cell("01-neuron.html", "forward", r, 4));
        Assert.Equal("30", site.Cell("01-neuron.html", "twox-errors", 5, 3));
        Assert.Equal("30.006", site.Cell("01-neuron.html", "twox-errors", 5, 5));
        Assert.Equal("60", site.Cell("01-neuron.html", "twox-slope", 0, 1));
        string[] w = ["3.00000000", "2.50000000", "2.37500000", "2.30468750", "2.25827026"];
        string[] loss = ["30.00000000", "7.50000000", "4.21875000", "2.78503418", "2.00110587"];
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(w[i], site.Cell("01-neuron.html", "twox-iterations", i, 1));
            Assert.Equal(loss[i], site.Cell("01-neuron.html", "twox-iterations", i, 2));
        }
    }

    [Fact]
    public void SoftmaxAndCrossEntropyMatchTheNotes()
    {
        Assert.Equal(["0.319", "0.321", "0.360"], Enumerable.Range(0, 3).Select(r => site.Cell("02-activations.html", "softmax-notes", r, 1)));
        Assert.Equal("1.1363", site.Cell("03-losses.html", "softmax-ce", 1, 1));
        Assert.Equal("1.1362", site.Cell("03-losses.html", "softmax-ce", 0, 1));
        // Entropies and cross-entropies of (1/3, 1/2, 1/6) and (1/4, 1/2, 1/4), base 10: the notes print 0.439, 0.452, 0.456, 0.464;
        // the third is an arithmetic slip in the notes (the exact value is 0.4515), which the page says.
        Assert.Equal("0.439", site.Cell("03-losses.html", "entropy", 0, 2));
        Assert.Equal("0.452", site.Cell("03-losses.html", "entropy", 1, 2));
        Assert.Equal("0.452", site.Cell("03-losses.html", "entropy", 2, 2));
        Assert.Equal("0.456", site.Cell("03-losses.html", "entropy", 2, 1));
        Assert.Equal("0.464", site.Cell("03-losses.html", "entropy", 3, 2));
        Assert.Equal("0.012", site.Cell("03-losses.html", "entropy", 4, 2)); // KL = cross-entropy − entropy = 0.4515 − 0.4392
    }

    [Fact]
    public void TheComputationGraphMatchesTheNotes()
    {
        // J(5, 3, 2) = 3(a + bc): u = 6, v = 11, J = 33; dJ/da = 3, dJ/db = 6, dJ/dc = 9, dJ/du = 3, dJ/dv = 3.
        string[][] rows = [["a", "5", "3"], ["b", "3", "6"], ["c", "2", "9"], ["u = bc", "6", "3"], ["v = a + u", "11", "3"], ["J = 3v", "33", "1"]];
        for (int r = 0; r < rows.Length; r++)
            for (int c = 0; c < 3; c++) Assert.Equal(rows[r][c], site.Cell("04-backprop.html", "graph-values", r, c));
        Assert.Equal(["33.003", "33.006", "33.009"], Enumerable.Range(0, 3).Select(r => site.Cell("04-backprop.html", "graph-nudge", r, 2)));
        var svgText = string.Concat(site.Documents["04-backprop.html"].Descendants(Svg + "text").Select(t => t.Value + "|"));
        foreach (var label in new[] { "u = 6", "v = 11", "J = 33", "∂J/∂a = 3", "∂J/∂b = 6", "∂J/∂c = 9", "∂J/∂u = 3", "∂J/∂v = 3" })
            Assert.Contains(label + "|", svgText);
    }

    [Fact]
    public void ConvolutionSizesAndCountsMatchTheNotes()
    {
        // The 6×6 image with Filter 1: stride 1 starts 3, −1; stride 2 gives 3, −3 (a 4×4 and a 2×2 map).
        Assert.Equal(["3", "-1"], new[] { site.Cell("10-cnn.html", "conv-stride1", 0, 1), site.Cell("10-cnn.html", "conv-stride1", 0, 2) });
        Assert.Equal(["3", "-3"], new[] { site.Cell("10-cnn.html", "conv-stride2", 0, 1), site.Cell("10-cnn.html", "conv-stride2", 0, 2) });
        Assert.Equal("[1,1,4,4]", site.Cell("10-cnn.html", "cnn-sizes", 0, 1));
        Assert.Equal("[1,1,2,2]", site.Cell("10-cnn.html", "cnn-sizes", 1, 1));
        Assert.Equal("456", site.Cell("10-cnn.html", "cnn-sizes", 2, 2));       // (F·F·C + 1)·K = (5·5·3 + 1)·6
        Assert.Equal("48,120", site.Cell("10-cnn.html", "cnn-sizes", 5, 2));    // (N_in + 1)·N_out = 401·120
        // Depthwise-separable: 5·5·3·8·8·256 = 1,228,800 against 4,800 + 49,152 = 53,952 multiplications.
        Assert.Equal("1,228,800", site.Cell("10-cnn.html", "separable", 0, 2));
        Assert.Equal("4,800", site.Cell("10-cnn.html", "separable", 1, 2));
        Assert.Equal("49,152", site.Cell("10-cnn.html", "separable", 2, 2));
        Assert.Equal("53,952", site.Cell("10-cnn.html", "separable", 3, 2));
    }

    [Fact]
    public void OneHotRowsHaveASingleOneAtTheLabel()
    {
        int[] labels = [6, 0, 3, 9, 1];
        for (int r = 0; r < labels.Length; r++)
            for (int c = 0; c < 10; c++)
                Assert.Equal(c == labels[r] ? "1" : "0", site.Cell("07-preprocessing.html", "onehot", r, c + 1));
    }

    [Fact]
    public void TheGradientCheckPasses() =>
        Assert.Contains("Every element agrees", site.Documents["04-backprop.html"].Root!.Value, StringComparison.Ordinal);
}
