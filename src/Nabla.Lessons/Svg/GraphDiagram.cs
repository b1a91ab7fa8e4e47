using System.Globalization;
using System.Net;
using System.Text;

namespace Nabla.Lessons.Svg;

/// <summary>
/// A computation graph drawn as a diagram: nodes (inputs and operations) at given positions, arrows from inputs to the
/// operations that use them, the forward value written above each arrow (green) and the gradient of the output with
/// respect to it below (red).
/// </summary>
public sealed class GraphDiagram
{
    private static int _ids;
    private readonly Dictionary<string, (double X, double Y, string Label, bool Op)> _nodes = [];
    private readonly List<(string From, string To, string Forward, string Backward)> _edges = [];

    /// <summary>Creates an empty diagram of the given size.</summary>
    public GraphDiagram(string title, int width, int height)
    {
        Title = title;
        Width = width;
        Height = height;
    }

    /// <summary>The title above the diagram.</summary>
    public string Title { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Adds a node; operations are drawn as circles, inputs and outputs as boxes.</summary>
    public GraphDiagram Node(string id, double x, double y, string label, bool operation = false)
    {
        _nodes[id] = (x, y, label, operation);
        return this;
    }

    /// <summary>Adds an arrow with the forward value and the backward gradient it carries.</summary>
    public GraphDiagram Edge(string from, string to, string forward, string backward)
    {
        _edges.Add((from, to, forward, backward));
        return this;
    }

    /// <summary>The SVG document.</summary>
    public string ToSvg()
    {
        int id = Interlocked.Increment(ref _ids);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"14\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<defs><marker id=\"arrow{id}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{Esc(Title)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - 10}\" y=\"{Height - 10}\" text-anchor=\"end\" font-size=\"12\"><tspan fill=\"#1a7f37\">green: forward value</tspan> · <tspan fill=\"#c62828\">red: gradient of the output</tspan></text>\n");
        const double r = 24;
        foreach (var (from, to, fwd, bwd) in _edges)
        {
            var a = _nodes[from];
            var b = _nodes[to];
            double dx = b.X - a.X, dy = b.Y - a.Y, len = Math.Sqrt(dx * dx + dy * dy);
            double ux = dx / len, uy = dy / len;
            double x1 = a.X + ux * (a.Op ? r : 34), y1 = a.Y + uy * (a.Op ? r : 18), x2 = b.X - ux * (b.Op ? r : 34), y2 = b.Y - uy * (b.Op ? r : 18);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Fmt.C(x1)}\" y1=\"{Fmt.C(y1)}\" x2=\"{Fmt.C(x2)}\" y2=\"{Fmt.C(y2)}\" stroke=\"#555\" stroke-width=\"1.6\" marker-end=\"url(#arrow{id})\"/>\n");
            double mx = x1 + 0.42 * (x2 - x1), my = y1 + 0.42 * (y2 - y1);
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Fmt.C(mx)}\" y=\"{Fmt.C(my - 7)}\" text-anchor=\"middle\" fill=\"#1a7f37\" font-weight=\"bold\" stroke=\"white\" stroke-width=\"4\" paint-order=\"stroke\">{Esc(fwd)}</text>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Fmt.C(mx)}\" y=\"{Fmt.C(my + 17)}\" text-anchor=\"middle\" fill=\"#c62828\" font-weight=\"bold\" stroke=\"white\" stroke-width=\"4\" paint-order=\"stroke\">{Esc(bwd)}</text>\n");
        }
        foreach (var (x, y, label, op) in _nodes.Values)
        {
            sb.Append(op
                ? string.Create(CultureInfo.InvariantCulture, $"<circle cx=\"{Fmt.C(x)}\" cy=\"{Fmt.C(y)}\" r=\"{r}\" fill=\"#eef3ff\" stroke=\"#335\"/>\n")
                : string.Create(CultureInfo.InvariantCulture, $"<rect x=\"{Fmt.C(x - 34)}\" y=\"{Fmt.C(y - 18)}\" width=\"68\" height=\"36\" rx=\"6\" fill=\"#f6f6f6\" stroke=\"#335\"/>\n"));
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Fmt.C(x)}\" y=\"{Fmt.C(y + 5)}\" text-anchor=\"middle\">{Esc(label)}</text>\n");
        }
        return sb.Append("</svg>\n").ToString();
    }

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
