using System.Text;
using Xunit;
using static Nabla.Tests.Reliability.BadInputFiles;

namespace Nabla.Tests.Reliability;

/// <summary>
/// The table of bad inputs for the `nabla` command (see <see cref="CliBadInputCheck"/> for what each must give), in three
/// groups run by three test classes in parallel: <see cref="Data"/> (data files), <see cref="Runs"/> (run folders,
/// checkpoints, locks, interrupted and diverged runs) and <see cref="Flags"/> (command lines and JSON architectures).
/// </summary>
public static class CliBadInputCases
{
    private const int Usage = 2, Failed = 1;

    // Declared before the tables: static fields are initialized in order.
    private static readonly string Iris30 = Nabla.Tests.Cli.CliSandbox.IrisLike(30);

    /// <summary>Non-finite, out-of-range and missing cell values, with the text the error quotes.</summary>
    private static readonly (string Cell, string Quoted, string Label)[] BadCells =
    [
        ("NaN", "NaN", "NaN"), ("nan", "nan", "lowercase nan"), ("Infinity", "Infinity", "Infinity"), ("-Infinity", "-Infinity", "-Infinity"),
        ("inf", "inf", "inf"), ("-inf", "-inf", "-inf"), ("1e309", "1e309", "1e309 (double overflow)"), ("-1e309", "-1e309", "-1e309"),
        ("1e39", "1e39", "1e39 (beyond float32)"), ("-1e39", "-1e39", "-1e39"), ("", "", "empty cell"), ("   ", "", "blank cell"),
        ("\"\"", "", "quoted empty cell"), ("NA", "NA", "NA"), ("null", "null", "null"), ("?", "?", "question mark"),
    ];

    private static readonly string[] IrisColumns = ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"];

    public static readonly IReadOnlyList<BadInputCase> Data = [.. CsvTrain(), .. CsvPredict(), .. CsvMalformed(), .. Labels(), .. IdxCases(), .. ImageFolders(), .. PngPgm()];
    public static readonly IReadOnlyList<BadInputCase> Runs = [.. OutFolders(), .. Locks(), .. Checkpoints(), .. Resume(), .. RunJson(), .. Diverged(), .. NanWeights()];
    public static readonly IReadOnlyList<BadInputCase> Flags = [.. TrainFlags(), .. OtherFlags(), .. Commands(), .. JsonArchitectures()];

    private static readonly Dictionary<string, BadInputCase> ById = Data.Concat(Runs).Concat(Flags).ToDictionary(c => c.Id);

    public static BadInputCase Get(string id) => ById[id];

    public static TheoryData<string> Group(IEnumerable<BadInputCase> cases)
    {
        var d = new TheoryData<string>();
        foreach (var c in cases) d.Add(c.Id);
        return d;
    }

    private static BadInputCase C(string category, string name, int exit, string[] fragments, Action<CaseContext>? setup, params string[] args) =>
        new(category, name, args, exit, fragments, setup);

    private static string[] M(params string[] f) => f;

    // ---------------------------------------------------------------- data files

    private static IEnumerable<BadInputCase> CsvTrain()
    {
        (int Line, int Column)[] places = [(2, 1), (17, 2), (31, 4), (9, 3)];
        for (int i = 0; i < BadCells.Length; i++)
        {
            var (cell, quoted, label) = BadCells[i];
            var (line, col) = places[i % places.Length];
            yield return C("csv-train", $"{label} at line {line}, column {col}", Failed,
                M("bad.csv", $"line {line}, column {col} ('{IrisColumns[col - 1]}')", $"'{quoted}'"),
                x => x.Write("bad.csv", WithCell(Iris30, line, col, cell)),
                "train", "--dataset", "bad.csv", "--epochs", "1", "--out", "run");
        }
        yield return C("csv-train", "NaN in a semicolon-separated file", Failed, M("line 5, column 3 ('petal_length')", "'NaN'"),
            x => x.Write("bad.csv", WithCell(Nabla.Tests.Cli.CliSandbox.IrisLike(30, ';'), 5, 3, "NaN", ';')),
            "train", "--dataset", "bad.csv", "--epochs", "1", "--out", "run");
        yield return C("csv-train", "inf in a tab-separated file", Failed, M("line 6, column 1 ('sepal_length')", "'inf'"),
            x => x.Write("bad.csv", WithCell(Nabla.Tests.Cli.CliSandbox.IrisLike(30, '\t'), 6, 1, "inf", '\t')),
            "train", "--dataset", "bad.csv", "--epochs", "1", "--out", "run");
        yield return C("csv-train", "NaN after a UTF-8 byte-order mark names the first column plainly", Failed, M("line 2, column 1 ('sepal_length')", "'NaN'"),
            x => x.Write("bad.csv", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(WithCell(Iris30, 2, 1, "NaN"))]),
            "train", "--dataset", "bad.csv", "--epochs", "1", "--out", "run");
        yield return C("csv-train", "NaN in a file with CRLF line ends", Failed, M("line 4, column 2 ('sepal_width')", "'NaN'"),
            x => x.Write("bad.csv", WithCell(Iris30, 4, 2, "NaN").Replace("\n", "\r\n")),
            "train", "--dataset", "bad.csv", "--epochs", "1", "--out", "run");
        yield return C("csv-train", "lr-search on a CSV with NaN", Failed, M("line 3, column 2 ('sepal_width')"),
            x => x.Write("bad.csv", WithCell(Iris30, 3, 2, "NaN")), "lr-search", "--dataset", "bad.csv", "--out", "lr");
        yield return C("csv-train", "lr-search on a CSV with 1e39", Failed, M("beyond float32's range"),
            x => x.Write("bad.csv", WithCell(Iris30, 3, 4, "1e39")), "lr-search", "--dataset", "bad.csv", "--out", "lr");
        yield return C("csv-train", "eval of a run on another CSV with NaN", Failed, M("line 12, column 3 ('petal_length')"),
            x => { x.IrisRun(); x.Write("bad.csv", WithCell(Iris30, 12, 3, "NaN")); }, "eval", "--run", "run", "--dataset", "bad.csv");
        yield return C("csv-train", "eval of a run on another CSV with an empty cell", Failed, M("line 20, column 1 ('sepal_length')"),
            x => { x.IrisRun(); x.Write("bad.csv", WithCell(Iris30, 20, 1, "")); }, "eval", "--run", "run", "--dataset", "bad.csv");
    }

    private static IEnumerable<BadInputCase> CsvPredict()
    {
        foreach (var (cell, quoted, label) in BadCells)
            yield return C("csv-predict", $"{label} in a row", Failed, M("rows.csv", "line 2, column 2 ('column1')", $"'{quoted}'"),
                x => { x.IrisRun(); x.Write("rows.csv", $"5.1,3.5,1.4,0.2\n6.0,{cell},4.5,1.5\n"); }, "predict", "--run", "run", "rows.csv");
        yield return C("csv-predict", "empty cell in the first row", Failed, M("rows.csv", "line 1, column 2"),
            x => { x.IrisRun(); x.Write("rows.csv", "5.1,,1.4,0.2\n6.0,3.0,4.5,1.5\n"); }, "predict", "--run", "run", "rows.csv");
        yield return C("csv-predict", "text in a numeric cell of the first row", Failed, M("rows.csv", "line 1, column 1", "'abc'"),
            x => { x.IrisRun(); x.Write("rows.csv", "abc,3.5,1.4,0.2\n6.0,3.0,4.5,1.5\n"); }, "predict", "--run", "run", "rows.csv");
        yield return C("csv-predict", "text in a numeric cell", Failed, M("rows.csv", "line 3, column 4", "'wide'"),
            x => { x.IrisRun(); x.Write("rows.csv", "5.1,3.5,1.4,0.2\n6.0,3.0,4.5,1.5\n6.1,3.1,4.6,wide\n"); }, "predict", "--run", "run", "rows.csv");
        yield return C("csv-predict", "3 columns for a 4-feature model", Usage, M("'rows.csv' has 3 columns; the model takes 4 features"),
            x => { x.IrisRun(); x.Write("rows.csv", "5.1,3.5,1.4\n6.0,3.0,4.5\n"); }, "predict", "--run", "run", "rows.csv");
        yield return C("csv-predict", "6 columns for a 4-feature model", Usage, M("has 6 columns"),
            x => { x.IrisRun(); x.Write("rows.csv", "5.1,3.5,1.4,0.2,1,2\n6.0,3.0,4.5,1.5,1,2\n"); }, "predict", "--run", "run", "rows.csv");
        yield return C("csv-predict", "a ragged row", Failed, M("rows.csv", "line 2: 4 cells expected", "found 3"),
            x => { x.IrisRun(); x.Write("rows.csv", "5.1,3.5,1.4,0.2\n6.0,3.0,4.5\n"); }, "predict", "--run", "run", "rows.csv");
        yield return C("csv-predict", "an empty file", Failed, M("rows.csv", "no rows found"),
            x => { x.IrisRun(); x.Write("rows.csv", ""); }, "predict", "--run", "run", "rows.csv");
        yield return C("csv-predict", "a header without rows", Failed, M("rows.csv", "only a header line"),
            x => { x.IrisRun(); x.Write("rows.csv", "a,b,c,d\n"); }, "predict", "--run", "run", "rows.csv");
        yield return C("csv-predict", "an unclosed quote", Failed, M("rows.csv", "line 2, column 3: closing quote expected"),
            x => { x.IrisRun(); x.Write("rows.csv", "5.1,3.5,1.4,0.2\n6.0,3.0,\"4.5,1.5\n"); }, "predict", "--run", "run", "rows.csv");
        yield return C("csv-predict", "CSV rows for an image model", Usage, M("takes images [1,28,28], not CSV rows"),
            x => { x.MnistRun(); x.Write("rows.csv", "5.1,3.5,1.4,0.2\n"); }, "predict", "--run", "mrun", "rows.csv");
        yield return C("csv-predict", "a NaN row after a good file", Failed, M("bad.csv", "line 1, column 3", "'NaN'"),
            x => { x.IrisRun(); x.Write("good.csv", "5.1,3.5,1.4,0.2\n"); x.Write("bad.csv", "5.1,3.5,NaN,0.2\n"); }, "predict", "--run", "run", "good.csv", "bad.csv");
    }

    private static IEnumerable<BadInputCase> CsvMalformed()
    {
        BadInputCase Train(string name, int exit, string[] fragments, Action<CaseContext> setup) =>
            C("csv-malformed", name, exit, fragments, setup, "train", "--dataset", "bad.csv", "--epochs", "1", "--out", "run");
        string Lines(Func<string[], string[]> f) => string.Join('\n', f(Iris30.Split('\n')));

        yield return Train("a row with an extra cell", Failed, M("bad.csv: line 5: 5 cells expected (as in the first row), found 6"),
            x => x.Write("bad.csv", Lines(l => { l[4] += ",1.0"; return l; })));
        yield return Train("a row with a missing cell", Failed, M("line 8: 5 cells expected", "found 4"),
            x => x.Write("bad.csv", Lines(l => { l[7] = l[7][..l[7].LastIndexOf(',')]; return l; })));
        yield return Train("a header with fewer names than the rows have cells", Failed, M("line 2: 4 cells expected", "found 5"),
            x => x.Write("bad.csv", Lines(l => { l[0] = "a,b,c,species"; return l; })));
        yield return Train("an unclosed quote", Failed, M("line 7, column 1: closing quote expected"),
            x => x.Write("bad.csv", Lines(l => { l[6] = "\"" + l[6]; return l; })));
        yield return Train("text after a closing quote", Failed, M("line 7, column 1: ',' expected after a quoted cell, found 'x'"),
            x => x.Write("bad.csv", Lines(l => { l[6] = "\"5.1\"x" + l[6][l[6].IndexOf(',')..]; return l; })));
        yield return Train("text in a numeric column", Failed, M("line 9, column 3 ('petal_length'): a number expected, found 'abc'"),
            x => x.Write("bad.csv", WithCell(Iris30, 9, 3, "abc")));
        yield return Train("a decimal comma in a semicolon file", Failed, M("line 4, column 2 ('sepal_width'): a number expected, found '3,5'"),
            x => x.Write("bad.csv", WithCell(Nabla.Tests.Cli.CliSandbox.IrisLike(30, ';'), 4, 2, "3,5", ';')));
        yield return Train("a quoted thousands separator", Failed, M("line 4, column 1 ('sepal_length'): a number expected, found '1,000'"),
            x => x.Write("bad.csv", WithCell(Iris30, 4, 1, "\"1,000\"")));
        yield return Train("a hexadecimal number", Failed, M("a number expected, found '0x1F'"),
            x => x.Write("bad.csv", WithCell(Iris30, 10, 2, "0x1F")));
        yield return Train("an empty file", Failed, M("bad.csv: no rows found"), x => x.Write("bad.csv", ""));
        yield return Train("a file of blank lines", Failed, M("bad.csv: no rows found"), x => x.Write("bad.csv", "\n  \n\t\n\n"));
        yield return Train("a header only", Failed, M("bad.csv: only a header line"), x => x.Write("bad.csv", "sepal_length,sepal_width,petal_length,petal_width,species\n"));
        yield return Train("a header and blank lines", Failed, M("only a header line"), x => x.Write("bad.csv", "a,b,species\n\n\n"));
        yield return Train("binary garbage", Failed, M("bad.csv"), x => x.Write("bad.csv", Garbage(4000, 5)));
        yield return Train("a ragged row after a byte-order mark", Failed, M("line 3: 5 cells expected", "found 2"),
            x => x.Write("bad.csv", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Lines(l => { l[2] = "1,setosa"; return l; }))]));
        yield return C("csv-malformed", "a .csv that is a folder", Usage, M("folder", "holds neither"),
            x => x.Mkdir("bad.csv"), "train", "--dataset", "bad.csv", "--epochs", "1", "--out", "run");
        yield return C("csv-malformed", "a missing .csv", Usage, M("--dataset: CSV file", "nope.csv' not found"),
            null, "train", "--dataset", "nope.csv", "--epochs", "1", "--out", "run");
        yield return C("csv-malformed", "a table with a .txt name", Usage, M("is a file but not a .csv file"),
            x => x.Write("iris.txt", Iris30), "train", "--dataset", "iris.txt", "--epochs", "1", "--out", "run");
        yield return C("csv-malformed", "a dataset path that does not exist", Usage, M("--dataset", "is not mnist, fashion-mnist"),
            null, "train", "--dataset", "nowhere/data", "--epochs", "1", "--out", "run");
        yield return C("csv-malformed", "an empty --dataset", Usage, M("--dataset: empty"), null, "train", "--dataset", "", "--out", "run");
    }

    /// <summary>Deterministic bytes of every value, newlines included.</summary>
    private static byte[] Garbage(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static IEnumerable<BadInputCase> Labels()
    {
        BadInputCase Train(string name, int exit, string[] fragments, Action<CaseContext> setup, params string[] extra) =>
            C("labels", name, exit, fragments, setup, ["train", "--dataset", "d.csv", "--epochs", "1", "--out", "run", .. extra]);

        yield return Train("no label column (the last column is a measurement)", Failed, M("'petal_width'", "not class labels", "--label"),
            x => x.Write("d.csv", Columns(Iris30, 0, 1, 2, 3)));
        for (int c = 0; c < 4; c++)
        {
            int col = c;
            yield return Train($"--label naming the continuous column {IrisColumns[col]}", Failed, M($"'{IrisColumns[col]}' (column {col + 1})", "not class labels"),
                x => x.Write("d.csv", Iris30), "--label", IrisColumns[col]);
            yield return Train($"--label {col}, the index of a continuous column", Failed, M($"'{IrisColumns[col]}'", "not class labels"),
                x => x.Write("d.csv", Iris30), "--label", col.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        yield return Train("--label naming no column", Failed, M("label column 'kind' expected in the header", "'species'"), x => x.Write("d.csv", Iris30), "--label", "kind");
        yield return Train("--label index past the last column", Failed, M("label column index 5 expected within the 5 columns"), x => x.Write("d.csv", Iris30), "--label", "5");
        yield return Train("--label index before the first column", Failed, M("label column index -6"), x => x.Write("d.csv", Iris30), "--label", "-6");
        yield return Train("--label by name on a file without header", Failed, M("label column 'species' expected in the header"),
            x => x.Write("d.csv", string.Join('\n', Iris30.Split('\n').Skip(1))), "--label", "species");
        yield return Train("one class", Failed, M("1 class ('setosa') found; a classifier needs at least 2"),
            x => x.Write("d.csv", Relabel(Iris30, "species", _ => "setosa")));
        yield return Train("one numeric class", Failed, M("1 class ('7') found"), x => x.Write("d.csv", Relabel(Iris30, "species", _ => "7")));
        foreach (var (cell, label) in new[] { ("NaN", "NaN"), ("", "empty"), ("inf", "inf"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"), ("nan", "lowercase nan") })
            yield return Train($"a {label} label", Failed, M("line 6, column 5 ('species'): a class label expected", $"found '{cell}'"),
                x => x.Write("d.csv", WithCell(Iris30, 6, 5, cell)));
        yield return Train("an identifier column as label", Failed, M("column 'id' of", "an identifier or a measurement, not classes"),
            x => x.Write("d.csv", Relabel(Iris30, "id", i => (1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        yield return Train("text identifiers as label", Failed, M("column 'name' of", "different values"),
            x => x.Write("d.csv", Relabel(Iris30, "name", i => $"flower-{i}")));
        yield return Train("fractional numbers as label", Failed, M("fractional parts", "not class labels"),
            x => x.Write("d.csv", Relabel(Iris30, "score", i => $"{i % 3}.5")));
        yield return Train("only a label column", Failed, M("no feature columns besides the label"),
            x => x.Write("d.csv", Columns(Iris30, 4)));
        yield return Train("only a numeric label column", Failed, M("no feature columns besides the label"),
            x => x.Write("d.csv", "class\n" + string.Join('\n', Enumerable.Range(0, 30).Select(i => (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture)))));
        yield return Train("--label empty", Failed, M("label column '' expected"), x => x.Write("d.csv", Iris30), "--label", "");
        yield return C("labels", "lr-search on one class", Failed, M("1 class ('setosa') found"),
            x => x.Write("d.csv", Relabel(Iris30, "species", _ => "setosa")), "lr-search", "--dataset", "d.csv", "--out", "lr");
        yield return C("labels", "lr-search with --label naming a measurement", Failed, M("'sepal_width'", "not class labels"),
            x => x.Write("d.csv", Iris30), "lr-search", "--dataset", "d.csv", "--label", "sepal_width", "--out", "lr");
    }

    private static IEnumerable<BadInputCase> IdxCases()
    {
        const string TrainImages = "train-images-idx3-ubyte.gz", TrainLabels = "train-labels-idx1-ubyte.gz", TestImages = "t10k-images-idx3-ubyte.gz", TestLabels = "t10k-labels-idx1-ubyte.gz";
        BadInputCase Idx(string name, string[] fragments, Func<int, IdxFile, IdxFile> damage, int exit = Failed) =>
            C("idx", name, exit, fragments, x => x.IdxFolder("mn", damage), "train", "--dataset", "mn", "--model", "mlp", "--epochs", "1", "--out", "run");
        Func<int, IdxFile, IdxFile> On(int file, Func<IdxFile, IdxFile> f) => (i, x) => i == file ? f(x) : x;
        byte[] Body(int n, int seed = 1) { var b = new byte[n]; new Random(seed).NextBytes(b); return b; }
        byte[] Labels(int n, Func<int, byte>? at = null) => Enumerable.Range(0, n).Select(k => at?.Invoke(k) ?? (byte)(k % 10)).ToArray();

        for (int f = 0; f < 4; f++)
        {
            int file = f;
            yield return Idx($"bad magic in {IdxNames[f]}", M(IdxNames[f] + ".gz", "not an IDX file"), On(file, x => x.WithRaw(r => Flip(r, 0))));
        }
        yield return Idx("float32 element type", M(TrainImages, "found 0x0d (float32, not supported)"), On(0, x => x.WithRaw(r => { r[2] = 0x0D; return r; })));
        yield return Idx("unknown element type", M(TrainLabels, "not an IDX element type"), On(1, x => x.WithRaw(r => { r[2] = 0x42; return r; })));
        yield return Idx("training images of rank 2", M(TrainImages, "3 dimensions expected, found 2"), On(0, x => x with { Raw = BadInputFiles.Idx(2, [60, 784], Body(60 * 784)) }));
        yield return Idx("test images of rank 4", M(TestImages, "3 dimensions expected, found 4"), On(2, x => x with { Raw = BadInputFiles.Idx(4, [20, 1, 28, 28], Body(20 * 784)) }));
        yield return Idx("training labels of rank 2", M(TrainLabels, "1 dimensions expected, found 2"), On(1, x => x with { Raw = BadInputFiles.Idx(2, [60, 1], Labels(60)) }));
        yield return Idx("test labels of rank 0", M(TestLabels, "1 dimensions expected, found 0"), On(3, x => x with { Raw = BadInputFiles.Idx(0, [], []) }));
        yield return Idx("27x28 training images", M(TrainImages, "28x28 images expected, found 27x28"), On(0, x => x with { Raw = BadInputFiles.Idx(3, [60, 27, 28], Body(60 * 27 * 28)) }));
        yield return Idx("28x29 test images", M(TestImages, "28x28 images expected, found 28x29"), On(2, x => x with { Raw = BadInputFiles.Idx(3, [20, 28, 29], Body(20 * 28 * 29)) }));
        yield return Idx("59 training labels for 60 images", M(TrainLabels, "60 labels expected (one per image of train-images-idx3-ubyte.gz), found 59"),
            On(1, x => x with { Raw = BadInputFiles.Idx(1, [59], Labels(59)) }));
        yield return Idx("21 test labels for 20 images", M(TestLabels, "20 labels expected", "found 21"), On(3, x => x with { Raw = BadInputFiles.Idx(1, [21], Labels(21)) }));
        yield return Idx("61 training images for 60 labels", M(TrainLabels, "61 labels expected", "found 60"), On(0, x => x with { Raw = BadInputFiles.Idx(3, [61, 28, 28], Body(61 * 784)) }));
        yield return Idx("a training label of 10", M(TrainLabels, "labels 0..9 expected, found 10 at record 5"), On(1, x => x with { Raw = BadInputFiles.Idx(1, [60], Labels(60, k => k == 5 ? (byte)10 : (byte)(k % 10))) }));
        yield return Idx("a test label of 255", M(TestLabels, "found 255 at record 19"), On(3, x => x with { Raw = BadInputFiles.Idx(1, [20], Labels(20, k => k == 19 ? (byte)255 : (byte)(k % 10))) }));
        yield return Idx("a raw training image file missing its last 100 bytes", M("train-images-idx3-ubyte", "truncated: header declares [60,28,28] = 47040 bytes of data, the file holds 46940"),
            On(0, x => x with { Name = "train-images-idx3-ubyte", Gzip = false, Raw = Cut(x.Raw, -100) }));
        yield return Idx("a raw label file with trailing bytes", M("train-labels-idx1-ubyte", "trailing bytes"),
            On(1, x => x with { Name = "train-labels-idx1-ubyte", Gzip = false, Raw = Append(x.Raw, 1, 2, 3) }));
        yield return Idx("a raw file cut in its header", M("t10k-images-idx3-ubyte", "truncated header"),
            On(2, x => x with { Name = "t10k-images-idx3-ubyte", Gzip = false, Raw = Cut(x.Raw, 9) }));
        yield return Idx("a raw file of 2 bytes", M("t10k-labels-idx1-ubyte", "a 4-byte IDX magic number expected, found 2 bytes"),
            On(3, x => x with { Name = "t10k-labels-idx1-ubyte", Gzip = false, Raw = Cut(x.Raw, 2) }));
        yield return Idx("gzip data with trailing bytes inside", M(TestLabels, "trailing data"), On(3, x => x.WithRaw(r => Append(r, 0, 0))));
        yield return Idx("a gzip file cut in half", M(TrainImages), On(0, x => x.OnDisk(b => Cut(b, b.Length / 2))));
        yield return Idx("a gzip file without its 8-byte trailer", M(TrainImages, "truncated in its trailer or has bytes appended"), On(0, x => x.OnDisk(b => Cut(b, -8))));
        yield return Idx("a gzip file without its last byte", M(TrainLabels, "truncated in its trailer or has bytes appended"), On(1, x => x.OnDisk(b => Cut(b, -1))));
        yield return Idx("a gzip file of its 10-byte header only", M(TestImages), On(2, x => x.OnDisk(b => Cut(b, 10))));
        foreach (int at in new[] { 12, 100, 20_000, -12 })
            yield return Idx($"a bit flipped in the deflate stream at byte {at}", M(TrainImages, "corrupt gzip data: the compressed stream or its CRC-32 does not check out"), On(0, x => x.OnDisk(b => Flip(b, at, 3))));
        yield return Idx("a bit flipped in the gzip CRC", M(TrainImages, "corrupt gzip data: the compressed stream or its CRC-32 does not check out"), On(0, x => x.OnDisk(b => Flip(b, -6, 1))));
        yield return Idx("a bit flipped in the gzip length field", M(TrainImages, "corrupt gzip data: the compressed stream or its CRC-32 does not check out"), On(0, x => x.OnDisk(b => Flip(b, -3, 2))));
        yield return Idx("a bit flipped in the compressed labels", M(TestLabels, "corrupt gzip data: the compressed stream or its CRC-32 does not check out"), On(3, x => x.OnDisk(b => Flip(b, 14, 5))));
        yield return Idx("a gzip file with garbage appended", M(TestLabels, "truncated in its trailer or has bytes appended"), On(3, x => x.OnDisk(b => Append(b, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42))));
        yield return Idx("an empty .gz file", M(TrainImages, "a 4-byte IDX magic number expected, found 0 bytes"), On(0, x => x.OnDisk(_ => [])));
        yield return Idx("an empty label file", M(TrainLabels, "found 0 bytes"), On(1, x => x.OnDisk(_ => [])));
        yield return Idx("text with a .gz name", M(TestImages, "not an IDX file"), On(2, x => x.OnDisk(_ => Encoding.ASCII.GetBytes("these are not the images you are looking for\n"))));
        yield return Idx("an HTML error page with a .gz name", M(TestLabels, "not an IDX file"), On(3, x => x.OnDisk(_ => Encoding.ASCII.GetBytes("<html><body>404 Not Found</body></html>"))));
        yield return Idx("the gzip magic followed by garbage", M(TrainImages, "corrupt gzip data", "damaged"), On(0, x => x.OnDisk(_ => [0x1f, 0x8b, .. Garbage(500, 3)])));
        yield return Idx("a header declaring 100000 images in a small file", M(TrainImages, "more than the compressed file can hold"),
            On(0, x => x.WithRaw(r => { System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(r.AsSpan(4), 100_000); return r; })));
        yield return Idx("a header declaring 2^31 images", M(TrainImages, "more than the limit"),
            On(0, x => x.WithRaw(r => { System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(r.AsSpan(4), int.MaxValue); return r; })));
        yield return Idx("a dimension of 2^32-1", M(TestImages, "dimension 0 declares 4294967295 elements"),
            On(2, x => x.WithRaw(r => { System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(r.AsSpan(4), uint.MaxValue); return r; })));
        yield return Idx("no training images at all", M("--dataset mn: no training examples (0 for training, 20 for testing)"),
            (i, x) => i == 0 ? x with { Raw = BadInputFiles.Idx(3, [0, 28, 28], []) } : i == 1 ? x with { Raw = BadInputFiles.Idx(1, [0], []) } : x);
        yield return C("idx", "the training labels missing", Failed, M("train-labels-idx1-ubyte(.gz) not found in"),
            x => x.IdxFolder("mn", omit: 1), "train", "--dataset", "mn", "--model", "mlp", "--epochs", "1", "--out", "run");
        yield return C("idx", "the test images missing", Failed, M("t10k-images-idx3-ubyte(.gz) not found in"),
            x => x.IdxFolder("mn", omit: 2), "train", "--dataset", "mn", "--model", "mlp", "--epochs", "1", "--out", "run");
        yield return C("idx", "a folder with only an unrelated -idx file", Failed, M("train-images-idx3-ubyte(.gz) not found in"),
            x => x.Write("mn/notes-idx.txt", "nothing"), "train", "--dataset", "mn", "--model", "mlp", "--epochs", "1", "--out", "run");
        yield return C("idx", "eval on a folder with bad test images", Failed, M(TestImages, "not an IDX file"),
            x => { x.MnistRun(); x.IdxFolder("mn", On(2, f => f.WithRaw(r => Flip(r, 1)))); }, "eval", "--run", "mrun", "--dataset", "mn");
        yield return C("idx", "eval on a folder with a test label of 12", Failed, M(TestLabels, "found 12 at record 0"),
            x => { x.MnistRun(); x.IdxFolder("mn", On(3, f => f with { Raw = BadInputFiles.Idx(1, [20], Labels(20, k => k == 0 ? (byte)12 : (byte)(k % 10))) })); }, "eval", "--run", "mrun", "--dataset", "mn");
        yield return C("idx", "eval on a folder without test labels", Failed, M("t10k-labels-idx1-ubyte(.gz) not found"),
            x => { x.MnistRun(); x.IdxFolder("mn", omit: 3); }, "eval", "--run", "mrun", "--dataset", "mn");
        yield return C("idx", "lr-search on a folder with bad magic", Failed, M(TrainLabels, "not an IDX file"),
            x => x.IdxFolder("mn", On(1, f => f.WithRaw(r => Flip(r, 1, 4)))), "lr-search", "--dataset", "mn", "--out", "lr");
    }

    private static IEnumerable<BadInputCase> ImageFolders()
    {
        BadInputCase Img(string name, int exit, string[] fragments, Action<CaseContext> setup, params string[] extra) =>
            C("image-folder", name, exit, fragments, setup, ["train", "--dataset", "imgs", "--model", "mlp", "--image-size", "8x8", "--epochs", "1", "--out", "run", .. extra]);
        string[] abc = ["a", "b", "c"];

        yield return Img("an empty folder", Usage, M("imgs' holds neither the four MNIST-layout IDX files", "nor one subfolder of images per class"), x => x.Mkdir("imgs"));
        yield return Img("images without class folders", Usage, M("holds neither"), x => { x.Write("imgs/1.png", ColourPng(0, 1)); x.Write("imgs/2.png", ColourPng(1, 1)); });
        yield return Img("only a hidden folder", Usage, M("holds neither"), x => x.ImageFolder("imgs/.cache", abc));
        yield return Img("one class", Failed, M("1 class subfolder ('a') found, at least 2 expected"), x => x.ImageFolder("imgs", ["a"]));
        yield return Img("a class folder holding only a text file", Failed, M("class folder 'c' holds no .png or .pgm images (1 other files ignored)"),
            x => { x.ImageFolder("imgs", ["a", "b"]); x.Write("imgs/c/readme.txt", "todo"); });
        yield return Img("an empty class folder", Failed, M("class folder 'b' holds no .png or .pgm images"), x => { x.ImageFolder("imgs", ["a", "c"]); x.Mkdir("imgs/b"); });
        yield return Img("a corrupt PNG in a class", Failed, M("b", "junk.png", "not a PNG file (signature missing)"),
            x => { x.ImageFolder("imgs", abc); x.Write("imgs/b/junk.png", Garbage(300, 9)); });
        yield return Img("a zero-byte PNG", Failed, M("empty.png", "empty file (0 bytes)"), x => { x.ImageFolder("imgs", abc); x.Write("imgs/c/empty.png", []); });
        yield return Img("a zero-byte PGM", Failed, M("empty.pgm", "empty file (0 bytes)"), x => { x.ImageFolder("imgs", abc); x.Write("imgs/a/empty.pgm", []); });
        yield return Img("a truncated PNG", Failed, M("3.png", "more than the file holds"), x => { x.ImageFolder("imgs", abc); x.Mutate("imgs/b/3.png", b => Cut(b, b.Length - 30)); });
        yield return Img("a PNG with a CRC mismatch", Failed, M("2.png", "CRC mismatch in chunk 'IDAT'"), x => { x.ImageFolder("imgs", abc); x.Mutate("imgs/a/2.png", b => Flip(b, 50)); });
        yield return Img("a PGM with a bad header", Failed, M("bad.pgm", "width expected at byte"), x => { x.ImageFolder("imgs", abc); x.Write("imgs/b/bad.pgm", "P5\nwide 28\n255\n"); });
        yield return Img("a PGM named .png", Failed, M("x.png", "not a PNG file"), x => { x.ImageFolder("imgs", abc); x.Write("imgs/c/x.png", GrayPgm()); });
        yield return Img("a corrupt first image, colour mode inferred", Failed, M("0.png", "not a PNG file"),
            x => { x.ImageFolder("imgs", abc); x.Write("imgs/a/0.png", Garbage(100, 2)); });
        yield return Img("a PNG declaring 100000x100000 pixels", Failed, M("huge.png", "100000x100000", "above the limit"),
            x => { x.ImageFolder("imgs", abc); x.Write("imgs/b/huge.png", PngFrom(100_000, 100_000, 8, 0, 0, GrayRows(4, 4))); });
        yield return Img("test/ with a class train/ lacks", Failed, M("class 'd' has no folder in", "train/ and test/ need the same class subfolders"),
            x => { x.ImageFolder("imgs/train", abc); x.ImageFolder("imgs/test", ["a", "b", "c", "d"], 2); });
        yield return Img("train/ with a class test/ lacks", Failed, M("no folder for class 'c'", "need the same class subfolders"),
            x => { x.ImageFolder("imgs/train", abc); x.ImageFolder("imgs/test", ["a", "b"], 2); });
        yield return Img("test/ without class folders", Failed, M("no class subfolders"), x => { x.ImageFolder("imgs/train", abc); x.Mkdir("imgs/test"); });
        yield return Img("train/ with one class", Failed, M("1 class subfolder ('a') found"), x => { x.ImageFolder("imgs/train", ["a"]); x.ImageFolder("imgs/test", ["a"], 2); });
        yield return Img("train/ and val/ but no test/", Failed, M("looks like a split folder"), x => { x.ImageFolder("imgs/train", abc); x.ImageFolder("imgs/val", abc, 2); });
        yield return Img("a bad image in test/", Failed, M("test", "broken.png", "not a PNG file"),
            x => { x.ImageFolder("imgs/train", abc); x.ImageFolder("imgs/test", abc, 2); x.Write("imgs/test/b/broken.png", "GIF89a"); });
        yield return Img("--channels 2", Usage, M("--channels: must be 1 (gray) or 3 (colour), got 2"), x => x.ImageFolder("imgs", abc), "--channels", "2");
        yield return C("image-folder", "eval of an image run on a one-class folder", Failed, M("1 class subfolder"),
            x => { x.ImageRun(); x.ImageFolder("imgs", ["red"]); }, "eval", "--run", "irun", "--dataset", "imgs");
        yield return C("image-folder", "eval of an image run on a folder with a zero-byte image", Failed, M("empty file (0 bytes)"),
            x => { x.ImageRun(); x.ImageFolder("imgs", ["blue", "green", "red"]); x.Write("imgs/green/z.png", []); }, "eval", "--run", "irun", "--dataset", "imgs");
    }

    private static IEnumerable<BadInputCase> PngPgm()
    {
        BadInputCase Predict(string name, int exit, string[] fragments, string file, byte[] bytes, string run = "mrun") =>
            C("png-pgm", name, exit, fragments, x =>
            {
                if (run == "mrun") x.MnistRun(); else if (run == "irun") x.ImageRun(); else x.IrisRun(run);
                x.Write(file, bytes);
            }, "predict", "--run", run, file);
        var good = GrayPng();
        byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

        yield return Predict("text with a .png name", Failed, M("x.png", "not a PNG file (signature missing)"), "x.png", Ascii("hello"));
        yield return Predict("a JPEG with a .png name", Failed, M("photo.png", "not a PNG file"), "photo.png", [0xFF, 0xD8, 0xFF, 0xE0, .. Garbage(200, 4)]);
        yield return Predict("the PNG signature only", Failed, M("x.png", "truncated at byte 8 (chunk header expected)"), "x.png", Cut(good, 8));
        yield return Predict("a PNG cut inside IHDR", Failed, M("x.png", "more than the file holds"), "x.png", Cut(good, 24));
        yield return Predict("a PNG cut inside IDAT", Failed, M("x.png", "more than the file holds"), "x.png", Cut(good, -20));
        yield return Predict("a PNG without IEND", Failed, M("x.png", "chunk header expected"), "x.png", Cut(good, -12));
        yield return Predict("a CRC mismatch in IHDR", Failed, M("x.png", "CRC mismatch in chunk 'IHDR'"), "x.png", Flip(good, 29));
        yield return Predict("a CRC mismatch in IDAT", Failed, M("x.png", "CRC mismatch in chunk 'IDAT'"), "x.png", Flip(good, 45));
        yield return Predict("a zero-byte PNG", Failed, M("x.png"), "x.png", []);
        yield return Predict("a PNG declaring 100000x100000 pixels", Failed, M("image size 100000x100000", "above the limit"), "x.png", PngFrom(100_000, 100_000, 8, 0, 0, GrayRows(4, 4)));
        yield return Predict("a PNG of width 0", Failed, M("image size 0x28 is invalid"), "x.png", PngFrom(0, 28, 8, 0, 0, GrayRows(1, 28)));
        yield return Predict("a negative PNG height", Failed, M("is invalid"), "x.png", PngFrom(28, -5, 8, 0, 0, GrayRows(28, 1)));
        yield return Predict("an interlaced PNG", Failed, M("interlaced (Adam7) PNGs are not supported"), "x.png", PngFrom(28, 28, 8, 0, 1, GrayRows(28, 28)));
        yield return Predict("bit depth 3", Failed, M("color type 0 with bit depth 3 is not valid PNG"), "x.png", PngFrom(28, 28, 3, 0, 0, GrayRows(28, 28)));
        yield return Predict("colour type 5", Failed, M("color type 5 with bit depth 8 is not valid PNG"), "x.png", PngFrom(28, 28, 8, 5, 0, GrayRows(28, 28)));
        yield return Predict("an unknown row filter", Failed, M("unknown filter type 7 on row 0"), "x.png", PngFrom(28, 28, 8, 0, 0, GrayRows(28, 28, 7)));
        yield return Predict("uncompressed IDAT data", Failed, M("corrupt compressed image data (the zlib stream of the IDAT chunks is damaged)"), "x.png", PngFrom(8, 8, 8, 0, 0, Garbage(72, 8), compress: false));
        yield return Predict("too little image data", Failed, M("image data holds 290 bytes, expected 812"), "x.png", PngFrom(28, 28, 8, 0, 0, GrayRows(28, 10)));
        yield return Predict("more pixels than the data could hold", Failed, M("more than", "compressed bytes can hold"), "x.png", PngFrom(5000, 5000, 8, 0, 0, GrayRows(4, 4)));
        yield return Predict("a palette image without PLTE", Failed, M("palette image without a PLTE chunk"), "x.png", PngFrom(28, 28, 8, 3, 0, GrayRows(28, 28)));
        yield return Predict("a palette index outside the palette", Failed, M("palette index 5 outside the 1-entry palette"), "x.png",
            PngFrom(2, 1, 8, 3, 0, [0, 5, 5], extraBeforeIdat: [("PLTE", [255, 255, 255])]));
        yield return Predict("no IHDR chunk", Failed, M("no IHDR chunk"), "x.png", [.. good[..8], .. good[^12..]]);
        yield return Predict("a chunk length of 2^31", Failed, M("chunk at byte 8 declares", "more than the file holds"), "x.png", Flip(good, 8, 7));
        yield return Predict("a PPM (P6) with a .pgm name", Failed, M("x.pgm", "not a PGM file (magic P5 or P2 expected)"), "x.pgm", Ascii("P6\n28 28\n255\n"));
        yield return Predict("a PGM without maxval", Failed, M("maxval expected at byte"), "x.pgm", Ascii("P5\n28 28\n"));
        yield return Predict("a PGM with maxval 0", Failed, M("maxval 0 is outside 1..65535"), "x.pgm", Ascii("P5\n28 28\n0\n"));
        yield return Predict("a PGM with maxval 70000", Failed, M("maxval 70000 is outside 1..65535"), "x.pgm", Ascii("P2\n2 2\n70000\n1 2 3 4\n"));
        yield return Predict("a PGM of width 0", Failed, M("image size 0x28 is invalid"), "x.pgm", Ascii("P5\n0 28\n255\n"));
        yield return Predict("a PGM missing pixel data", Failed, M("truncated: 28x28 pixels need 784 bytes"), "x.pgm", Cut(GrayPgm(), -100));
        yield return Predict("a plain PGM with a word for a pixel", Failed, M("pixel expected at byte"), "x.pgm", Ascii("P2\n2 2\n255\n1 2 three 4\n"));
        yield return Predict("a PGM of its magic only", Failed, M("width expected at byte 2"), "x.pgm", Ascii("P5"));
        yield return Predict("a PGM declaring 100000x100000 pixels", Failed, M("image size 100000x100000 is invalid or too large"), "x.pgm", Ascii("P5\n100000 100000\n255\n"));
        yield return Predict("a zero-byte PGM", Failed, M("x.pgm", "not a PGM file"), "x.pgm", []);
        yield return Predict("a PNG named .jpg", Usage, M("'x.jpg': expected a .png, .pgm or .csv file"), "x.jpg", good);
        yield return Predict("a PNG named .bmp", Usage, M("expected a .png, .pgm or .csv file"), "x.bmp", good);
        yield return Predict("a PNG without extension", Usage, M("'digit': expected a .png, .pgm or .csv file"), "digit", good);
        yield return Predict("a text file", Usage, M("'notes.txt': expected a .png"), "notes.txt", Ascii("3"));
        yield return Predict("an image for a CSV model", Usage, M("the model takes inputs of shape [4], not images"), "x.png", good, run: "run");
        yield return Predict("image-folder run: a zero-byte PNG", Failed, M("x.png", "empty file (0 bytes)"), "x.png", [], run: "irun");
        yield return Predict("image-folder run: text with a .png name", Failed, M("x.png", "not a PNG file"), "x.png", Ascii("not an image"), run: "irun");
        yield return Predict("image-folder run: a CRC mismatch", Failed, M("CRC mismatch"), "x.png", Flip(ColourPng(0, 0), 40), run: "irun");
        yield return Predict("image-folder run: an interlaced PNG", Failed, M("interlaced"), "x.png", PngFrom(8, 8, 8, 0, 1, GrayRows(8, 8)), run: "irun");
        yield return Predict("image-folder run: a bad PGM header", Failed, M("x.pgm", "height expected"), "x.pgm", Ascii("P5 8 \n"), run: "irun");
        yield return C("png-pgm", "a missing image", Usage, M("predict: file 'nope.png' not found"), x => x.MnistRun(), "predict", "--run", "mrun", "nope.png");
        yield return C("png-pgm", "a folder named like an image", Usage, M("file 'dir.png' not found"), x => { x.MnistRun(); x.Mkdir("dir.png"); }, "predict", "--run", "mrun", "dir.png");
        yield return C("png-pgm", "a bad image after a good one", Failed, M("b.png", "not a PNG file"),
            x => { x.MnistRun(); x.Write("a.png", GrayPng()); x.Write("b.png", Ascii("junk")); }, "predict", "--run", "mrun", "a.png", "b.png");
        yield return C("png-pgm", "a missing image after a good one", Usage, M("file 'b.png' not found"),
            x => { x.MnistRun(); x.Write("a.png", GrayPng()); }, "predict", "--run", "mrun", "a.png", "b.png");
    }

    // ---------------------------------------------------------------- run folders

    private static IEnumerable<BadInputCase> OutFolders()
    {
        BadInputCase Out(string name, int exit, string[] fragments, Action<CaseContext> setup, params string[] args) =>
            C("out", name, exit, fragments, x => { x.Iris(); setup(x); },
                ["train", .. args.Contains("--dataset") ? Array.Empty<string>() : ["--dataset", "iris.csv"], "--epochs", "1", .. args]);

        yield return Out("an existing run", Usage, M("--out: run already holds a run", "--force"), x => x.IrisRun(), "--out", "run");
        yield return Out("an existing run with a trailing slash", Usage, M("already holds a run"), x => x.IrisRun(), "--out", "run/");
        yield return Out("an existing run named by its .partial", Usage, M("already holds a run"), x => x.IrisRun(), "--out", "run.partial");
        yield return Out("an existing run in a subfolder", Usage, M("runs/first already holds a run"), x => x.IrisRun("runs/first"), "--out", "runs/first");
        yield return Out("an empty --out", Usage, M("--out: the run folder path is empty"), _ => { }, "--out", "");
        yield return Out("a blank --out", Usage, M("--out: the run folder path is empty"), _ => { }, "--out", "   ");
        yield return Out("the file-system root", Usage, M("--out: '/' cannot be a run folder"), _ => { }, "--out", "/");
        yield return Out("a file", Usage, M("--out: notes.txt is a file, not a folder"), x => x.Write("notes.txt", "keep"), "--out", "notes.txt");
        yield return Out("a file, with --force", Usage, M("is a file, not a folder"), x => x.Write("notes.txt", "keep"), "--out", "notes.txt", "--force");
        yield return Out("a file with a trailing slash", Usage, M("is a file, not a folder"), x => x.Write("notes.txt", "keep"), "--out", "notes.txt/");
        yield return Out("a folder that is not a run", Usage, M("--out: notes exists and is not a run folder (no run.json)"), x => x.Write("notes/todo.txt", "keep"), "--out", "notes");
        yield return Out("a folder that is not a run, with --force", Usage, M("is not a run folder", "nothing was written"), x => x.Write("notes/todo.txt", "keep"), "--out", "notes", "--force");
        yield return Out("a folder holding only a subfolder, with --force", Usage, M("is not a run folder"), x => x.Mkdir("notes/sub"), "--out", "notes", "--force");
        yield return Out("an interrupted run", Usage, M("--out: an interrupted run is in run.partial", "--resume run"), x => x.InterruptedRun(), "--out", "run");
        yield return Out("below a file", Usage, M("--out: notes.txt/run cannot be made:", "notes.txt is a file, not a folder"), x => x.Write("notes.txt", "keep"), "--out", "notes.txt/run");
        yield return Out("two levels below a file", Usage, M("notes.txt is a file, not a folder"), x => x.Write("notes.txt", "keep"), "--out", "notes.txt/a/run");
        yield return Out("an existing run replaced by --force with a bad CSV", Failed, M("bad.csv", "line 4, column 2"),
            x => { x.IrisRun(); x.Write("bad.csv", WithCell(Iris30, 4, 2, "NaN")); }, "--dataset", "bad.csv", "--out", "run", "--force");
        yield return Out("an existing run replaced by --force with an unknown model", Usage, M("--model: unknown model 'bogus'"), x => x.IrisRun(), "--model", "bogus", "--out", "run", "--force");
        yield return Out("an interrupted run replaced by --force with a one-class CSV", Failed, M("1 class ('setosa') found"),
            x => { x.InterruptedRun(); x.Write("one.csv", Relabel(Iris30, "species", _ => "setosa")); }, "--dataset", "one.csv", "--out", "run", "--force");
        yield return C("out", "lr-search with an empty --out", Usage, M("--out: the folder path is empty"), null, "lr-search", "--out", "");
    }

    private static IEnumerable<BadInputCase> Locks()
    {
        yield return C("lock", "a new run whose lock is held", Usage, M("--out: run is in use by another 'nabla train' (lock run.lock is held)"),
            x => { x.Iris(); x.HoldLock("run"); }, "train", "--dataset", "iris.csv", "--epochs", "1", "--out", "run");
        yield return C("lock", "--force on a run whose lock is held", Usage, M("in use by another 'nabla train'"),
            x => { x.Iris(); x.IrisRun(); x.HoldLock("run"); }, "train", "--dataset", "iris.csv", "--epochs", "1", "--out", "run", "--force");
        yield return C("lock", "a held lock named with a trailing slash", Usage, M("in use by another"),
            x => { x.Iris(); x.HoldLock("run"); }, "train", "--dataset", "iris.csv", "--epochs", "1", "--out", "run/");
        yield return C("lock", "a held lock named by .partial", Usage, M("in use by another"),
            x => { x.Iris(); x.HoldLock("run"); }, "train", "--dataset", "iris.csv", "--epochs", "1", "--out", "run.partial");
        yield return C("lock", "--resume of a finished run whose lock is held", Usage, M("--resume: run is in use by another 'nabla train'"),
            x => { x.IrisRun(); x.HoldLock("run"); }, "train", "--resume", "run", "--epochs", "5");
        yield return C("lock", "--resume of an interrupted run whose lock is held", Usage, M("--resume: run is in use by another"),
            x => { x.InterruptedRun(); x.HoldLock("run"); }, "train", "--resume", "run", "--epochs", "5");
        yield return C("lock", "--resume by .partial whose lock is held", Usage, M("in use by another"),
            x => { x.InterruptedRun(); x.HoldLock("run"); }, "train", "--resume", "run.partial", "--epochs", "5");
    }

    /// <summary>Damages of a checkpoint file, with the text the error names.</summary>
    private static IEnumerable<(string Name, string[] Fragments, Action<CaseContext, string> Damage, int Exit)> CheckpointDamages()
    {
        yield return ("emptied", M("0 bytes is too short"), (x, p) => x.Mutate(p, _ => []), Failed);
        yield return ("cut to 5 bytes", M("5 bytes is too short"), (x, p) => x.Mutate(p, b => Cut(b, 5)), Failed);
        yield return ("cut to its length field", M("header length", "exceeds the file"), (x, p) => x.Mutate(p, b => Cut(b, 8)), Failed);
        yield return ("cut inside its header", M("exceeds the file"), (x, p) => x.Mutate(p, b => Cut(b, 200)), Failed);
        yield return ("cut inside its data", M("fall outside the"), (x, p) => x.Mutate(p, b => Cut(b, -100)), Failed);
        yield return ("missing its last byte", M("fall outside the"), (x, p) => x.Mutate(p, b => Cut(b, -1)), Failed);
        yield return ("with a bit flipped in the header length", M("exceeds the file"), (x, p) => x.Mutate(p, b => Flip(b, 5)), Failed);
        yield return ("with its header's opening brace flipped", M("the header is not valid JSON"), (x, p) => x.Mutate(p, b => Flip(b, 8, 1)), Failed);
        yield return ("with a bit flipped in a weight", M("checksum mismatch", "the file is damaged"), (x, p) => x.Mutate(p, b => Flip(b, -7, 4)), Failed);
        yield return ("with a bit flipped in the architecture metadata", M("metadata checksum mismatch"),
            (x, p) => x.Mutate(p, b => Flip(b, IndexOf(b, "linear") + 1, 0)), Failed);
        yield return ("replaced by random bytes", M("exceeds the file"), (x, p) => x.Mutate(p, b => Garbage(b.Length, 12)), Failed);
        yield return ("replaced by a safetensors file without checksum", M("no checksum", "not a Nabla checkpoint"), (x, p) => x.Mutate(p, _ => [8, 0, 0, 0, 0, 0, 0, 0, .. "{}      "u8]), Failed);
        yield return ("replaced by another model's", M("does not fit the model"),
            (x, p) => File.Copy(Path.Combine(BadInputFixtures.Shared.MnistRun, "model.safetensors"), x[p], overwrite: true), Failed);
    }

    private static int IndexOf(byte[] b, string s)
    {
        int i = b.AsSpan().IndexOf(Encoding.UTF8.GetBytes(s));
        return i >= 0 ? i : throw new InvalidOperationException($"'{s}' not in the file");
    }

    private static IEnumerable<BadInputCase> Checkpoints()
    {
        foreach (var (name, fragments, damage, exit) in CheckpointDamages())
        {
            yield return C("checkpoint", $"eval: model.safetensors {name}", exit, M(["model.safetensors", .. fragments]),
                x => { x.IrisRun(); damage(x, "run/model.safetensors"); }, "eval", "--run", "run");
            yield return C("checkpoint", $"predict: model.safetensors {name}", exit, M(["model.safetensors", .. fragments]),
                x => { x.IrisRun(); damage(x, "run/model.safetensors"); x.Write("rows.csv", "5.1,3.5,1.4,0.2\n"); }, "predict", "--run", "run", "rows.csv");
        }
        yield return C("checkpoint", "eval: model.safetensors missing", Usage, M("no model.safetensors; the run has not finished"),
            x => { x.IrisRun(); File.Delete(x["run/model.safetensors"]); }, "eval", "--run", "run");
        yield return C("checkpoint", "predict: model.safetensors is a folder", Usage, M("no model.safetensors"),
            x => { x.IrisRun(); File.Delete(x["run/model.safetensors"]); x.Mkdir("run/model.safetensors"); x.Write("rows.csv", "5.1,3.5,1.4,0.2\n"); }, "predict", "--run", "run", "rows.csv");
        yield return C("checkpoint", "predict on an image: MNIST model.safetensors cut in half", Failed, M("model.safetensors"),
            x => { x.MnistRun(); x.Mutate("mrun/model.safetensors", b => Cut(b, b.Length / 2)); x.Write("d.png", GrayPng()); }, "predict", "--run", "mrun", "d.png");
        yield return C("checkpoint", "eval: MNIST model.safetensors with a flipped weight", Failed, M("checksum mismatch"),
            x => { x.MnistRun(); x.Mutate("mrun/model.safetensors", b => Flip(b, b.Length / 2)); }, "eval", "--run", "mrun");
    }

    private static IEnumerable<BadInputCase> Resume()
    {
        foreach (var (name, fragments, damage, exit) in CheckpointDamages().Where((_, i) => i is 0 or 4 or 8 or 9 or 10))
            yield return C("resume", $"an interrupted run whose last.safetensors is {name}", exit, M(["last.safetensors", .. fragments]),
                x => { x.InterruptedRun(); damage(x, "run.partial/last.safetensors"); }, "train", "--resume", "run", "--epochs", "5");
        yield return C("resume", "an interrupted run whose last.safetensors is a model file", Failed, M("last.safetensors", "not a training checkpoint"),
            x => { x.InterruptedRun(); File.Copy(Path.Combine(BadInputFixtures.Shared.IrisRun, "model.safetensors"), x["run.partial/last.safetensors"], true); },
            "train", "--resume", "run", "--epochs", "5");
        yield return C("resume", "an interrupted run whose last.safetensors is another model's", Failed, M("last.safetensors", "does not fit"),
            x => { x.InterruptedRun(); File.Copy(Path.Combine(BadInputFixtures.Shared.MnistRun, "last.safetensors"), x["run.partial/last.safetensors"], true); },
            "train", "--resume", "run", "--epochs", "5");
        foreach (var (name, fragments, damage, exit) in CheckpointDamages().Where((_, i) => i is 0 or 5 or 8))
            yield return C("resume", $"a finished run whose last.safetensors is {name}", exit, M(["last.safetensors", .. fragments]),
                x => { x.IrisRun(); damage(x, "run/last.safetensors"); }, "train", "--resume", "run", "--epochs", "5");
        yield return C("resume", "an interrupted run with no checkpoint yet", Usage, M("--resume: run has no checkpoint yet (the run stopped in its first epoch)", "--force"),
            x => x.InterruptedRun(withCheckpoint: false), "train", "--resume", "run", "--epochs", "5");
        yield return C("resume", "a folder that is not a run", Usage, M("--resume: notes is not a run folder (no run.json, no notes.partial)"),
            x => x.Write("notes/todo.txt", "keep"), "train", "--resume", "notes");
        yield return C("resume", "a folder that does not exist", Usage, M("--resume: nowhere is not a run folder"), null, "train", "--resume", "nowhere");
        yield return C("resume", "a file", Usage, M("--resume: notes.txt is not a run folder"), x => x.Write("notes.txt", "keep"), "train", "--resume", "notes.txt");
        yield return C("resume", "an empty path", Usage, M("--resume: the run folder path is empty"), null, "train", "--resume", "");
        yield return C("resume", "an interrupted run without run.json", Usage, M("run.partial has no run.json", "--force"),
            x => { x.InterruptedRun(); File.Delete(x["run.partial/run.json"]); }, "train", "--resume", "run", "--epochs", "5");
        yield return C("resume", "a finished run to as many epochs as done", Usage, M("--epochs 2: run has already trained 2 epochs", "larger --epochs"),
            x => x.IrisRun(), "train", "--resume", "run", "--epochs", "2");
        yield return C("resume", "a finished run to fewer epochs", Usage, M("--epochs 1: run has already trained 2 epochs"), x => x.IrisRun(), "train", "--resume", "run", "--epochs", "1");
        yield return C("resume", "a finished run without --epochs", Usage, M("--epochs 2: run has already trained 2 epochs"), x => x.IrisRun(), "train", "--resume", "run");
        yield return C("resume", "an interrupted run to as many epochs as done", Usage, M("--epochs 2: run has already trained 2 epochs"),
            x => x.InterruptedRun(), "train", "--resume", "run", "--epochs", "2");
        yield return C("resume", "an interrupted run named by .partial, fewer epochs", Usage, M("--epochs 1: run has already trained 2 epochs"),
            x => x.InterruptedRun(), "train", "--resume", "run.partial", "--epochs", "1");
        yield return C("resume", "with --lr", Usage, M("train: unknown option --lr"), x => x.IrisRun(), "train", "--resume", "run", "--epochs", "5", "--lr", "0.1");
        yield return C("resume", "with --out", Usage, M("unknown option --out"), x => x.IrisRun(), "train", "--resume", "run", "--epochs", "5", "--out", "other");
        yield return C("resume", "with --epochs 0", Usage, M("--epochs: must be between 1 and 100000, got 0"), x => x.IrisRun(), "train", "--resume", "run", "--epochs", "0");
    }

    private static IEnumerable<BadInputCase> RunJson()
    {
        (string Name, string[] Fragments, Action<CaseContext, string> Damage, int Exit)[] damages =
        [
            ("cut in half", M("run.json: malformed run configuration"), (x, r) => x.Mutate(r + "/run.json", b => Cut(b, b.Length / 2)), Usage),
            ("empty", M("run.json: malformed run configuration"), (x, r) => x.Write(r + "/run.json", ""), Usage),
            ("null", M("run.json: empty run configuration"), (x, r) => x.Write(r + "/run.json", "null"), Usage),
            ("a list", M("run.json: malformed run configuration"), (x, r) => x.Write(r + "/run.json", "[1, 2]"), Usage),
            ("with epochs as text", M("run.json: malformed run configuration", "epochs"), (x, r) => x.EditRunJson(r, j => j["epochs"] = "five"), Usage),
            ("with input_shape as text", M("run.json: malformed run configuration", "input_shape"), (x, r) => x.EditRunJson(r, j => j["input_shape"] = "4"), Usage),
            ("with class_names as a number", M("run.json: malformed run configuration", "class_names"), (x, r) => x.EditRunJson(r, j => j["class_names"] = 3), Usage),
            ("with an unknown model", M("run.json", "'model'", "bogus"), (x, r) => x.EditRunJson(r, j => j["model"] = "bogus"), Usage),
            ("with a negative batch size", M("run.json", "'batch_size'", "-5"), (x, r) => x.EditRunJson(r, j => j["batch_size"] = -5), Usage),
            ("with 0 threads", M("run.json", "'threads'", "0"), (x, r) => x.EditRunJson(r, j => j["threads"] = 0), Usage),
            ("with an input shape of 0", M("run.json", "'input_shape'"), (x, r) => x.EditRunJson(r, j => j["input_shape"] = new System.Text.Json.Nodes.JsonArray(0)), Usage),
            ("with no class names", M("run.json", "'class_names'"), (x, r) => x.EditRunJson(r, j => j["class_names"] = new System.Text.Json.Nodes.JsonArray()), Usage),
            ("with a negative limit", M("run.json", "'limit'", "-3"), (x, r) => x.EditRunJson(r, j => j["limit"] = -3), Usage),
            ("with an unknown optimizer", M("run.json", "'optimizer'", "bogus"), (x, r) => x.EditRunJson(r, j => j["optimizer"] = "bogus"), Usage),
            ("with a validation split of 5", M("run.json", "'validation_split'", "5"), (x, r) => x.EditRunJson(r, j => j["validation_split"] = 5), Usage),
            ("with a negative learning rate", M("run.json", "'learning_rate'", "-1"), (x, r) => x.EditRunJson(r, j => j["learning_rate"] = -1), Usage),
            ("with an architecture that is not JSON", M("run.json", "architecture", "invalid JSON"), (x, r) => x.EditRunJson(r, j => { j["model"] = "custom"; j["architecture"] = "{layers"; }), Usage),
            ("with 5 inputs where its preprocessing has 4", M("run.json", "'preprocessing'", "5 features"), (x, r) => x.EditRunJson(r, j => j["input_shape"] = new System.Text.Json.Nodes.JsonArray(5)), Usage),
            ("with 5 inputs for a 4-input model", M("model.safetensors", "has shape [64,4] in the file but [64,5] in the model"),
                (x, r) => x.EditRunJson(r, j => { j["input_shape"] = new System.Text.Json.Nodes.JsonArray(5); j.Remove("preprocessing"); }), Failed),
            ("with 2 class names for a 3-class model", M("model.safetensors", "in the file but"), (x, r) => x.EditRunJson(r, j => j["class_names"] = new System.Text.Json.Nodes.JsonArray("a", "b")), Failed),
            ("missing", M("run: not a run folder (no run.json)"), (x, r) => File.Delete(x[r + "/run.json"]), Usage),
            ("with preprocessing for 3 features", M("run.json", "'preprocessing'"),
                (x, r) => x.EditRunJson(r, j => j["preprocessing"] = new System.Text.Json.Nodes.JsonObject { ["mean"] = new System.Text.Json.Nodes.JsonArray(0, 0, 0), ["scale"] = new System.Text.Json.Nodes.JsonArray(1, 1, 1) }), Usage),
            ("with an unknown schedule", M("run.json", "'schedule'", "'hourly'"), (x, r) => x.EditRunJson(r, j => j["schedule"] = "hourly"), Usage),
            ("with 2 channels", M("run.json", "'channels'"), (x, r) => x.EditRunJson(r, j => j["channels"] = 2), Usage),
        ];
        for (int i = 0; i < damages.Length; i++)
        {
            var (name, only, damage, exit) = damages[i];
            // Errors about run.json name the user's file (for --resume of a finished run too, not its copy in run.partial).
            string[] fragments = only.Any(f => f.StartsWith("run.json", StringComparison.Ordinal)) ? ["run/run.json", .. only] : only;
            yield return C("run-json", $"eval: run.json {name}", exit, fragments, x => { x.IrisRun(); damage(x, "run"); }, "eval", "--run", "run");
            yield return C("run-json", $"predict: run.json {name}", exit, fragments,
                x => { x.IrisRun(); damage(x, "run"); x.Write("rows.csv", "5.1,3.5,1.4,0.2\n"); }, "predict", "--run", "run", "rows.csv");
            if (i is 0 or 2 or 4 or 7 or 8 or 9 or 12 or 13 or 14 or 15 or 16)
                yield return C("run-json", $"resume: run.json {name}", exit, fragments, x => { x.IrisRun(); damage(x, "run"); }, "train", "--resume", "run", "--epochs", "5");
        }
        yield return C("run-json", "resume: an interrupted run whose run.json is cut in half", Usage, M("run.json: malformed run configuration"),
            x => { x.InterruptedRun(); x.Mutate("run.partial/run.json", b => Cut(b, b.Length / 2)); }, "train", "--resume", "run", "--epochs", "5");
        yield return C("run-json", "resume: an interrupted run with 0 threads in run.json", Usage, M("'threads'"),
            x => { x.InterruptedRun(); x.EditRunJson("run.partial", j => j["threads"] = 0); }, "train", "--resume", "run", "--epochs", "5");
        yield return C("run-json", "eval: run.json is a folder", Usage, M("not a run folder (no run.json)"),
            x => { x.IrisRun(); File.Delete(x["run/run.json"]); x.Mkdir("run/run.json"); }, "eval", "--run", "run");
        yield return C("run-json", "eval: a run whose CSV is gone", Usage, M("--dataset: CSV file", "not found"),
            x => { x.IrisRun(); x.EditRunJson("run", j => j["dataset"] = "/nonexistent/iris.csv"); }, "eval", "--run", "run");
    }

    private static IEnumerable<BadInputCase> Diverged()
    {
        string[] sgd = ["--optimizer", "sgd", "--lr", "10", "--weight-decay", "1"];
        yield return C("diverged", "MNIST mlp at rate 10 with weight decay 1", Failed, M("training diverged", "no model was saved", "smaller --lr"),
            null, ["train", "--model", "mlp", "--limit", "4000", "--epochs", "1", .. sgd, "--out", "run"]);
        yield return C("diverged", "iris after several epochs with checkpoints", Failed, M("training diverged", "smaller --lr (it was 10)"),
            x => x.Iris(), ["train", "--dataset", "iris.csv", "--batch-size", "4", "--epochs", "8", .. sgd, "--out", "run"]);
        yield return C("diverged", "iris with a validation split", Failed, M("training diverged"),
            x => x.Iris(), ["train", "--dataset", "iris.csv", "--batch-size", "4", "--epochs", "8", "--validation-split", "0.2", .. sgd, "--out", "run"]);
        yield return C("diverged", "replacing an existing run with --force leaves the old run", Failed, M("training diverged"),
            x => { x.Iris(); x.IrisRun(); }, ["train", "--dataset", "iris.csv", "--batch-size", "4", "--epochs", "8", .. sgd, "--out", "run", "--force"]);
        yield return C("diverged", "replacing an interrupted run with --force leaves the interrupted run", Failed, M("training diverged"),
            x => { x.Iris(); x.InterruptedRun(); }, ["train", "--dataset", "iris.csv", "--batch-size", "4", "--epochs", "8", .. sgd, "--out", "run", "--force"]);
        yield return C("diverged", "iris with early stopping", Failed, M("training diverged"),
            x => x.Iris(), ["train", "--dataset", "iris.csv", "--batch-size", "4", "--epochs", "8", "--early-stopping", "20", .. sgd, "--out", "run"]);
    }

    private static IEnumerable<BadInputCase> NanWeights()
    {
        const string Msg = "holds NaN or infinite values (the training diverged)";
        yield return C("nan-weights", "predict: NaN in the first weight", Failed, M("model.safetensors", Msg),
            x => { x.IrisRun(); x.Poison("run/model.safetensors", 0, 3, float.NaN); x.Write("rows.csv", "5.1,3.5,1.4,0.2\n"); }, "predict", "--run", "run", "rows.csv");
        yield return C("nan-weights", "eval: NaN in the first weight", Failed, M(Msg), x => { x.IrisRun(); x.Poison("run/model.safetensors", 0, 3, float.NaN); }, "eval", "--run", "run");
        yield return C("nan-weights", "predict: +Inf in the last bias", Failed, M(Msg),
            x => { x.IrisRun(); x.Poison("run/model.safetensors", -1, 0, float.PositiveInfinity); x.Write("rows.csv", "5.1,3.5,1.4,0.2\n"); }, "predict", "--run", "run", "rows.csv");
        yield return C("nan-weights", "eval: -Inf in the first bias", Failed, M(Msg), x => { x.IrisRun(); x.Poison("run/model.safetensors", 1, 0, float.NegativeInfinity); }, "eval", "--run", "run");
        yield return C("nan-weights", "predict an image: NaN in an MNIST weight", Failed, M(Msg),
            x => { x.MnistRun(); x.Poison("mrun/model.safetensors", 2, 100, float.NaN); x.Write("d.png", GrayPng()); }, "predict", "--run", "mrun", "d.png");
        yield return C("nan-weights", "eval: NaN in an MNIST weight", Failed, M(Msg), x => { x.MnistRun(); x.Poison("mrun/model.safetensors", 0, 0, float.NaN); }, "eval", "--run", "mrun");
        yield return C("nan-weights", "predict an image-folder image: NaN in a weight", Failed, M(Msg),
            x => { x.ImageRun(); x.Poison("irun/model.safetensors", 0, 7, float.NaN); x.Write("c.png", ColourPng(0, 3)); }, "predict", "--run", "irun", "c.png");
    }

    // ---------------------------------------------------------------- command lines

    private static IEnumerable<BadInputCase> TrainFlags()
    {
        BadInputCase T(string name, string[] fragments, params string[] args) => C("flags", "train " + name, Usage, fragments, null, ["train", .. args, "--out", "run"]);
        BadInputCase Bad(string option, string value, string fragment) => T($"{option} '{value}'", M($"{option}: {fragment}"), option, value);

        foreach (var v in new[] { "x", "1.5", "99999999999", "", "nan", "5e2" }) yield return Bad("--epochs", v, $"expected an integer, got '{v}'");
        foreach (var v in new[] { "0", "-1", "100001" }) yield return Bad("--epochs", v, $"must be between 1 and 100000, got {v}");
        foreach (var v in new[] { "0", "-3", "2097152" }) yield return Bad("--batch-size", v, "must be between 1 and 1048576");
        yield return Bad("--batch-size", "abc", "expected an integer, got 'abc'");
        yield return Bad("--seed", "-1", "must be between 0 and");
        yield return Bad("--seed", "x", "expected an integer");
        foreach (var v in new[] { "0", "257" }) yield return Bad("--threads", v, "must be between 1 and 256");
        yield return Bad("--threads", "two", "expected an integer, got 'two'");
        foreach (var v in new[] { "0", "-5" }) yield return Bad("--limit", v, "must be between 1 and");
        yield return Bad("--limit", "1k", "expected an integer, got '1k'");
        yield return Bad("--early-stopping", "-1", "must be between 0 and 10000");
        yield return Bad("--early-stopping", "x", "expected an integer");
        foreach (var v in new[] { "0", "4", "-1" }) yield return Bad("--channels", v, "must be between 1 and 3");
        yield return Bad("--channels", "2", "must be 1 (gray) or 3 (colour), got 2");
        yield return Bad("--channels", "x", "expected an integer");
        foreach (var v in new[] { "nan", "NaN", "inf", "-inf", "Infinity", "1e309", "abc", "", "0x10", "1,5" }) yield return Bad("--lr", v, $"expected a number, got '{v}'");
        foreach (var v in new[] { "0", "-0.001", "11" }) yield return Bad("--lr", v, "must be greater than 0 and at most 10");
        foreach (var v in new[] { "-0.1", "2" }) yield return Bad("--weight-decay", v, "must be at least 0 and at most 1");
        yield return Bad("--weight-decay", "nan", "expected a number");
        foreach (var v in new[] { "1", "-0.5", "0.96" }) yield return T($"--dropout '{v}'", M("--dropout: must be at least 0 and at most 0.95"), "--model", "mlp", "--dropout", v);
        yield return T("--dropout 'nan'", M("--dropout: expected a number, got 'nan'"), "--model", "mlp", "--dropout", "nan");
        foreach (var v in new[] { "1", "0.95", "-0.1" }) yield return Bad("--validation-split", v, "must be at least 0 and at most 0.9");
        yield return Bad("--validation-split", "inf", "expected a number");
        foreach (var v in new[] { "3x3", "2000", "0", "28x2000" }) yield return Bad("--image-size", v, "each side must be between 4 and 1024 pixels");
        foreach (var v in new[] { "28x", "x28", "28x28x3", "-28", "28 x 28", "abc", "", "28.5" }) yield return Bad("--image-size", v, $"expected HxW such as 28x28, got '{v}'");
        yield return Bad("--optimizer", "bogus", "unknown optimizer 'bogus'; choose one of sgd");
        yield return Bad("--optimizer", "Adam", "unknown optimizer 'Adam'");
        yield return Bad("--schedule", "bogus", "unknown schedule 'bogus'; choose one of constant");
        yield return Bad("--model", "bogus", "unknown model 'bogus'; choose one of mlp, lenet, cnn, resnet, lstm");
        yield return Bad("--model", "LeNet", "unknown model 'LeNet'");
        yield return Bad("--model", "missing.json", "architecture file 'missing.json' not found");
        foreach (var m in new[] { "lenet", "resnet", "lstm" })
            yield return T($"--dropout on {m}", M($"--dropout: model {m} has no dropout; models with dropout: mlp, cnn"), "--model", m, "--dropout", "0.3");
        yield return C("flags", "train --dropout on a JSON architecture", Usage, M("--dropout: a JSON architecture sets its own dropout rates"),
            x => x.Write("net.json", """{"input": [1, 28, 28], "layers": [{"type": "flatten"}, {"type": "linear", "in": 784, "out": 10}]}"""),
            "train", "--model", "net.json", "--dropout", "0.3", "--out", "run");
        yield return T("unknown option --learning-rate", M("train: unknown option --learning-rate (see 'nabla train --help')"), "--learning-rate", "0.1");
        yield return T("unknown option --epoch", M("unknown option --epoch"), "--epoch", "3");
        yield return T("unknown option --Out", M("unknown option --Out"), "--Out", "x");
        yield return C("flags", "train --epochs without a value", Usage, M("option --epochs needs a value"), null, "train", "--out", "run", "--epochs");
        yield return C("flags", "train --out without a value", Usage, M("option --out needs a value"), null, "train", "--epochs", "1", "--out");
        yield return C("flags", "train --model without a value", Usage, M("option --model needs a value"), null, "train", "--out", "run", "--model");
        yield return T("--epochs twice", M("option --epochs is given twice"), "--epochs", "1", "--epochs", "2");
        yield return C("flags", "train --out twice, once with =", Usage, M("option --out is given twice"), null, "train", "--out", "a", "--out=b");
        yield return T("--json twice", M("option --json is given twice"), "--json", "--json");
        yield return T("an unexpected argument", M("train: unexpected argument 'mnist'"), "mnist");
        yield return T("a single-dash option", M("train: unexpected argument '-e'"), "-e", "5");
        yield return T("a lone --", M("train: unexpected argument '--'"), "--");
        yield return T("--json=maybe", M("--json: expected true or false, got 'maybe'"), "--json=maybe");
        yield return T("--force=2", M("--force: expected true or false, got '2'"), "--force=2");
        yield return T("--augment=on", M("--augment: expected true or false, got 'on'"), "--augment=on");
        yield return T("--json= (empty)", M("--json: expected true or false, got ''"), "--json=");
        yield return C("flags", "train --augment on CSV rows", Usage, M("--augment: augmentation needs image data"),
            x => x.Iris(), "train", "--dataset", "iris.csv", "--augment", "--epochs", "1", "--out", "run");
        yield return C("flags", "train lenet on CSV rows", Usage, M("--model lenet takes images [C,H,W]"),
            x => x.Iris(), "train", "--dataset", "iris.csv", "--model", "lenet", "--epochs", "1", "--out", "run");
        yield return C("flags", "train lenet on 8x8 images", Usage, M("--model lenet", "at least 12x12"),
            x => x.ImageFolder("imgs", ["a", "b"]), "train", "--dataset", "imgs", "--image-size", "8x8", "--epochs", "1", "--out", "run");
    }

    private static IEnumerable<BadInputCase> OtherFlags()
    {
        BadInputCase F(string command, string name, string[] fragments, Action<CaseContext>? setup, params string[] args) =>
            C("flags", $"{command} {name}", Usage, fragments, setup, [command, .. args]);

        // eval
        yield return F("eval", "without --run", M("eval: --run DIR is required"), null);
        yield return F("eval", "--run without a value", M("option --run needs a value"), null, "--run");
        yield return F("eval", "--run of a missing folder", M("nowhere: not a run folder (no run.json)"), null, "--run", "nowhere");
        yield return F("eval", "--run of a file", M("notes.txt: not a run folder"), x => x.Write("notes.txt", "x"), "--run", "notes.txt");
        yield return F("eval", "--run empty", M("--run: the run folder path is empty"), null, "--run", "");
        yield return F("eval", "--run of an interrupted run", M("has not finished", "--resume run"), x => x.InterruptedRun(), "--run", "run");
        yield return F("eval", "--json=maybe", M("--json: expected true or false, got 'maybe'"), x => x.IrisRun(), "--run", "run", "--json=maybe");
        yield return F("eval", "unknown option --top", M("eval: unknown option --top"), x => x.IrisRun(), "--run", "run", "--top", "3");
        yield return F("eval", "an unexpected argument", M("eval: unexpected argument 'extra'"), x => x.IrisRun(), "--run", "run", "extra");
        yield return F("eval", "--dataset empty", M("--dataset: empty"), x => x.IrisRun(), "--run", "run", "--dataset", "");
        yield return F("eval", "--dataset missing", M("--dataset: CSV file", "not found"), x => x.IrisRun(), "--run", "run", "--dataset", "nope.csv");
        yield return C("flags", "eval a CSV run on MNIST", Failed, M("[1,28,28]", "[4]"), x => x.IrisRun(), "eval", "--run", "run", "--dataset", "mnist");
        yield return C("flags", "eval a CSV run on a CSV of other columns", Failed, M("[3]", "[4]"),
            x => { x.IrisRun(); x.Write("three.csv", Columns(Iris30, 0, 1, 2, 4)); }, "eval", "--run", "run", "--dataset", "three.csv");
        yield return C("flags", "eval an MNIST run on a CSV", Failed, M("[4]", "[1,28,28]"),
            x => { x.MnistRun(); x.Iris(); }, "eval", "--run", "mrun", "--dataset", "iris.csv");
        // predict
        yield return F("predict", "without --run", M("predict: --run DIR is required"), null, "x.png");
        yield return F("predict", "--run of a missing folder", M("nowhere: not a run folder"), null, "--run", "nowhere", "x.png");
        yield return F("predict", "--run empty", M("--run: the run folder path is empty"), null, "--run", "", "x.png");
        yield return F("predict", "without files", M("predict: give at least one PNG, PGM or CSV file"), x => x.IrisRun(), "--run", "run");
        foreach (var v in new[] { "0", "-1", "1001" }) yield return F("predict", $"--top {v}", M($"--top: must be between 1 and 1000, got {v}"), x => x.IrisRun(), "--run", "run", "--top", v, "x.csv");
        foreach (var v in new[] { "x", "2.5", "" }) yield return F("predict", $"--top '{v}'", M($"--top: expected an integer, got '{v}'"), x => x.IrisRun(), "--run", "run", "--top", v, "x.csv");
        yield return F("predict", "unknown option --k", M("predict: unknown option --k"), x => x.IrisRun(), "--run", "run", "--k", "3", "x.csv");
        yield return F("predict", "--json", M("predict: unknown option --json"), x => x.IrisRun(), "--run", "run", "--json", "x.csv");
        // summary
        foreach (var v in new[] { "", "0,28,28", "-1,28,28", "a,b,c", "1,,28", "1;28;28", "99999999999,1,1", "1.5,28,28" })
            yield return F("summary", $"--input '{v}'", M($"--input: expected positive sizes like 1,28,28, got '{v}'"), null, "--model", "lenet", "--input", v);
        yield return F("summary", "--input 1,28 for lenet", M("--model lenet takes images [C,H,W]"), null, "--model", "lenet", "--input", "1,28");
        yield return F("summary", "--input 1,4,4 for lenet", M("at least 12x12"), null, "--model", "lenet", "--input", "1,4,4");
        yield return F("summary", "--input 1,2,2 for cnn", M("at least 6x6"), null, "--model", "cnn", "--input", "1,2,2");
        yield return F("summary", "--input 1,100000,100000 for mlp", M("--input", "1,100000,100000"), null, "--model", "mlp", "--input", "1,100000,100000");
        yield return F("summary", "--input 65536,65536 for mlp", M("--input", "65536,65536"), null, "--model", "mlp", "--input", "65536,65536");
        foreach (var v in new[] { "0", "-1" }) yield return F("summary", $"--classes {v}", M("--classes: must be between 1 and"), null, "--classes", v);
        foreach (var v in new[] { "x", "99999999999" }) yield return F("summary", $"--classes '{v}'", M($"--classes: expected an integer, got '{v}'"), null, "--classes", v);
        yield return F("summary", "--model bogus", M("--model: unknown model 'bogus'"), null, "--model", "bogus");
        yield return F("summary", "--model missing.json", M("architecture file 'missing.json' not found"), null, "--model", "missing.json");
        yield return F("summary", "unknown option --out", M("summary: unknown option --out"), null, "--out", "x");
        yield return F("summary", "an unexpected argument", M("summary: unexpected argument 'lenet'"), null, "lenet");
        // gradcheck
        foreach (var v in new[] { "", "0,3,3", "x", "1,3,-3" })
            yield return F("gradcheck", $"--input '{v}'", M($"--input: expected positive sizes like 1,28,28, got '{v}'"), null, "--model", "mlp", "--input", v);
        foreach (var v in new[] { "0", "65" }) yield return F("gradcheck", $"--batch {v}", M("--batch: must be between 1 and 64"), null, "--model", "mlp", "--input", "1,3,3", "--batch", v);
        yield return F("gradcheck", "--batch 'two'", M("--batch: expected an integer, got 'two'"), null, "--batch", "two");
        yield return F("gradcheck", "--seed -1", M("--seed: must be between 0 and"), null, "--seed", "-1");
        yield return F("gradcheck", "--model bogus", M("--model: unknown model 'bogus'"), null, "--model", "bogus");
        yield return F("gradcheck", "--model lenet --input 1,4,4", M("at least 12x12"), null, "--model", "lenet", "--input", "1,4,4");
        yield return F("gradcheck", "--input 1,100000,100000 for mlp", M("--input", "1,100000,100000"), null, "--model", "mlp", "--input", "1,100000,100000");
        yield return F("gradcheck", "unknown option --epochs", M("gradcheck: unknown option --epochs"), null, "--epochs", "1");
        yield return F("gradcheck", "an unexpected argument", M("gradcheck: unexpected argument 'mlp'"), null, "mlp");
        // lr-search
        foreach (var v in new[] { "0", "100001" }) yield return F("lr-search", $"--steps {v}", M("--steps: must be between 1 and 100000"), null, "--steps", v);
        yield return F("lr-search", "--steps 'x'", M("--steps: expected an integer, got 'x'"), null, "--steps", "x");
        foreach (var v in new[] { "0", "11", "-1" }) yield return F("lr-search", $"--max {v}", M("--max: must be greater than 0 and at most 10"), null, "--max", v);
        foreach (var v in new[] { "nan", "inf" }) yield return F("lr-search", $"--max {v}", M($"--max: expected a number, got '{v}'"), null, "--max", v);
        yield return F("lr-search", "--min 0", M("--min: must be greater than 0 and at most 0.1"), null, "--min", "0");
        yield return F("lr-search", "--min above --max", M("--min: must be greater than 0 and at most 0.01, got 0.5"), null, "--max", "0.01", "--min", "0.5");
        yield return F("lr-search", "--min -1", M("--min: must be greater than 0"), null, "--min", "-1");
        foreach (var v in new[] { "0", "70000" }) yield return F("lr-search", $"--batch-size {v}", M("--batch-size: must be between 1 and 65536"), null, "--batch-size", v);
        yield return F("lr-search", "--optimizer bogus", M("--optimizer: unknown optimizer 'bogus'"), null, "--optimizer", "bogus");
        yield return F("lr-search", "--weight-decay 2", M("--weight-decay: must be at least 0 and at most 1"), null, "--weight-decay", "2");
        yield return F("lr-search", "--limit 0", M("--limit: must be between 1 and"), null, "--limit", "0");
        yield return F("lr-search", "--threads 0", M("--threads: must be between 1 and 256"), null, "--threads", "0");
        yield return F("lr-search", "--model bogus", M("--model: unknown model 'bogus'"), null, "--model", "bogus", "--out", "lr");
        yield return F("lr-search", "--model missing.json", M("architecture file 'missing.json' not found"), null, "--model", "missing.json", "--out", "lr");
        yield return F("lr-search", "unknown option --epochs", M("lr-search: unknown option --epochs"), null, "--epochs", "3");
        yield return F("lr-search", "an unexpected argument", M("lr-search: unexpected argument 'mnist'"), null, "mnist");
        yield return F("lr-search", "--dataset missing CSV", M("--dataset: CSV file", "nope.csv' not found"), null, "--dataset", "nope.csv", "--out", "lr");
        yield return F("lr-search", "--dataset empty", M("--dataset: empty"), null, "--dataset", "", "--out", "lr");
    }

    private static IEnumerable<BadInputCase> Commands()
    {
        yield return C("command", "unknown command with --help", Usage, M("unknown command 'bogus'; commands: train, eval"), null, "bogus", "--help");
        yield return C("command", "unknown command", Usage, M("unknown command 'bogus'"), null, "bogus");
        yield return C("command", "a misspelt command", Usage, M("unknown command 'trian'"), null, "trian", "--epochs", "1");
        yield return C("command", "a command in capitals", Usage, M("unknown command 'TRAIN'"), null, "TRAIN");
        yield return C("command", "an option for a command", Usage, M("unknown command '--verbose'"), null, "--verbose");
        yield return C("command", "a single-dash option for a command", Usage, M("unknown command '-x'"), null, "-x");
        yield return C("command", "an empty command", Usage, M("unknown command ''"), null, "");
    }

    private static IEnumerable<BadInputCase> JsonArchitectures()
    {
        const string Ok = """{"type": "flatten"}, {"type": "linear", "in": 784, "out": 10}""";
        (string Name, string Json, string[] Fragments)[] docs =
        [
            ("unclosed list", """{"layers": [""", M("net.json: invalid JSON (line 1")),
            ("trailing comma", """{"layers": [{"type": "relu"},]}""", M("net.json: invalid JSON")),
            ("an empty file", "", M("net.json: invalid JSON")),
            ("plain text", "linear 784 10", M("net.json: invalid JSON")),
            ("null", "null", M("net.json: the top level must be an object")),
            ("a top-level list", """[{"type": "relu"}]""", M("the top level must be an object", "got a list")),
            ("an unknown top-level field", """{"layer": []}""", M("unknown top-level field 'layer'; allowed: name, input, layers")),
            ("no layers", """{"input": [1, 28, 28]}""", M("missing required field 'layers'")),
            ("layers not a list", """{"layers": {"type": "relu"}}""", M("'layers' must be a list of layer objects, got an object")),
            ("a layer that is a string", """{"layers": ["relu"]}""", M("layer 0: must be an object like")),
            ("a layer without type", """{"layers": [{"in": 4}]}""", M("layer 0: missing required field 'type'")),
            ("a numeric type", """{"layers": [{"type": 3}]}""", M("layer 0: field 'type' must be a string, got 3")),
            ("an unknown layer type", """{"layers": [{"type": "dense", "in": 4, "out": 3}]}""", M("layer 0: unknown layer type 'dense'; known types: linear")),
            ("an unknown field", """{"layers": [{"type": "linear", "in": 4, "out": 3, "activation": "relu"}]}""", M("layer 0 (linear): unknown field 'activation'; linear accepts in, out, bias?")),
            ("a missing required field", $$"""{"layers": [{"type": "flatten"}, {"type": "linear", "in": 784}]}""", M("layer 1 (linear): missing required field 'out'")),
            ("a size as text", """{"layers": [{"type": "linear", "in": "784", "out": 10}]}""", M("layer 0 (linear): field 'in' must be", "got \"784\"")),
            ("a negative size", """{"layers": [{"type": "linear", "in": -4, "out": 10}]}""", M("field 'in' must be", "got -4")),
            ("a fractional size", """{"layers": [{"type": "linear", "in": 784, "out": 3.5}]}""", M("field 'out' must be", "got 3.5")),
            ("a kernel of 0", """{"layers": [{"type": "conv2d", "in": 1, "out": 4, "kernel": 0}]}""", M("layer 0 (conv2d): field 'kernel' must be", "got 0")),
            ("a kernel of three sizes", """{"layers": [{"type": "conv2d", "in": 1, "out": 4, "kernel": [3, 3, 3]}]}""", M("field 'kernel' must be")),
            ("a negative padding", """{"layers": [{"type": "conv2d", "in": 1, "out": 4, "kernel": 3, "padding": -1}]}""", M("field 'padding' must be", "got -1")),
            ("a dropout rate of 1.5", $$"""{"layers": [{"type": "dropout", "p": 1.5}, {{Ok}}]}""", M("layer 0 (dropout): field 'p' must be", "got 1.5")),
            ("a bias of \"yes\"", """{"layers": [{"type": "linear", "in": 784, "out": 10, "bias": "yes"}]}""", M("field 'bias' must be", "got \"yes\"")),
            ("an input that is a number", $$"""{"input": 784, "layers": [{{Ok}}]}""", M("field 'input' must be the shape of one sample", "got 784")),
            ("an input with a 0", $$"""{"input": [0, 28, 28], "layers": [{{Ok}}]}""", M("field 'input' must be", "[0, 28, 28]")),
            ("layers that do not chain", """{"input": [1, 28, 28], "layers": [{"type": "flatten"}, {"type": "linear", "in": 784, "out": 64}, {"type": "relu"}, {"type": "linear", "in": 32, "out": 10}]}""",
                M("layer 3 (linear): the layers do not fit the input [1,1,28,28]")),
            ("a convolution on flat input", """{"input": [784], "layers": [{"type": "conv2d", "in": 1, "out": 4, "kernel": 3}]}""", M("layer 0 (conv2d): the layers do not fit the input")),
            ("a residual branch of another width", """{"input": [784], "layers": [{"type": "residual", "layers": [{"type": "linear", "in": 784, "out": 32}]}]}""", M("layer 0 (residual): the layers do not fit")),
            ("an unknown type inside a residual", """{"layers": [{"type": "residual", "layers": [{"type": "bogus"}]}]}""", M("layer 0.layers.0: unknown layer type 'bogus'")),
            ("a key given twice", """{"layers": [{"type": "relu", "type": "tanh"}]}""", M("layer 0: field 'type' appears twice")),
            ("an empty layers list", """{"input": [1, 28, 28], "layers": []}""", M("net.json", "no layers")),
        ];
        for (int i = 0; i < docs.Length; i++)
        {
            var (name, json, only) = docs[i];
            string[] fragments = only.Any(f => f.StartsWith("net.json", StringComparison.Ordinal)) ? only : ["net.json: ", .. only];
            yield return C("json-architecture", $"train: {name}", Failed, fragments, x => x.Write("net.json", json), "train", "--model", "net.json", "--epochs", "1", "--out", "run");
            if (i % 2 == 0 || i >= 25)
                yield return C("json-architecture", $"summary: {name}", Failed, fragments, x => x.Write("net.json", json), "summary", "--model", "net.json");
            if (i % 3 == 1 || i >= 27)
                yield return C("json-architecture", $"gradcheck: {name}", Failed, fragments, x => x.Write("net.json", json), "gradcheck", "--model", "net.json", "--input", "1,28,28");
            if (i % 6 == 5)
                yield return C("json-architecture", $"lr-search: {name}", Failed, fragments, x => x.Write("net.json", json), "lr-search", "--model", "net.json", "--out", "lr");
        }
        yield return C("json-architecture", "train: a folder named net.json", Usage, M("architecture file 'net.json' not found"), x => x.Mkdir("net.json"), "train", "--model", "net.json", "--out", "run");
        yield return C("json-architecture", "train: 3 outputs for the 10 MNIST classes", Failed, M("net.json", "3 outputs", "10 classes"),
            x => x.Write("net.json", """{"input": [1, 28, 28], "layers": [{"type": "flatten"}, {"type": "linear", "in": 784, "out": 3}]}"""),
            "train", "--model", "net.json", "--limit", "100", "--epochs", "1", "--out", "run");
        yield return C("json-architecture", "lr-search: 3 outputs for the 10 MNIST classes", Failed, M("net.json", "3 outputs", "10 classes"),
            x => x.Write("net.json", """{"input": [1, 28, 28], "layers": [{"type": "flatten"}, {"type": "linear", "in": 784, "out": 3}]}"""),
            "lr-search", "--model", "net.json", "--limit", "100", "--out", "lr");
        yield return C("json-architecture", "train: a 4-input architecture on MNIST", Failed, M("net.json", "[1,28,28]"),
            x => x.Write("net.json", """{"input": [4], "layers": [{"type": "linear", "in": 4, "out": 10}]}"""),
            "train", "--model", "net.json", "--limit", "100", "--epochs", "1", "--out", "run");
        yield return C("json-architecture", "train: an image architecture on CSV rows", Failed, M("net.json", "[4]"),
            x => { x.Iris(); x.Write("net.json", """{"input": [1, 28, 28], "layers": [{"type": "flatten"}, {"type": "linear", "in": 784, "out": 3}]}"""); },
            "train", "--model", "net.json", "--dataset", "iris.csv", "--epochs", "1", "--out", "run");
        yield return C("json-architecture", "train: an architecture without parameters", Failed, M("net.json", "no trainable parameters"),
            x => { x.Write("d.csv", Columns(Iris30, 0, 1, 2, 4)); x.Write("net.json", """{"layers": [{"type": "identity"}]}"""); },
            "train", "--model", "net.json", "--dataset", "d.csv", "--epochs", "1", "--out", "run");
        yield return C("json-architecture", "gradcheck: an architecture whose output is not [N,10]", Failed, M("net.json", "outputs"),
            x => x.Write("net.json", """{"layers": [{"type": "relu"}]}"""), "gradcheck", "--model", "net.json", "--input", "1,3,3");
    }
}
