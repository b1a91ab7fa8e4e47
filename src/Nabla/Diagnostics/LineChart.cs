using System.Globalization;
using System.Net;
using System.Text;

namespace Nabla.Diagnostics;

/// <summary>
/// A line chart rendered as a standalone SVG document (no dependencies): one or more named series over a
/// shared x axis, with "nice" tick values, grid lines, axis titles and a legend. Used for training curves
/// and learning-rate searches. A logarithmic x axis is available for learning rates.
/// </summary>
public sealed class LineChart
{
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
    private readonly List<(string Name, double[] X, double[] Y, bool Dashed)> _series = [];

    /// <summary>Creates an empty chart.</summary>
    public LineChart(string title, string xLabel, string yLabel)
    {
        Title = title;
        XLabel = xLabel;
        YLabel = yLabel;
    }

    /// <summary>The title above the plot.</summary>
    public string Title { get; }

    /// <summary>The x axis title.</summary>
    public string XLabel { get; }

    /// <summary>The y axis title.</summary>
    public string YLabel { get; }

    /// <summary>Plot x on a base-10 logarithmic scale (all x must be positive).</summary>
    public bool LogX { get; init; }

    /// <summary>Only whole numbers on the x axis (epochs, steps).</summary>
    public bool IntegerX { get; init; }

    /// <summary>Width of the SVG in pixels.</summary>
    public int Width { get; init; } = 640;

    /// <summary>Height of the SVG in pixels.</summary>
    public int Height { get; init; } = 400;

    /// <summary>Adds a series; points with a non-finite coordinate are skipped. Returns this.</summary>
    public LineChart Add(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, bool dashed = false)
    {
        if (x.Count != y.Count) throw new Errors.ShapeException($"LineChart: series '{name}' has {x.Count} x values and {y.Count} y values");
        _series.Add((name, x.ToArray(), y.ToArray(), dashed));
        return this;
    }

    /// <summary>The SVG document.</summary>
    public string ToSvg()
    {
        const int left = 70, right = 20, top = 40, bottom = 55;
        int pw = Width - left - right, ph = Height - top - bottom;
        var pts = _series.SelectMany(s => s.X.Zip(s.Y)).Where(p => Finite(p.First) && Finite(p.Second) && (!LogX || p.First > 0)).ToList();
        double xmin = pts.Count > 0 ? pts.Min(p => Tx(p.First)) : 0, xmax = pts.Count > 0 ? pts.Max(p => Tx(p.First)) : 1;
        double ymin = pts.Count > 0 ? pts.Min(p => p.Second) : 0, ymax = pts.Count > 0 ? pts.Max(p => p.Second) : 1;
        if (xmax - xmin < 1e-12) { xmin -= 0.5; xmax += 0.5; }
        if (ymax - ymin < 1e-12) { ymin -= 0.5; ymax += 0.5; }
        var yTicks = NiceTicks(ymin, ymax, 6);
        ymin = Math.Min(ymin, yTicks[0]); ymax = Math.Max(ymax, yTicks[^1]);
        var xTicks = LogX ? Enumerable.Range((int)Math.Floor(xmin), (int)Math.Ceiling(xmax) - (int)Math.Floor(xmin) + 1).Select(v => (double)v).ToArray() : NiceTicks(xmin, xmax, 8);
        if (IntegerX && !LogX) xTicks = xTicks.Where(t => t == Math.Round(t)).ToArray() is { Length: > 0 } whole ? whole : [Math.Round(xmin)];
        xmin = Math.Min(xmin, xTicks[0]); xmax = Math.Max(xmax, xTicks[^1]);
        double X(double v) => left + (Tx(v) - xmin) / (xmax - xmin) * pw;
        double XT(double t) => left + (t - xmin) / (xmax - xmin) * pw;
        double Y(double v) => top + ph - (v - ymin) / (ymax - ymin) * ph;

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{Esc(Title)}</text>\n");
        foreach (var t in yTicks)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{F(Y(t))}\" x2=\"{left + pw}\" y2=\"{F(Y(t))}\" stroke=\"#e0e0e0\"/>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{F(Y(t) + 4)}\" text-anchor=\"end\">{Label(t)}</text>\n");
        }
        foreach (var t in xTicks)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(XT(t))}\" y1=\"{top}\" x2=\"{F(XT(t))}\" y2=\"{top + ph}\" stroke=\"#e0e0e0\"/>\n");
            string lbl = LogX ? $"1e{t.ToString("0", CultureInfo.InvariantCulture)}" : Label(t);
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(XT(t))}\" y=\"{top + ph + 18}\" text-anchor=\"middle\">{lbl}</text>\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{pw}\" height=\"{ph}\" fill=\"none\" stroke=\"#333\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + pw / 2}\" y=\"{Height - 12}\" text-anchor=\"middle\">{Esc(XLabel)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"16\" y=\"{top + ph / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {top + ph / 2})\">{Esc(YLabel)}</text>\n");
        // Each series' drawable points in pixels; the legend goes to the corner of the plot that covers fewest of them.
        var curves = _series.Select(se => se.X.Zip(se.Y).Where(p => Finite(p.First) && Finite(p.Second) && (!LogX || p.First > 0))
            .Select(p => (X: X(p.First), Y: Y(p.Second))).ToList()).ToList();
        var (lx, lyTop) = LegendCorner(curves, left, top, pw, ph, LegendWidth, _series.Count * 18 + 6);
        var legend = new StringBuilder();
        for (int i = 0; i < _series.Count; i++)
        {
            var (name, _, _, dashed) = _series[i];
            string color = Palette[i % Palette.Length];
            var coords = curves[i].Select(p => $"{F(p.X)},{F(p.Y)}").ToList();
            if (coords.Count > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{(dashed ? " stroke-dasharray=\"6 4\"" : "")} points=\"{string.Join(' ', coords)}\"/>\n");
                if (coords.Count <= 60)
                    foreach (var c in coords)
                    {
                        var xy = c.Split(',');
                        sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{xy[0]}\" cy=\"{xy[1]}\" r=\"3\" fill=\"{color}\"/>\n");
                    }
            }
            int ly = lyTop + 12 + i * 18;
            legend.Append(CultureInfo.InvariantCulture, $"<line x1=\"{lx + 6}\" y1=\"{ly - 4}\" x2=\"{lx + 30}\" y2=\"{ly - 4}\" stroke=\"{color}\" stroke-width=\"2\"{(dashed ? " stroke-dasharray=\"6 4\"" : "")}/>\n");
            legend.Append(CultureInfo.InvariantCulture, $"<text x=\"{lx + 36}\" y=\"{ly}\">{Esc(name)}</text>\n");
        }
        if (_series.Count > 0)
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx}\" y=\"{lyTop}\" width=\"{LegendWidth}\" height=\"{_series.Count * 18 + 6}\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>\n");
        sb.Append(legend);
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private const int LegendWidth = 152;

    /// <summary>
    /// The top-left corner of the legend box: top right, bottom right, top left or bottom left of the plot area, the
    /// first of them whose box covers the fewest points of the curves (each segment sampled at 16 points).
    /// </summary>
    private static (int X, int Y) LegendCorner(List<List<(double X, double Y)>> curves, int left, int top, int pw, int ph, int w, int h)
    {
        (int X, int Y)[] corners = [(left + pw - w - 4, top + 4), (left + pw - w - 4, top + ph - h - 4), (left + 4, top + 4), (left + 4, top + ph - h - 4)];
        var best = corners[0];
        int fewest = int.MaxValue;
        foreach (var c in corners)
        {
            int covered = 0;
            bool Inside(double x, double y) => x >= c.X - 4 && x <= c.X + w + 4 && y >= c.Y - 4 && y <= c.Y + h + 4;
            foreach (var pts in curves)
            {
                for (int i = 0; i + 1 < pts.Count; i++)
                    for (int k = 0; k < 16; k++)
                    {
                        double t = k / 16.0;
                        if (Inside(pts[i].X + t * (pts[i + 1].X - pts[i].X), pts[i].Y + t * (pts[i + 1].Y - pts[i].Y))) covered++;
                    }
                if (pts.Count > 0 && Inside(pts[^1].X, pts[^1].Y)) covered++;
            }
            if (covered < fewest) { fewest = covered; best = c; }
        }
        return best;
    }

    /// <summary>Places several charts side by side in one SVG document.</summary>
    public static string SideBySide(params LineChart[] charts)
    {
        int width = charts.Sum(c => c.Width), height = charts.Max(c => c.Height), x = 0;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n");
        foreach (var c in charts)
        {
            string inner = c.ToSvg().Replace("<svg xmlns=\"http://www.w3.org/2000/svg\" ", $"<svg x=\"{x}\" y=\"0\" ", StringComparison.Ordinal);
            sb.Append(inner);
            x += c.Width;
        }
        return sb.Append("</svg>\n").ToString();
    }

    private double Tx(double v) => LogX ? Math.Log10(v) : v;

    private static bool Finite(double v) => double.IsFinite(v);

    /// <summary>Round tick values (1, 2 or 5 times a power of ten) covering [min, max].</summary>
    public static double[] NiceTicks(double min, double max, int count)
    {
        double span = max - min, raw = span / Math.Max(count - 1, 1);
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = mag * (raw / mag < 1.5 ? 1 : raw / mag < 3 ? 2 : raw / mag < 7 ? 5 : 10);
        double start = Math.Floor(min / step) * step, end = Math.Ceiling(max / step) * step;
        var ticks = new List<double>();
        for (double t = start; t <= end + step * 1e-9; t += step) ticks.Add(Math.Round(t / step) * step);
        return ticks.ToArray();
    }

    private static string Label(double v) => Math.Abs(v) >= 1e4 || (v != 0 && Math.Abs(v) < 1e-3)
        ? v.ToString("0.##e+0", CultureInfo.InvariantCulture) : v.ToString("0.####", CultureInfo.InvariantCulture);

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
