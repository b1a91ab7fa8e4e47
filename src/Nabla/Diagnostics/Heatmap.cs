using System.Globalization;
using System.Net;
using System.Text;

namespace Nabla.Diagnostics;

/// <summary>
/// A matrix of counts drawn as an SVG heat map with the count written in every cell (white on dark cells),
/// row and column labels and axis titles. Used for confusion matrices (rows = true class, columns = predicted).
/// Column labels wider than a cell are drawn at 45° so neighbours never overlap, and the top margin grows to fit them;
/// labels longer than <see cref="MaxLabelLength"/> characters are shortened with an ellipsis, the full name kept in an
/// SVG <c>&lt;title&gt;</c> (shown on hover).
/// </summary>
public static class Heatmap
{
    /// <summary>Row and column labels longer than this many characters are shortened to this many, the last one "…".</summary>
    public const int MaxLabelLength = 24;

    // Text-size estimates for the 11 px sans-serif labels: average advance per character, and how far glyphs
    // reach above and below the baseline. Layout only needs them to be generous, not exact.
    private const double CharWidth = 6.5, Ascent = 9, Descent = 3;
    private const double TitleCharWidth = 9; // 15 px bold
    private static readonly double Cos45 = Math.Sqrt(0.5);

    /// <summary>Renders <paramref name="counts"/> [rows, columns] as an SVG document.</summary>
    /// <param name="counts">The matrix; for a confusion matrix, rows are true classes and columns predicted ones.</param>
    /// <param name="rowLabels">One label per row, drawn right-aligned left of the matrix.</param>
    /// <param name="columnLabels">One label per column, drawn above the matrix (at 45° when one is wider than a cell).</param>
    /// <param name="title">The heading.</param>
    /// <param name="rowTitle">The title of the row axis, drawn vertically on the left.</param>
    /// <param name="columnTitle">The title of the column axis, drawn above the column labels.</param>
    public static string ToSvg(long[,] counts, IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels,
        string title, string rowTitle = "true class", string columnTitle = "predicted class")
    {
        int rows = counts.GetLength(0), cols = counts.GetLength(1);
        if (rowLabels.Count != rows || columnLabels.Count != cols)
            throw new Errors.ShapeException($"Heatmap: {rowLabels.Count} row labels and {columnLabels.Count} column labels for a [{rows},{cols}] matrix");
        var rowText = rowLabels.Select(Shorten).ToArray();
        var colText = columnLabels.Select(Shorten).ToArray();
        int cell = Math.Clamp(480 / Math.Max(rows, cols), 24, 64);

        // Left: row title band (up to x = 24), then the widest row label, right-aligned 6 px before the matrix.
        double rowLabelW = rowText.DefaultIfEmpty("").Max(TextWidth);
        int left = 30 + Math.Max(40, (int)Math.Ceiling(rowLabelW) + 8);

        // Top: heading (baseline 22), column title (baseline 44), column labels, matrix.
        double colLabelW = colText.DefaultIfEmpty("").Max(TextWidth);
        bool rotate = colLabelW > cell - 4;
        const int labelsTop = 52; // below the column title's descenders
        // A label at 45° reading up and to the right from (ax, ay) rises cos45·(w + ascent) above its anchor.
        int top = rotate ? Math.Max(72, (int)Math.Ceiling(labelsTop + Cos45 * (colLabelW + Ascent)) + 5) : 72;
        double LabelX(int c) => left + c * cell + cell / 2.0 - (rotate ? 4 : 0);
        double labelY = top - (rotate ? 5 : 4);

        // Right: the matrix, or a slanted label running past it; the heading and the column title must fit too.
        double right = left + cols * cell + 20;
        if (rotate)
            for (int c = 0; c < cols; c++) right = Math.Max(right, LabelX(c) + Cos45 * (TextWidth(colText[c]) + Descent) + 10);
        right = Math.Max(right, TitleCharWidth * title.Length + 20);
        right = Math.Max(right, TextWidth(columnTitle) + 20);
        int width = (int)Math.Ceiling(right);
        int height = top + rows * cell + 50;
        height = Math.Max(height, (int)Math.Ceiling(TextWidth(rowTitle)) + 20);

        long max = 1;
        foreach (long v in counts) max = Math.Max(max, v);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{WebUtility.HtmlEncode(title)}</text>\n");
        double colTitleX = Centered(left + cols * cell / 2.0, TextWidth(columnTitle), width);
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{colTitleX:0.#}\" y=\"44\" text-anchor=\"middle\">{WebUtility.HtmlEncode(columnTitle)}</text>\n");
        double rowTitleY = Centered(top + rows * cell / 2.0, TextWidth(rowTitle), height);
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{rowTitleY:0.#}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {rowTitleY:0.#})\">{WebUtility.HtmlEncode(rowTitle)}</text>\n");
        for (int c = 0; c < cols; c++)
        {
            string x = LabelX(c).ToString("0.#", CultureInfo.InvariantCulture), y = labelY.ToString("0.#", CultureInfo.InvariantCulture);
            string placement = rotate
                ? $"x=\"{x}\" y=\"{y}\" text-anchor=\"start\" transform=\"rotate(-45 {x} {y})\""
                : $"x=\"{x}\" y=\"{y}\" text-anchor=\"middle\"";
            AppendLabel(sb, placement, columnLabels[c], colText[c]);
        }
        for (int r = 0; r < rows; r++)
        {
            AppendLabel(sb, string.Create(CultureInfo.InvariantCulture, $"x=\"{left - 6}\" y=\"{top + r * cell + cell / 2 + 4}\" text-anchor=\"end\""), rowLabels[r], rowText[r]);
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

    /// <summary>The label as drawn: at most <see cref="MaxLabelLength"/> characters, the last an ellipsis when shortened.</summary>
    private static string Shorten(string label) =>
        label.Length <= MaxLabelLength ? label : label[..(MaxLabelLength - 1)].TrimEnd() + "…";

    private static double TextWidth(string text) => CharWidth * text.Length;

    /// <summary>Keeps a centred text of width <paramref name="textWidth"/> inside [0, <paramref name="extent"/>].</summary>
    private static double Centered(double center, double textWidth, double extent)
    {
        double half = textWidth / 2 + 4;
        return half * 2 >= extent ? extent / 2 : Math.Clamp(center, half, extent - half);
    }

    /// <summary>A label's text element; a shortened one sits in a group whose <c>&lt;title&gt;</c> holds the full name.</summary>
    private static void AppendLabel(StringBuilder sb, string placement, string full, string shown)
    {
        if (shown == full)
        {
            sb.Append("<text ").Append(placement).Append('>').Append(WebUtility.HtmlEncode(full)).Append("</text>\n");
            return;
        }
        sb.Append("<g><title>").Append(WebUtility.HtmlEncode(full)).Append("</title><text ").Append(placement).Append('>')
          .Append(WebUtility.HtmlEncode(shown)).Append("</text></g>\n");
    }
}
