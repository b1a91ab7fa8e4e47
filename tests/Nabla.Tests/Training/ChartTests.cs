using System.Xml.Linq;
using Nabla.Diagnostics;
using Xunit;

namespace Nabla.Tests.Training;

public class ChartTests
{
    [Fact]
    public void LineChartIsValidSvgWithOnePolylinePerSeries()
    {
        var svg = new LineChart("Training curves", "epoch", "loss")
            .Add("train loss", [1, 2, 3], [0.9, 0.5, 0.3])
            .Add("validation loss", [1, 2, 3], [1.0, 0.6, double.NaN], dashed: true)
            .ToSvg();
        var doc = XDocument.Parse(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal("svg", doc.Root!.Name.LocalName);
        var lines = doc.Descendants(ns + "polyline").ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(3, lines[0].Attribute("points")!.Value.Split(' ').Length);
        Assert.Equal(2, lines[1].Attribute("points")!.Value.Split(' ').Length); // NaN skipped
        Assert.Contains(doc.Descendants(ns + "text"), t => t.Value == "validation loss");
    }

    [Fact]
    public void LegendGoesToTheCornerTheCurvesLeaveFree()
    {
        // Falling loss curves leave the top right free; rising accuracy curves end there and leave the bottom right free.
        static (double X, double Y) LegendBox(LineChart chart)
        {
            var rect = XDocument.Parse(chart.ToSvg()).Descendants().Single(e => e.Name.LocalName == "rect" && (string?)e.Attribute("fill-opacity") == "0.85");
            return (double.Parse(rect.Attribute("x")!.Value, System.Globalization.CultureInfo.InvariantCulture), double.Parse(rect.Attribute("y")!.Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        double[] epochs = [1, 2, 3, 4, 5];
        var falling = LegendBox(new LineChart("Loss", "epoch", "loss").Add("training", epochs, [0.28, 0.08, 0.055, 0.043, 0.036]).Add("test", epochs, [0.08, 0.057, 0.045, 0.04, 0.036], dashed: true));
        var rising = LegendBox(new LineChart("Accuracy", "epoch", "accuracy").Add("training", epochs, [0.914, 0.976, 0.983, 0.986, 0.989]).Add("test", epochs, [0.973, 0.981, 0.986, 0.987, 0.988], dashed: true));
        // Default 640x400 chart: plot area x 70..620, y 40..345; legend 152 wide, 42 high.
        Assert.Equal((464, 44), falling);   // top right
        Assert.Equal((464, 299), rising);   // bottom right
        // A curve through both right-hand corners sends the legend to the left.
        var leftSide = LegendBox(new LineChart("Both", "x", "y").Add("a", [0, 0.5, 1, 1], [0.5, 0.5, 0, 1]));
        Assert.Equal(74, leftSide.X);
    }

    [Fact]
    public void LogScaleChartLabelsDecades()
    {
        var svg = new LineChart("lr search", "learning rate", "loss") { LogX = true }
            .Add("loss", [1e-4, 1e-3, 1e-2, 1e-1], [2.3, 1.1, 0.4, 0.9]).ToSvg();
        var texts = XDocument.Parse(svg).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();
        Assert.Contains("1e-4", texts);
        Assert.Contains("1e-1", texts);
    }

    [Fact]
    public void NiceTicksAreRoundAndCoverTheRange()
    {
        var t = LineChart.NiceTicks(0.13, 0.97, 6);
        Assert.True(t[0] <= 0.13 && t[^1] >= 0.97);
        Assert.Equal(0.2, t[1] - t[0], 10);
    }

    [Fact]
    public void HeatmapWritesEveryCount()
    {
        var counts = new long[,] { { 50, 2 }, { 3, 45 } };
        var svg = Heatmap.ToSvg(counts, ["cat", "dog"], ["cat", "dog"], "Confusion matrix");
        var doc = XDocument.Parse(svg);
        var texts = doc.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();
        foreach (var v in new[] { "50", "2", "3", "45", "cat", "dog" }) Assert.Contains(v, texts);
        Assert.Equal(4 + 1, doc.Descendants().Count(e => e.Name.LocalName == "rect"));
    }
}

public class SideBySideChartTests
{
    [Fact]
    public void SideBySideNestsEachChartAtItsOffset()
    {
        var a = new LineChart("loss", "epoch", "loss").Add("train", [1, 2], [1, 0.5]);
        var b = new LineChart("accuracy", "epoch", "accuracy").Add("train", [1, 2], [0.5, 0.9]);
        var doc = System.Xml.Linq.XDocument.Parse(LineChart.SideBySide(a, b));
        Assert.Equal("1280", doc.Root!.Attribute("width")!.Value);
        var nested = doc.Root.Elements().Where(e => e.Name.LocalName == "svg").ToList();
        Assert.Equal(new[] { "0", "640" }, nested.Select(e => e.Attribute("x")!.Value));
    }
}
