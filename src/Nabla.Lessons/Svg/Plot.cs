using System.Globalization;
using System.Net;
using System.Text;
using Nabla.Diagnostics;

namespace Nabla.Lessons.Svg;

/// <summary>
/// A 2-D plot as an SVG document: lines, points, histogram bars, vertical markers and the contour lines of a function
/// z = f(x, y), on linear or base-10 logarithmic axes with round tick values (<see cref="LineChart.NiceTicks"/>), axis
/// titles and a legend to the right of the plot area, so it never hides data. Drawing is clipped to the plot area.
/// </summary>
public sealed class Plot
{
    /// <summary>Colours of successive series (the same palette as <see cref="LineChart"/>).</summary>
    public static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];
    private static int _ids;
    private readonly List<Item> _items = [];
    private readonly List<(string Name, string Color, bool Dashed, bool Box)> _legend = [];

    private sealed record Item(string Kind, double[] X, double[] Y, string Color, bool Dashed, double Size, string? Text);

    /// <summary>Creates an empty plot.</summary>
    public Plot(string title, string xLabel, string yLabel)
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

    /// <summary>Width of the plot area plus margins, in pixels (the legend adds to it).</summary>
    public int Width { get; init; } = 520;

    /// <summary>Height in pixels.</summary>
    public int Height { get; init; } = 360;

    /// <summary>Base-10 logarithmic x axis.</summary>
    public bool LogX { get; init; }

    /// <summary>Base-10 logarithmic y axis.</summary>
    public bool LogY { get; init; }

    /// <summary>Fixed x range; otherwise the data's.</summary>
    public (double Min, double Max)? XRange { get; init; }

    /// <summary>Fixed y range; otherwise the data's.</summary>
    public (double Min, double Max)? YRange { get; init; }

    /// <summary>The colour of series <paramref name="i"/>.</summary>
    public static string Color(int i) => Palette[i % Palette.Length];

    /// <summary>A polyline; named series appear in the legend. Non-finite points split the line.</summary>
    public Plot Line(string? name, IReadOnlyList<double> x, IReadOnlyList<double> y, string? color = null, bool dashed = false, double width = 2, bool markers = false)
    {
        color ??= Color(_legend.Count);
        _items.Add(new Item(markers ? "line+" : "line", [.. x], [.. y], color, dashed, width, null));
        if (name is not null) _legend.Add((name, color, dashed, false));
        return this;
    }

    /// <summary>Points (circles of radius <paramref name="radius"/>).</summary>
    public Plot Points(string? name, IReadOnlyList<double> x, IReadOnlyList<double> y, string? color = null, double radius = 2.5)
    {
        color ??= Color(_legend.Count);
        _items.Add(new Item("points", [.. x], [.. y], color, false, radius, null));
        if (name is not null) _legend.Add((name, color, false, true));
        return this;
    }

    /// <summary>Histogram bars: <paramref name="edges"/> has one more value than <paramref name="heights"/>.</summary>
    public Plot Bars(string? name, IReadOnlyList<double> edges, IReadOnlyList<double> heights, string? color = null)
    {
        color ??= Color(_legend.Count);
        _items.Add(new Item("bars", [.. edges], [.. heights], color, false, 0, null));
        if (name is not null) _legend.Add((name, color, false, true));
        return this;
    }

    /// <summary>A vertical dashed line at <paramref name="x"/> with a label at its top.</summary>
    public Plot VLine(double x, string label, string color = "#444")
    {
        _items.Add(new Item("vline", [x], [], color, true, 1.5, label));
        return this;
    }

    /// <summary>A text label at data coordinates.</summary>
    public Plot Label(double x, double y, string text, string color = "#222")
    {
        _items.Add(new Item("label", [x], [y], color, false, 0, text));
        return this;
    }

    /// <summary>
    /// Contour lines of <paramref name="f"/> at <paramref name="levels"/> over the fixed ranges (marching squares on an
    /// n×n grid), in grey.
    /// </summary>
    public Plot Contour(Func<double, double, double> f, IReadOnlyList<double> levels, int n = 90)
    {
        var (x0, x1) = XRange ?? throw new InvalidOperationException("Contour needs XRange");
        var (y0, y1) = YRange ?? throw new InvalidOperationException("Contour needs YRange");
        var z = new double[n + 1, n + 1];
        for (int i = 0; i <= n; i++)
            for (int j = 0; j <= n; j++) z[i, j] = f(x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * j / n);
        foreach (var level in levels)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    // The crossings of the level on the four edges of cell (i, j); two crossings make a segment.
                    var pts = new List<(double X, double Y)>(4);
                    void Edge(double za, double zb, double ax, double ay, double bx, double by)
                    {
                        if ((za < level) == (zb < level)) return;
                        double t = (level - za) / (zb - za);
                        pts.Add((ax + t * (bx - ax), ay + t * (by - ay)));
                    }
                    double X(int k) => x0 + (x1 - x0) * k / n;
                    double Y(int k) => y0 + (y1 - y0) * k / n;
                    Edge(z[i, j], z[i + 1, j], X(i), Y(j), X(i + 1), Y(j));
                    Edge(z[i + 1, j], z[i + 1, j + 1], X(i + 1), Y(j), X(i + 1), Y(j + 1));
                    Edge(z[i + 1, j + 1], z[i, j + 1], X(i + 1), Y(j + 1), X(i), Y(j + 1));
                    Edge(z[i, j + 1], z[i, j], X(i), Y(j + 1), X(i), Y(j));
                    for (int k = 0; k + 1 < pts.Count; k += 2)
                    {
                        xs.AddRange([pts[k].X, pts[k + 1].X, double.NaN]);
                        ys.AddRange([pts[k].Y, pts[k + 1].Y, double.NaN]);
                    }
                }
            _items.Add(new Item("segments", [.. xs], [.. ys], "#b8b8b8", false, 1, null));
        }
        return this;
    }

    /// <summary>The SVG document.</summary>
    public string ToSvg()
    {
        const int left = 68, top = 40, bottom = 52, right = 16;
        int legendW = _legend.Count == 0 ? 0 : 20 + 8 * _legend.Max(l => l.Name.Length) + 36;
        int width = Width + legendW, pw = Width - left - right, ph = Height - top - bottom;
        double Tx(double v) => LogX ? Math.Log10(v) : v;
        double Ty(double v) => LogY ? Math.Log10(v) : v;
        bool OkX(double v) => double.IsFinite(v) && (!LogX || v > 0);
        bool OkY(double v) => double.IsFinite(v) && (!LogY || v > 0);

        var xsAll = new List<double>();
        var ysAll = new List<double>();
        foreach (var it in _items)
        {
            if (it.Kind == "segments") continue;
            if (it.Kind == "bars")
            {
                xsAll.AddRange(it.X.Where(OkX).Select(Tx));
                ysAll.AddRange(it.Y.Where(OkY).Select(Ty));
                if (!LogY) ysAll.Add(0);
                continue;
            }
            if (it.Kind == "vline") { if (OkX(it.X[0])) xsAll.Add(Tx(it.X[0])); continue; }
            for (int i = 0; i < it.X.Length; i++)
                if (OkX(it.X[i]) && OkY(it.Y[i])) { xsAll.Add(Tx(it.X[i])); ysAll.Add(Ty(it.Y[i])); }
        }
        var (xmin, xmax) = XRange is { } xr ? (Tx(xr.Min), Tx(xr.Max)) : (xsAll.DefaultIfEmpty(0).Min(), xsAll.DefaultIfEmpty(1).Max());
        var (ymin, ymax) = YRange is { } yr ? (Ty(yr.Min), Ty(yr.Max)) : (ysAll.DefaultIfEmpty(0).Min(), ysAll.DefaultIfEmpty(1).Max());
        if (xmax - xmin < 1e-12) { xmin -= 0.5; xmax += 0.5; }
        if (ymax - ymin < 1e-12) { ymin -= 0.5; ymax += 0.5; }
        var xTicks = Ticks(xmin, xmax, LogX, 7, XRange is null);
        var yTicks = Ticks(ymin, ymax, LogY, 6, YRange is null);
        if (XRange is null) { xmin = Math.Min(xmin, xTicks[0]); xmax = Math.Max(xmax, xTicks[^1]); }
        if (YRange is null) { ymin = Math.Min(ymin, yTicks[0]); ymax = Math.Max(ymax, yTicks[^1]); }
        xTicks = xTicks.Where(t => t >= xmin - 1e-9 && t <= xmax + 1e-9).ToArray();
        yTicks = yTicks.Where(t => t >= ymin - 1e-9 && t <= ymax + 1e-9).ToArray();
        double PX(double t) => left + (t - xmin) / (xmax - xmin) * pw;
        double PY(double t) => top + ph - (t - ymin) / (ymax - ymin) * ph;

        int id = Interlocked.Increment(ref _ids);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{Height}\" viewBox=\"0 0 {width} {Height}\" font-family=\"sans-serif\" font-size=\"13\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<defs><clipPath id=\"plot{id}\"><rect x=\"{left}\" y=\"{top}\" width=\"{pw}\" height=\"{ph}\"/></clipPath></defs>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{Height}\" fill=\"white\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + pw / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{Esc(Title)}</text>\n");
        foreach (var t in yTicks)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{Fmt.C(PY(t))}\" x2=\"{left + pw}\" y2=\"{Fmt.C(PY(t))}\" stroke=\"#ececec\"/>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{Fmt.C(PY(t) + 4)}\" text-anchor=\"end\">{TickLabel(t, LogY)}</text>\n");
        }
        foreach (var t in xTicks)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Fmt.C(PX(t))}\" y1=\"{top}\" x2=\"{Fmt.C(PX(t))}\" y2=\"{top + ph}\" stroke=\"#ececec\"/>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Fmt.C(PX(t))}\" y=\"{top + ph + 18}\" text-anchor=\"middle\">{TickLabel(t, LogX)}</text>\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<g clip-path=\"url(#plot{id})\">\n");
        foreach (var it in _items) Draw(sb, it);
        sb.Append("</g>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{pw}\" height=\"{ph}\" fill=\"none\" stroke=\"#333\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + pw / 2}\" y=\"{Height - 12}\" text-anchor=\"middle\">{Esc(XLabel)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"16\" y=\"{top + ph / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {top + ph / 2})\">{Esc(YLabel)}</text>\n");
        for (int i = 0; i < _legend.Count; i++)
        {
            var (name, color, dashed, box) = _legend[i];
            int lx = Width + 6, ly = top + 8 + i * 20;
            sb.Append(box
                ? string.Create(CultureInfo.InvariantCulture, $"<rect x=\"{lx}\" y=\"{ly - 6}\" width=\"22\" height=\"10\" fill=\"{color}\" fill-opacity=\"0.7\"/>\n")
                : string.Create(CultureInfo.InvariantCulture, $"<line x1=\"{lx}\" y1=\"{ly}\" x2=\"{lx + 22}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"2.5\"{(dashed ? " stroke-dasharray=\"6 4\"" : "")}/>\n"));
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{lx + 28}\" y=\"{ly + 4}\">{Esc(name)}</text>\n");
        }
        return sb.Append("</svg>\n").ToString();

        void Draw(StringBuilder s, Item it)
        {
            string dash = it.Dashed ? " stroke-dasharray=\"6 4\"" : "";
            switch (it.Kind)
            {
                case "line" or "line+" or "segments":
                    var run = new List<string>();
                    void Flush()
                    {
                        if (run.Count > 1)
                            s.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{it.Color}\" stroke-width=\"{Fmt.C(it.Size)}\" stroke-linejoin=\"round\"{dash} points=\"{string.Join(' ', run)}\"/>\n");
                        run.Clear();
                    }
                    for (int i = 0; i < it.X.Length; i++)
                    {
                        if (!OkX(it.X[i]) || !OkY(it.Y[i])) { Flush(); continue; }
                        double px = PX(Tx(it.X[i])), py = PY(Ty(it.Y[i]));
                        run.Add($"{Fmt.C(px)},{Fmt.C(py)}");
                        if (it.Kind == "line+") s.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Fmt.C(px)}\" cy=\"{Fmt.C(py)}\" r=\"3\" fill=\"{it.Color}\"/>\n");
                    }
                    Flush();
                    break;
                case "points":
                    for (int i = 0; i < it.X.Length; i++)
                        if (OkX(it.X[i]) && OkY(it.Y[i]))
                            s.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Fmt.C(PX(Tx(it.X[i])))}\" cy=\"{Fmt.C(PY(Ty(it.Y[i])))}\" r=\"{Fmt.C(it.Size)}\" fill=\"{it.Color}\" fill-opacity=\"0.75\"/>\n");
                    break;
                case "bars":
                    for (int i = 0; i < it.Y.Length; i++)
                    {
                        if (!OkY(it.Y[i]) || it.Y[i] == 0) continue;
                        double a = PX(Tx(it.X[i])), b = PX(Tx(it.X[i + 1])), y = PY(Ty(it.Y[i])), y0 = PY(LogY ? ymin : 0);
                        s.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Fmt.C(a)}\" y=\"{Fmt.C(Math.Min(y, y0))}\" width=\"{Fmt.C(Math.Max(b - a, 0.5))}\" height=\"{Fmt.C(Math.Abs(y0 - y))}\" fill=\"{it.Color}\" fill-opacity=\"0.7\"/>\n");
                    }
                    break;
                case "vline":
                    double vx = PX(Tx(it.X[0]));
                    s.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Fmt.C(vx)}\" y1=\"{top}\" x2=\"{Fmt.C(vx)}\" y2=\"{top + ph}\" stroke=\"{it.Color}\" stroke-width=\"1.5\"{dash}/>\n");
                    bool leftSide = vx > left + pw * 0.7;
                    s.Append(CultureInfo.InvariantCulture, $"<text x=\"{Fmt.C(vx + (leftSide ? -4 : 4))}\" y=\"{top + 16}\" text-anchor=\"{(leftSide ? "end" : "start")}\" fill=\"{it.Color}\">{Esc(it.Text!)}</text>\n");
                    break;
                case "label":
                    s.Append(CultureInfo.InvariantCulture, $"<text x=\"{Fmt.C(PX(Tx(it.X[0])) + 6)}\" y=\"{Fmt.C(PY(Ty(it.Y[0])) - 6)}\" fill=\"{it.Color}\" font-weight=\"bold\">{Esc(it.Text!)}</text>\n");
                    break;
            }
        }
    }

    private static double[] Ticks(double min, double max, bool log, int count, bool extend)
    {
        if (!log) return LineChart.NiceTicks(min, max, count);
        int lo = (int)Math.Floor(min + 1e-9), hi = (int)Math.Ceiling(max - 1e-9);
        if (!extend) { lo = (int)Math.Ceiling(min - 1e-9); hi = (int)Math.Floor(max + 1e-9); }
        int step = Math.Max(1, (hi - lo + count - 1) / count);
        var t = new List<double>();
        for (int k = lo; k <= hi; k += step) t.Add(k);
        return t.Count > 0 ? [.. t] : [min, max];
    }

    private static string TickLabel(double t, bool log)
    {
        if (!log) return Esc(Fmt.G(Math.Abs(t) < 1e-12 ? 0 : t));
        int k = (int)Math.Round(t);
        return k switch { 0 => "1", 1 => "10", 2 => "100", 3 => "1000", -1 => "0.1", -2 => "0.01", _ => "1e" + k.ToString(CultureInfo.InvariantCulture) };
    }

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
