using Nabla.Errors;
using System.Globalization;
using System.Text;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// Reads numeric CSV files into tensors: every column except an optional label column must hold finite numbers
/// within float32's range (invariant culture: '.' decimal point; NaN, infinities and missing cells are refused, since
/// a single one would turn every loss and gradient into NaN). Cells may be quoted with '"' ("" inside quotes is a
/// quote); blank lines are skipped; the separator is detected from the first line unless given (',', ';' or tab).
/// Any problem raises a <see cref="DataFormatException"/> naming the file, line and column.
/// </summary>
public static class CsvReader
{
    /// <summary>
    /// Non-negative integer labels below this bound are used as class indices directly (digits 0-9 stay 0-9);
    /// when any label is at or above it, the labels are treated as class names in numeric order.
    /// </summary>
    public const int MaxDirectClassIndex = 4096;

    /// <summary>Reads a CSV file.</summary>
    public static CsvData Read(string path, CsvOptions? options = null)
    {
        if (!File.Exists(path)) throw new DataFormatException($"{path}: file not found");
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, Path.GetFileName(path), options);
    }

    /// <summary>Reads CSV text; <paramref name="name"/> names the source in messages.</summary>
    public static CsvData Read(TextReader reader, string name, CsvOptions? options = null)
    {
        var o = options ?? new CsvOptions();
        if (o.LabelColumn != null && o.LabelColumnIndex != null)
            throw new Nabla.Errors.ValueException("CsvReader: give the label column by name (LabelColumn) or by position (LabelColumnIndex), not both");
        if (o.LabelColumn != null && o.HasHeader == false)
            throw new Nabla.Errors.ValueException($"CsvReader: label column '{o.LabelColumn}' is given by name, but HasHeader is false");

        var rows = new List<(int Line, string[] Cells)>();
        int lineNo = 0;
        char? delimiter = o.Delimiter;
        for (string? line; (line = reader.ReadLine()) != null;)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            delimiter ??= DetectDelimiter(line);
            rows.Add((lineNo, SplitLine(line, delimiter.Value, name, lineNo)));
        }
        if (rows.Count == 0) throw new DataFormatException($"{name}: no rows found");
        int width = rows[0].Cells.Length;

        int? labelIndex = null;
        if (o.LabelColumnIndex is int li)
        {
            int idx = li < 0 ? li + width : li;
            if (idx < 0 || idx >= width) throw new DataFormatException($"{name}: label column index {li} expected within the {width} columns of line {rows[0].Line}");
            labelIndex = idx;
        }

        // Without a label column named or a HasHeader given, the first row is a header when its cells (the label's aside)
        // hold names and no number: a data row with one bad cell ("5.1,,1.4" or "abc,3.5,1.4") is data, and its bad cell
        // is reported, rather than silently dropped as a header.
        var firstCells = rows[0].Cells.Where((c, j) => j != labelIndex).ToList();
        bool header = o.HasHeader ?? (o.LabelColumn != null || (firstCells.Any(c => !IsNumber(c)) && !firstCells.Any(IsNumber)));
        string[] names;
        if (header)
        {
            names = rows[0].Cells;
            rows.RemoveAt(0);
            if (o.LabelColumn != null)
            {
                int idx = Array.IndexOf(names, o.LabelColumn);
                if (idx < 0) throw new DataFormatException($"{name}: label column '{o.LabelColumn}' expected in the header, found columns {string.Join(", ", names.Select(n => $"'{n}'"))}");
                labelIndex = idx;
            }
        }
        else names = Enumerable.Range(0, width).Select(j => $"column{j}").ToArray();

        if (rows.Count == 0) throw new DataFormatException($"{name}: only a header line ({string.Join(",", names)}), no data rows");
        int n = rows.Count, f = width - (labelIndex is null ? 0 : 1);
        var features = new float[(long)n * f <= Array.MaxLength ? n * f : throw new DataFormatException($"{name}: {n} rows x {f} columns is too large")];
        var labelCells = labelIndex is null ? null : new string[n];
        for (int r = 0; r < n; r++)
        {
            var (line, cells) = rows[r];
            if (cells.Length != width)
                throw new DataFormatException($"{name}: line {line}: {width} cells expected (as in the first row), found {cells.Length}");
            if (labelCells is not null) labelCells[r] = cells[labelIndex!.Value];
        }
        // The label column is checked before the features: with a wrong label column (a measurement), the class column
        // is among the features, and "not class labels" names the mistake where "a number expected, found 'setosa'" would not.
        if (labelCells is not null && !o.RegressionTarget) CheckClassLabels(labelCells, rows, labelIndex!.Value, names[labelIndex.Value], name);
        for (int r = 0; r < n; r++)
        {
            var (line, cells) = rows[r];
            int k = 0;
            for (int j = 0; j < width; j++)
            {
                if (j == labelIndex) continue;
                if (!double.TryParse(cells[j], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                    throw new DataFormatException($"{name}: line {line}, column {j + 1} ('{names[j]}'): a number expected, found '{cells[j]}'");
                float value = (float)v;
                if (!float.IsFinite(value))
                    throw new DataFormatException(double.IsFinite(v)
                        ? $"{name}: line {line}, column {j + 1} ('{names[j]}'): '{cells[j]}' is beyond float32's range (±3.4e38)"
                        : $"{name}: line {line}, column {j + 1} ('{names[j]}'): a finite number expected, found '{cells[j]}' (missing values are not supported: remove or fill them in)");
                features[r * f + k++] = value;
            }
        }
        var featureNames = names.Where((_, j) => j != labelIndex).ToArray();
        var x = Tensor.Wrap(features, n, f);
        if (labelCells is null) return new CsvData(x, featureNames, null, null, null, null);
        string labelName = names[labelIndex!.Value];

        if (o.RegressionTarget)
        {
            var t = new float[n];
            for (int r = 0; r < n; r++)
                if (!double.TryParse(labelCells[r], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !float.IsFinite((float)v))
                    throw new DataFormatException($"{name}: line {rows[r].Line}, column {labelIndex + 1} ('{labelName}'): a finite numeric target expected, found '{labelCells[r]}'");
                else t[r] = (float)v;
            return new CsvData(x, featureNames, labelName, null, null, Tensor.Wrap(t, n, 1));
        }

        var labels = new int[n];
        var codes = new long[n];
        bool integral = true;
        for (int r = 0; r < n && integral; r++)
            integral = long.TryParse(labelCells[r], NumberStyles.None, CultureInfo.InvariantCulture, out codes[r]);
        if (integral && codes.Max() < MaxDirectClassIndex)
        {
            for (int r = 0; r < n; r++) labels[r] = (int)codes[r];
            return new CsvData(x, featureNames, labelName, labels, null, null);
        }
        // Large integer codes (IDs, years) would make a model with that many outputs: they become class names in numeric
        // order, one class per value ("7" and "007" are the same class, named "7"); other labels in ordinal order.
        string[] classes = integral
            ? Encode(codes, Comparer<long>.Default, labels).Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray()
            : Encode(labelCells, StringComparer.Ordinal, labels);
        return new CsvData(x, featureNames, labelName, labels, classes, null);
    }

    /// <summary>Sorted distinct keys; <paramref name="labels"/>[r] receives the index of <paramref name="keys"/>[r] among them.</summary>
    private static T[] Encode<T>(T[] keys, IComparer<T> order, int[] labels) where T : notnull
    {
        var distinct = keys.Distinct().Order(order).ToArray();
        var index = new Dictionary<T, int>();
        for (int i = 0; i < distinct.Length; i++) index[distinct[i]] = i;
        for (int r = 0; r < keys.Length; r++) labels[r] = index[keys[r]];
        return distinct;
    }

    /// <summary>
    /// Class labels must name classes: an empty cell, NaN or an infinity is no class, and a column of numbers with
    /// fractional parts (a measurement such as 0.2 or 1.5) is a continuous quantity, not a set of classes.
    /// </summary>
    private static void CheckClassLabels(string[] cells, List<(int Line, string[] Cells)> rows, int column, string labelName, string name)
    {
        bool allNumbers = true;
        int fractional = -1;
        for (int r = 0; r < cells.Length; r++)
        {
            string c = cells[r];
            bool number = double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out double v);
            if (c.Length == 0 || (number && !double.IsFinite(v)) || c.TrimStart('+', '-').Equals("inf", StringComparison.OrdinalIgnoreCase))
                throw new DataFormatException($"{name}: line {rows[r].Line}, column {column + 1} ('{labelName}'): a class label expected, found '{c}' (missing labels are not supported)");
            if (!number) allNumbers = false;
            else if (fractional < 0 && v != Math.Floor(v)) fractional = r;
        }
        if (allNumbers && fractional >= 0)
            throw new DataFormatException($"{name}: the label column '{labelName}' (column {column + 1}) holds numbers with fractional parts such as '{cells[fractional]}' (line {rows[fractional].Line}): a continuous quantity, not class labels");
    }

    /// <summary>The separator of a file whose first line is <paramref name="line"/>: ',' when present, else ';', else tab, else ','.</summary>
    private static char DetectDelimiter(string line) =>
        line.Contains(',') ? ',' : line.Contains(';') ? ';' : line.Contains('\t') ? '\t' : ',';

    private static bool IsNumber(string s) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static string[] SplitLine(string line, char delimiter, string name, int lineNo)
    {
        var cells = new List<string>();
        var sb = new StringBuilder();
        int i = 0;
        while (true)
        {
            sb.Clear();
            while (i < line.Length && line[i] == ' ') i++;
            if (i < line.Length && line[i] == '"')
            {
                int col = cells.Count + 1;
                i++;
                while (true)
                {
                    if (i >= line.Length) throw new DataFormatException($"{name}: line {lineNo}, column {col}: closing quote expected, found the end of the line");
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    sb.Append(line[i++]);
                }
                while (i < line.Length && line[i] == ' ') i++;
                if (i < line.Length && line[i] != delimiter)
                    throw new DataFormatException($"{name}: line {lineNo}, column {col}: '{delimiter}' expected after a quoted cell, found '{line[i]}'");
                cells.Add(sb.ToString());
            }
            else
            {
                int start = i;
                while (i < line.Length && line[i] != delimiter) i++;
                cells.Add(line[start..i].Trim());
            }
            if (i >= line.Length) break;
            i++; // the delimiter
        }
        return cells.ToArray();
    }
}
