using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Nabla.IO;
using Nabla.Tensors;
using Nabla.Tests.Cli;

namespace Nabla.Tests.Reliability;

/// <summary>
/// One bad input given to the `nabla` command: what it is (<see cref="Category"/>, <see cref="Name"/>), the files the
/// case writes in its own sandbox (<see cref="Setup"/>), the command line, and the error it must end with.
/// </summary>
/// <param name="Category">The kind of input (csv-train, idx, checkpoint, flags, ...).</param>
/// <param name="Name">What is wrong, in a few words (unique within the category).</param>
/// <param name="Args">The command line after `nabla`.</param>
/// <param name="Exit">The expected exit code: 2 for a wrong command line, 1 for a run that failed on its input.</param>
/// <param name="Fragments">Texts the one-line error must contain.</param>
/// <param name="Setup">Writes the case's files (bad data, copies of the fixture runs) in its sandbox; may hold a lock.</param>
public sealed record BadInputCase(string Category, string Name, string[] Args, int Exit, string[] Fragments, Action<CaseContext>? Setup = null)
{
    /// <summary>The name of the case in the test list.</summary>
    public string Id => $"{Category}: {Name}";

    public override string ToString() => Id;
}

/// <summary>The sandbox of one case, with helpers that write bad files and copy the shared fixture runs into it.</summary>
public sealed class CaseContext(CliSandbox box) : IDisposable
{
    private readonly List<IDisposable> _held = [];

    public CliSandbox Box { get; } = box;

    public string this[string relative] => Box[relative];

    /// <summary>Keeps <paramref name="d"/> open until the command has ended (a held lock).</summary>
    public void Hold(IDisposable d) => _held.Add(d);

    /// <summary>Holds the lock of run folder <paramref name="run"/> as a running `nabla train` does.</summary>
    public void HoldLock(string run) =>
        Hold(new FileStream(this[run + ".lock"], FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));

    public void Dispose()
    {
        foreach (var d in _held) d.Dispose();
        _held.Clear();
    }

    public string Write(string relative, string text) => Box.Write(relative, text);

    public string Write(string relative, byte[] bytes) => Box.Write(relative, bytes);

    public void Mkdir(string relative) => Directory.CreateDirectory(this[relative]);

    /// <summary>The iris-like CSV the fixture run was trained on (60 rows, header, 3 species).</summary>
    public string Iris(string relative = "iris.csv") => Write(relative, BadInputFixtures.IrisText);

    /// <summary>Copies the finished iris run (mlp on a CSV) to <paramref name="relative"/>.</summary>
    public string IrisRun(string relative = "run") => CopyDir(BadInputFixtures.Shared.IrisRun, this[relative]);

    /// <summary>Copies the finished MNIST run (mlp, 500 examples, 1 epoch) to <paramref name="relative"/>.</summary>
    public string MnistRun(string relative = "mrun") => CopyDir(BadInputFixtures.Shared.MnistRun, this[relative]);

    /// <summary>Copies the finished image-folder run (mlp on 8x8 colour images of 3 classes) to <paramref name="relative"/>.</summary>
    public string ImageRun(string relative = "irun") => CopyDir(BadInputFixtures.Shared.ImageRun, this[relative]);

    /// <summary>
    /// An interrupted iris run: <paramref name="run"/>.partial holding what a run killed after its second epoch holds
    /// (run.json, history.csv, last.safetensors, best.safetensors), and no finished folder.
    /// </summary>
    public string InterruptedRun(string run = "run", bool withCheckpoint = true)
    {
        string partial = this[run + ".partial"];
        Directory.CreateDirectory(partial);
        foreach (var f in new[] { "run.json", "history.csv", "last.safetensors", "best.safetensors" })
            if (withCheckpoint || f is "run.json")
                File.Copy(Path.Combine(BadInputFixtures.Shared.IrisRun, f), Path.Combine(partial, f));
        return partial;
    }

    private static string CopyDir(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.EnumerateFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        return to;
    }

    /// <summary>Replaces the bytes of <paramref name="relative"/> by <paramref name="change"/> of them.</summary>
    public void Mutate(string relative, Func<byte[], byte[]> change) => File.WriteAllBytes(this[relative], change(File.ReadAllBytes(this[relative])));

    /// <summary>Edits the run.json of a run folder as a JSON object (a user's hand edit).</summary>
    public void EditRunJson(string run, Action<System.Text.Json.Nodes.JsonObject> edit)
    {
        string path = this[Path.Combine(run, "run.json")];
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(node);
        File.WriteAllText(path, node.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// Sets element <paramref name="index"/> of tensor number <paramref name="tensor"/> (in file order; a negative number
    /// counts from the end) of a checkpoint to <paramref name="value"/>, with valid checksums: a model that trained into NaN.
    /// </summary>
    public void Poison(string relative, int tensor, int index, float value)
    {
        string path = this[relative];
        var file = Checkpoint.Read(path);
        var tensors = file.Tensors.Where(t => t.Key.StartsWith(Checkpoint.ModelPrefix, StringComparison.Ordinal)).ToList();
        var target = tensors[tensor < 0 ? tensors.Count + tensor : tensor].Value;
        target.SetFlat(index, value);
        var all = file.Tensors.ToList();
        var meta = file.Metadata.Where(m => m.Key is not (Checkpoint.ChecksumKey or Checkpoint.MetadataChecksumKey)).ToDictionary(m => m.Key, m => m.Value);
        meta[Checkpoint.ChecksumKey] = Checkpoint.Checksum(all);
        meta[Checkpoint.MetadataChecksumKey] = Checkpoint.MetadataChecksum(meta);
        SafeTensors.Save(path, all, meta);
    }

    /// <summary>Writes an MNIST-layout folder of four gzip IDX files (60 training, 20 test images), each passed through <paramref name="damage"/>.</summary>
    public string IdxFolder(string relative, Func<int, IdxFile, IdxFile>? damage = null, int? omit = null)
    {
        string dir = this[relative];
        Directory.CreateDirectory(dir);
        for (int i = 0; i < 4; i++)
        {
            if (i == omit) continue;
            var f = BadInputFiles.ValidIdx(i);
            if (damage is not null) f = damage(i, f);
            File.WriteAllBytes(Path.Combine(dir, f.Name), f.Bytes());
        }
        return dir;
    }

    /// <summary>A folder of 8x8 colour PNG images, one subfolder per class in <paramref name="classes"/>, <paramref name="perClass"/> each.</summary>
    public string ImageFolder(string relative, string[] classes, int perClass = 4)
    {
        for (int c = 0; c < classes.Length; c++)
            for (int i = 0; i < perClass; i++)
                Write(Path.Combine(relative, classes[c], $"{i}.png"), BadInputFiles.ColourPng(c, i));
        return this[relative];
    }
}

/// <summary>An IDX file in the making: its name in the folder, its uncompressed content, and how it is stored.</summary>
public sealed record IdxFile(string Name, byte[] Raw, bool Gzip = true, Func<byte[], byte[]>? Stored = null)
{
    /// <summary>The bytes written to disk: the raw content, gzip-compressed when <see cref="Gzip"/>, then passed through <see cref="Stored"/>.</summary>
    public byte[] Bytes()
    {
        var b = Gzip ? BadInputFiles.GzipBytes(Raw) : Raw;
        return Stored is null ? b : Stored(b);
    }

    /// <summary>The same file with its uncompressed content changed.</summary>
    public IdxFile WithRaw(Func<byte[], byte[]> change) => this with { Raw = change(Raw) };

    /// <summary>The same file with the bytes on disk changed (after compression).</summary>
    public IdxFile OnDisk(Func<byte[], byte[]> change) => this with { Stored = change };
}

/// <summary>Makers of valid files to damage: IDX, PNG, PGM, CSV rows and JSON architectures.</summary>
public static class BadInputFiles
{
    public static readonly string[] IdxNames = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    public const int IdxTrain = 60, IdxTest = 20;

    /// <summary>File <paramref name="i"/> of a valid MNIST-layout dataset: noise images (28x28), labels 0..9 in turn.</summary>
    public static IdxFile ValidIdx(int i)
    {
        int count = i < 2 ? IdxTrain : IdxTest;
        bool images = i % 2 == 0;
        var body = new byte[images ? count * 784 : count];
        if (images) new Random(7 + i).NextBytes(body);
        else for (int k = 0; k < count; k++) body[k] = (byte)(k % 10);
        return new IdxFile(IdxNames[i] + ".gz", images ? Idx(3, [count, 28, 28], body) : Idx(1, [count], body));
    }

    /// <summary>An IDX file of unsigned bytes: magic 0x0000080R, the dimensions, the body.</summary>
    public static byte[] Idx(int rank, int[] dims, byte[] body, byte type = 0x08)
    {
        var b = new byte[4 + 4 * dims.Length + body.Length];
        b[2] = type;
        b[3] = (byte)rank;
        for (int d = 0; d < dims.Length; d++) BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4 + 4 * d), dims[d]);
        body.CopyTo(b, 4 + 4 * dims.Length);
        return b;
    }

    public static byte[] GzipBytes(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(raw);
        return ms.ToArray();
    }

    /// <summary>The bytes with bit <paramref name="bit"/> of byte <paramref name="index"/> flipped (a negative index counts from the end).</summary>
    public static byte[] Flip(byte[] b, int index, int bit = 0)
    {
        var c = (byte[])b.Clone();
        int i = index < 0 ? c.Length + index : index;
        c[i] ^= (byte)(1 << bit);
        return c;
    }

    public static byte[] Cut(byte[] b, int length) => b[..(length < 0 ? b.Length + length : length)];

    public static byte[] Append(byte[] b, params byte[] extra) => [.. b, .. extra];

    /// <summary>An 8x8 colour PNG, mostly the colour of class <paramref name="c"/>.</summary>
    public static byte[] ColourPng(int c, int seed, int width = 8, int height = 8)
    {
        var rng = new Random(31 * c + seed);
        var px = new float[3 * width * height];
        for (int ch = 0; ch < 3; ch++)
            for (int k = 0; k < width * height; k++)
                px[ch * width * height + k] = (float)Math.Clamp((ch == c % 3 ? 0.8 : 0.2) + 0.2 * (rng.NextDouble() - 0.5), 0, 1);
        return Png.EncodeRgb(new RgbImage(width, height, px));
    }

    /// <summary>A 28x28 gray PNG of a light stroke on black (a digit-like image).</summary>
    public static byte[] GrayPng(int width = 28, int height = 28)
    {
        var px = new float[width * height];
        for (int y = 4; y < height - 4; y++) px[y * width + width / 2] = 1f;
        return Png.EncodeGray(new GrayImage(width, height, px));
    }

    public static byte[] GrayPgm(int width = 28, int height = 28)
    {
        var px = new float[width * height];
        for (int y = 4; y < height - 4; y++) px[y * width + width / 2] = 1f;
        return Pgm.Encode(new GrayImage(width, height, px));
    }

    /// <summary>A PNG built chunk by chunk with correct CRCs: IHDR fields as given, an IDAT of <paramref name="raw"/> scanlines.</summary>
    public static byte[] PngFrom(int width, int height, byte bitDepth, byte colorType, byte interlace, byte[] raw, bool compress = true,
        (string Type, byte[] Data)[]? extraBeforeIdat = null, bool iend = true)
    {
        var ms = new MemoryStream();
        ms.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = bitDepth; ihdr[9] = colorType; ihdr[12] = interlace;
        Chunk(ms, "IHDR", ihdr);
        foreach (var (type, data) in extraBeforeIdat ?? []) Chunk(ms, type, data);
        byte[] idat = raw;
        if (compress)
        {
            var z = new MemoryStream();
            using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) zs.Write(raw);
            idat = z.ToArray();
        }
        Chunk(ms, "IDAT", idat);
        if (iend) Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data) => IO.PngBuilder.Chunk(s, type, data);

    /// <summary>Scanlines of a gray 8-bit image: each row led by filter byte <paramref name="filter"/>.</summary>
    public static byte[] GrayRows(int width, int height, byte filter = 0)
    {
        var raw = new byte[(width + 1) * height];
        for (int y = 0; y < height; y++) raw[y * (width + 1)] = filter;
        return raw;
    }

    /// <summary>The iris-like CSV text with line <paramref name="line"/> (1-based, the header is line 1), cell <paramref name="column"/> (1-based) replaced.</summary>
    public static string WithCell(string csv, int line, int column, string cell, char separator = ',')
    {
        var lines = csv.Split('\n');
        var cells = lines[line - 1].Split(separator);
        cells[column - 1] = cell;
        lines[line - 1] = string.Join(separator, cells);
        return string.Join('\n', lines);
    }

    /// <summary>Rows of an iris-like CSV keeping only the columns <paramref name="keep"/> (0-based).</summary>
    public static string Columns(string csv, params int[] keep) =>
        string.Join('\n', csv.Split('\n').Select(l => l.Length == 0 ? l : string.Join(',', keep.Select(k => l.Split(',')[k]))));

    /// <summary>An iris-like CSV whose last column is replaced by <paramref name="label"/>(row index) (the header cell by <paramref name="header"/>).</summary>
    public static string Relabel(string csv, string header, Func<int, string> label) =>
        string.Join('\n', csv.Split('\n').Select((l, i) => l.Length == 0 ? l : l[..l.LastIndexOf(',')] + "," + (i == 0 ? header : label(i))));
}

/// <summary>
/// The finished runs the cases copy, trained once per test process: an iris-like CSV run (mlp), a small MNIST run (mlp,
/// 500 examples, 1 epoch) and an image-folder run (mlp on 8x8 colour images). They live in a temporary folder removed at exit.
/// </summary>
public sealed class BadInputFixtures
{
    private static readonly Lazy<BadInputFixtures> Instance = new(() => new BadInputFixtures(), LazyThreadSafetyMode.ExecutionAndPublication);

    public static BadInputFixtures Shared => Instance.Value;

    public static readonly string IrisText = CliSandbox.IrisLike(60);

    public string Dir { get; }
    public string IrisRun { get; }
    public string MnistRun { get; }
    public string ImageRun { get; }

    private BadInputFixtures()
    {
        Dir = Directory.CreateTempSubdirectory("nabla-badinput-fixtures").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(Dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        File.WriteAllText(Path.Combine(Dir, "iris.csv"), IrisText);
        IrisRun = Train("iris", "--dataset", "iris.csv", "--epochs", "2", "--lr", "0.01");
        MnistRun = Train("mnist", "--model", "mlp", "--limit", "500", "--epochs", "1");
        using (var box = new CliSandbox())
        {
            var ctx = new CaseContext(box);
            ctx.ImageFolder("colours", ["blue", "green", "red"]);
            Directory.Move(box["colours"], Path.Combine(Dir, "colours"));
        }
        ImageRun = Train("images", "--dataset", "colours", "--model", "mlp", "--image-size", "8x8", "--epochs", "1");
    }

    private string Train(string name, params string[] args)
    {
        var r = CliRunner.Run(Dir, ["train", .. args, "--out", name]);
        if (r.ExitCode != 0) throw new InvalidOperationException($"fixture run {name} failed ({r.ExitCode}): {r.Stderr}");
        return Path.Combine(Dir, name);
    }
}
