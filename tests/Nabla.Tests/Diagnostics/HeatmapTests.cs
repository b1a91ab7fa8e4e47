using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Nabla.Diagnostics;
using Xunit;

namespace Nabla.Tests.Diagnostics;

/// <summary>
/// Heat-map label layout, checked on the SVG itself: every text element's extent is estimated independently of the
/// renderer (0.59 em per character, 0.6 em in bold, 0.8 em above and 0.25 em below the baseline; rotations applied)
/// and the boxes must neither overlap nor leave the document.
/// </summary>
public class HeatmapTests
{
    private static readonly string[] Fashion =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static long[,] Counts(int n)
    {
        var m = new long[n, n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
                m[r, c] = r == c ? 900 + r : 10 * r + c + 1000; // all distinct, none equal to a label
        return m;
    }

    private static double Attr(XElement e, string name) => double.Parse(e.Attribute(name)!.Value, CultureInfo.InvariantCulture);

    /// <summary>The four corners of a text element's estimated box, in document coordinates.</summary>
    private static (double X, double Y)[] Box(XElement text)
    {
        double fs = text.Attribute("font-size") is { } a ? double.Parse(a.Value, CultureInfo.InvariantCulture) : 11;
        bool bold = text.Attribute("font-weight")?.Value == "bold";
        double w = text.Value.Length * fs * (bold ? 0.6 : 0.59);
        double x = Attr(text, "x"), y = Attr(text, "y");
        double x0 = (text.Attribute("text-anchor")?.Value ?? "start") switch
        {
            "middle" => x - w / 2,
            "end" => x - w,
            _ => x,
        };
        var corners = new[] { (x0, y - 0.8 * fs), (x0 + w, y - 0.8 * fs), (x0 + w, y + 0.25 * fs), (x0, y + 0.25 * fs) };
        if (text.Attribute("transform") is not { } t) return corners;
        var m = Regex.Match(t.Value, @"^rotate\(([-\d.]+) ([-\d.]+) ([-\d.]+)\)$");
        Assert.True(m.Success, $"unexpected transform {t.Value}");
        double deg = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        double cx = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), cy = double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
        double cos = Math.Cos(deg * Math.PI / 180), sin = Math.Sin(deg * Math.PI / 180);
        return corners.Select(p => (cx + (p.Item1 - cx) * cos - (p.Item2 - cy) * sin, cy + (p.Item1 - cx) * sin + (p.Item2 - cy) * cos)).ToArray();
    }

    /// <summary>Separating-axis test for two convex quadrilaterals.</summary>
    private static bool Overlap((double X, double Y)[] a, (double X, double Y)[] b)
    {
        foreach (var poly in new[] { a, b })
            for (int i = 0; i < 4; i++)
            {
                var (px, py) = poly[i];
                var (qx, qy) = poly[(i + 1) % 4];
                double nx = qy - py, ny = px - qx;
                double aMin = a.Min(p => p.X * nx + p.Y * ny), aMax = a.Max(p => p.X * nx + p.Y * ny);
                double bMin = b.Min(p => p.X * nx + p.Y * ny), bMax = b.Max(p => p.X * nx + p.Y * ny);
                if (aMax <= bMin || bMax <= aMin) return false;
            }
        return true;
    }

    private sealed record Layout(XElement Root, double Width, double Height, double GridLeft, double GridTop, double Cell,
        List<XElement> ColumnLabels, List<XElement> RowLabels, List<XElement> Texts);

    private static Layout Parse(string svg)
    {
        var root = XDocument.Parse(svg).Root!;
        var cells = root.Descendants(Svg + "rect").Where(e => e.Attribute("x") != null).ToList();
        double gridLeft = cells.Min(e => Attr(e, "x")), gridTop = cells.Min(e => Attr(e, "y")), cell = Attr(cells[0], "width");
        var texts = root.Descendants(Svg + "text").ToList();
        // Column labels sit above the matrix below the axis title; row labels are right-aligned left of it.
        var columnLabels = texts.Where(t => Box(t).Max(p => p.Y) <= gridTop && Attr(t, "y") > 44).ToList();
        var rowLabels = texts.Where(t => t.Attribute("text-anchor")?.Value == "end").ToList();
        return new Layout(root, Attr(root, "width"), Attr(root, "height"), gridLeft, gridTop, cell, columnLabels, rowLabels, texts);
    }

    private static void AssertNoOverlapAndInside(Layout l)
    {
        Assert.Equal($"0 0 {l.Width} {l.Height}", l.Root.Attribute("viewBox")!.Value);
        foreach (var t in l.Texts)
            foreach (var (x, y) in Box(t))
            {
                Assert.InRange(x, 0, l.Width);
                Assert.InRange(y, 0, l.Height);
            }
        var labels = l.Texts.Where(t => Box(t).Max(p => p.Y) <= l.GridTop || Box(t).Max(p => p.X) <= l.GridLeft).ToList();
        for (int i = 0; i < labels.Count; i++)
            for (int j = i + 1; j < labels.Count; j++)
                Assert.False(Overlap(Box(labels[i]), Box(labels[j])), $"\"{labels[i].Value}\" overlaps \"{labels[j].Value}\"");
        foreach (var label in l.ColumnLabels) Assert.True(Box(label).Max(p => p.Y) <= l.GridTop, $"\"{label.Value}\" reaches into the matrix");
        foreach (var label in l.RowLabels) Assert.True(Box(label).Max(p => p.X) <= l.GridLeft, $"\"{label.Value}\" reaches into the matrix");
    }

    [Fact]
    public void FashionMnistColumnLabelsAreSlantedAndDoNotOverlap()
    {
        var svg = Heatmap.ToSvg(Counts(10), Fashion, Fashion, "Confusion matrix (test accuracy 91.23%)");
        var l = Parse(svg);
        Assert.Equal(48, l.Cell);
        Assert.Equal(Fashion, l.ColumnLabels.Select(t => t.Value));
        Assert.Equal(Fashion, l.RowLabels.Select(t => t.Value));
        // "T-shirt/top" (≈ 71 px) does not fit a 48 px cell, so every column label is turned.
        Assert.True(Fashion.Max(s => s.Length) * 6.5 > l.Cell);
        Assert.All(l.ColumnLabels, t => Assert.StartsWith("rotate(-45 ", t.Attribute("transform")?.Value));
        // Horizontally they would collide: the first two centred labels' boxes overlap.
        double halfWidths = (Fashion[0].Length + Fashion[1].Length) * 0.59 * 11 / 2;
        Assert.True(halfWidths > l.Cell);
        AssertNoOverlapAndInside(l);
        // The top margin grew to hold the slanted labels (the unrotated layout starts the matrix at y = 72).
        Assert.True(l.GridTop > 72);
        Assert.True(l.ColumnLabels.Min(t => Box(t).Min(p => p.Y)) > 44, "labels clear the axis title");
    }

    [Fact]
    public void DigitColumnLabelsStayHorizontal()
    {
        var digits = Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var l = Parse(Heatmap.ToSvg(Counts(10), digits, digits, "MNIST"));
        Assert.Equal(digits, l.ColumnLabels.Select(t => t.Value));
        Assert.All(l.ColumnLabels, t =>
        {
            Assert.Null(t.Attribute("transform"));
            Assert.Equal("middle", t.Attribute("text-anchor")!.Value);
        });
        Assert.Equal(72, l.GridTop);
        AssertNoOverlapAndInside(l);
    }

    [Fact]
    public void TitleAndEveryCountArePresent()
    {
        var counts = Counts(10);
        var svg = Heatmap.ToSvg(counts, Fashion, Fashion, "Confusion matrix (test accuracy 91.23%)");
        var l = Parse(svg);
        var title = Assert.Single(l.Texts, t => t.Attribute("font-weight")?.Value == "bold");
        Assert.Equal("Confusion matrix (test accuracy 91.23%)", title.Value);
        Assert.Single(l.Texts, t => t.Value == "predicted class");
        Assert.Single(l.Texts, t => t.Value == "true class");
        for (int r = 0; r < 10; r++)
            for (int c = 0; c < 10; c++)
            {
                double cx = l.GridLeft + c * l.Cell + l.Cell / 2, cy = l.GridTop + r * l.Cell + l.Cell / 2;
                var text = Assert.Single(l.Texts, t => Math.Abs(Attr(t, "x") - cx) <= 1 && Math.Abs(Attr(t, "y") - cy - 4) <= 1);
                Assert.Equal(counts[r, c].ToString(CultureInfo.InvariantCulture), text.Value);
            }
        Assert.Equal(100, l.Root.Descendants(Svg + "rect").Count(e => e.Attribute("x") != null));
    }

    [Fact]
    public void VeryLongLabelsAreShortenedWithTheFullNameInATitle()
    {
        string longName = "a remarkably long class name that goes on"; // 41 characters
        var names = new[] { "short", longName, "Trouser" };
        var l = Parse(Heatmap.ToSvg(Counts(3), names, names, "Long names"));
        string shown = longName[..23] + "…";
        Assert.Equal(Heatmap.MaxLabelLength, shown.Length);
        Assert.Equal(new[] { "short", shown, "Trouser" }, l.ColumnLabels.Select(t => t.Value));
        Assert.Equal(new[] { "short", shown, "Trouser" }, l.RowLabels.Select(t => t.Value));
        foreach (var label in l.ColumnLabels.Concat(l.RowLabels))
        {
            var tooltip = label.Parent!.Element(Svg + "title");
            if (label.Value == shown) Assert.Equal(longName, tooltip?.Value);
            else Assert.Null(tooltip);
        }
        Assert.Equal(64, l.Cell);
        Assert.All(l.ColumnLabels, t => Assert.NotNull(t.Attribute("transform"))); // 24 × 6.5 px > 64 px
        AssertNoOverlapAndInside(l);
        // The left margin holds the longest (shortened) row label, no more: 24 characters, not 41.
        Assert.InRange(l.GridLeft, 24 * 0.59 * 11 + 6, 41 * 0.59 * 11);
    }

    [Fact]
    public void SmallMatrixWithLongTitlesStillFitsItsText()
    {
        var l = Parse(Heatmap.ToSvg(new long[,] { { 5, 1 }, { 0, 7 } }, ["a", "b"], ["a", "b"],
            "A heading that is much wider than a two-by-two matrix", "the true class of the sample", "the class the model predicted"));
        Assert.All(l.ColumnLabels, t => Assert.Null(t.Attribute("transform")));
        AssertNoOverlapAndInside(l);
    }
}
