using System.Globalization;
using System.Net;
using System.Text;

namespace Nabla.Diagnostics;

/// <summary>
/// A matrix of counts drawn as an SVG heat map with the count written in every cell (white on dark cells),
/// row and column labels and axis titles. Used for confusion matrices (rows = true class, columns = predicted).
/// </summary>
public static class Heatmap
{
    /// <summary>Renders <paramref name="counts"/> [rows, columns] as an SVG document.</summary>
    public static string ToSvg(long[,] counts, IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels,
        string title, string rowTitle = "true class", string columnTitle = "predicted class")
    {
        int rows = counts.GetLength(0), cols = counts.GetLength(1);
        if (rowLabels.Count != rows || columnLabels.Count != cols)
            throw new Errors.ShapeException($"Heatmap: {rowLabels.Count} row labels and {columnLabels.Count} column labels for a [{rows},{cols}] matrix");
        int cell = Math.Clamp(480 / Math.Max(rows, cols), 24, 64);
        int labelW = Math.Max(40, 8 * Math.Max(rowLabels.DefaultIfEmpty("").Max(s => s.Length), 3));
        int left = 30 + labelW, top = 60 + 12, width = left + cols * cell + 20, height = top + rows * cell + 50;
        long max = 1;
        foreach (long v in counts) max = Math.Max(max, v);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{WebUtility.HtmlEncode(title)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + cols * cell / 2}\" y=\"44\" text-anchor=\"middle\">{WebUtility.HtmlEncode(columnTitle)}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{top + rows * cell / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {top + rows * cell / 2})\">{WebUtility.HtmlEncode(rowTitle)}</text>\n");
        for (int c = 0; c < cols; c++)
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + c * cell + cell / 2}\" y=\"{top - 4}\" text-anchor=\"middle\">{WebUtility.HtmlEncode(columnLabels[c])}</text>\n");
        for (int r = 0; r < rows; r++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{top + r * cell + cell / 2 + 4}\" text-anchor=\"end\">{WebUtility.HtmlEncode(rowLabels[r])}</text>\n");
            for (int c = 0; c < cols; c++)
            {
                double f = Math.Sqrt((double)counts[r, c] / max); // square root keeps small off-diagonal counts visible
                int shade = (int)Math.Round(255 - f * 200);
                string fill = $"rgb({shade},{(int)Math.Round(255 - f * 150)},255)";
                sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left + c * cell}\" y=\"{top + r * cell}\" width=\"{cell}\" height=\"{cell}\" fill=\"{fill}\" stroke=\"#ffffff\"/>\n");
                string textColor = f > 0.6 ? "white" : "black";
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + c * cell + cell / 2}\" y=\"{top + r * cell + cell / 2 + 4}\" text-anchor=\"middle\" fill=\"{textColor}\">{counts[r, c]}</text>\n");
            }
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }
}
