using System.Runtime.ExceptionServices;
using Nabla.Errors;
using Nabla.IO;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// Image classification datasets stored as one folder per class, the layout torchvision's <c>ImageFolder</c> and
/// Keras's <c>image_dataset_from_directory</c> read: <c>root/&lt;class&gt;/&lt;image&gt;.png</c> or <c>.pgm</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Classes are the non-hidden subfolders of the root, sorted ordinally (by UTF-16 code unit, case-sensitive:
/// <c>"B"</c> before <c>"a"</c>; for names within the Basic Multilingual Plane this is Python's <c>sorted()</c>, so the
/// labels 0..K−1 match those torchvision and Keras assign to the same folder).</item>
/// <item>Images are the files ending in <c>.png</c> or <c>.pgm</c> (any case) in a class folder or in its nested
/// subfolders (as in torchvision and Keras); other files are ignored, and so are hidden files and folders (a name
/// starting with '.', or the hidden attribute) and symbolic links to folders below the class level (they could form
/// cycles). Within a class, images are ordered by folder path, then file name, ordinally.</item>
/// <item>Rows are class by class (all of label 0, then label 1, ...).</item>
/// <item>Every image becomes [channels, height, width] float32 in [0, 1]: colour to gray by luminance
/// 0.299R + 0.587G + 0.114B when channels is 1, gray (PGM, or a gray PNG) replicated into 3 channels when channels is 3,
/// alpha composited over black, then resized by <see cref="GrayImage.Resize"/> / <see cref="RgbImage.Resize"/>
/// (bilinear, area-averaged when shrinking by more than 2x) when its size differs. The aspect ratio is not kept.</item>
/// </list>
/// Errors are one line naming the folder or file: <see cref="DatasetNotFoundException"/> for a missing root,
/// <see cref="DataFormatException"/> for a bad layout or image (the decoder's reason is kept), <see cref="ValueException"/>
/// for bad arguments.
/// </remarks>
public static class ImageFolder
{
    /// <summary>The default limit on one image file's size: 64 MiB.</summary>
    public const long DefaultMaxFileBytes = 64L << 20;

    /// <summary>How many classes <see cref="InferShape"/> looks at (their first image each).</summary>
    public const int InferShapeClasses = 32;

    private static readonly string[] SplitNames = ["train", "test", "val", "valid", "validation"];

    /// <summary>
    /// Loads every image under <c>root/&lt;class&gt;/</c> as float32 [N, channels, height, width] with labels 0..K−1
    /// (see the class remarks for the order and the conversion).
    /// </summary>
    /// <param name="root">The folder holding one subfolder per class (at least two).</param>
    /// <param name="channels">1 (gray) or 3 (RGB).</param>
    /// <param name="height">The height every image is resized to.</param>
    /// <param name="width">The width every image is resized to.</param>
    /// <param name="maxFileBytes">Image files larger than this are refused.</param>
    public static ImageFolderData Load(string root, int channels, int height, int width, long maxFileBytes = DefaultMaxFileBytes)
    {
        CheckShape(channels, height, width, maxFileBytes);
        var classes = Scan(root, maxFileBytes);
        return Read(root, classes, channels, height, width, maxFileBytes);
    }

    /// <summary>
    /// Loads a training and a test set. When <paramref name="root"/> has both a <c>train/</c> and a <c>test/</c>
    /// subfolder (any case), each is loaded as by <see cref="Load"/> (other subfolders such as <c>val/</c> are ignored,
    /// and <paramref name="testFraction"/> and <paramref name="seed"/> are unused); both must have the same class
    /// subfolders. Otherwise the root's class folders are loaded and a stratified <paramref name="testFraction"/> of
    /// the images is held out at random by <see cref="Split.TrainTest"/> (seeded, so the same seed gives the same split).
    /// </summary>
    /// <param name="root">The folder with <c>train/</c> and <c>test/</c>, or with the class subfolders.</param>
    /// <param name="channels">1 (gray) or 3 (RGB).</param>
    /// <param name="height">The height every image is resized to.</param>
    /// <param name="width">The width every image is resized to.</param>
    /// <param name="testFraction">The fraction held out for testing, in (0, 1), when there are no train/test folders.</param>
    /// <param name="seed">The seed of the held-out split.</param>
    /// <param name="maxFileBytes">Image files larger than this are refused.</param>
    public static TrainTestData LoadTrainTest(string root, int channels, int height, int width, double testFraction = 0.2, ulong seed = 0,
        long maxFileBytes = DefaultMaxFileBytes)
    {
        CheckShape(channels, height, width, maxFileBytes);
        if (!(testFraction > 0 && testFraction < 1))
            throw new ValueException($"ImageFolder.LoadTrainTest: testFraction must be in (0, 1), got {testFraction}");
        if (SplitFolders(root) is { } split)
        {
            var (trainDir, testDir) = split;
            var trainClasses = Scan(trainDir, maxFileBytes);
            var testClasses = Scan(testDir, maxFileBytes, minClasses: 1);
            var trainNames = trainClasses.Select(c => c.Name).ToList();
            var testNames = testClasses.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var name in trainNames)
                if (!testNames.Contains(name))
                    throw new DataFormatException($"{testDir}: no folder for class '{name}' of {trainDir}; train/ and test/ need the same class subfolders");
            foreach (var c in testClasses)
                if (!trainNames.Contains(c.Name, StringComparer.Ordinal))
                    throw new DataFormatException($"{Path.Combine(testDir, c.Name)}: class '{c.Name}' has no folder in {trainDir}; train/ and test/ need the same class subfolders");
            var train = Read(trainDir, trainClasses, channels, height, width, maxFileBytes);
            var test = Read(testDir, testClasses, channels, height, width, maxFileBytes);
            return new TrainTestData(train.Dataset, test.Dataset, train.ClassNames);
        }
        var all = Load(root, channels, height, width, maxFileBytes);
        var (tr, te) = Split.TrainTest(all.Dataset, testFraction, seed, stratified: true);
        return new TrainTestData(tr, te, all.ClassNames);
    }

    /// <summary>
    /// A shape [C, H, W] for the images under <paramref name="root"/> (its <c>train/</c> folder when it has both
    /// <c>train/</c> and <c>test/</c>): H and W of the first image (of the first class, in load order); C = 3 when the
    /// first image of any of the first <see cref="InferShapeClasses"/> classes is a colour PNG (colour type RGB, RGBA or
    /// palette, from its header), else 1. Pass it to <see cref="Load"/> when the images share one size and colour mode.
    /// </summary>
    public static int[] InferShape(string root, long maxFileBytes = DefaultMaxFileBytes)
    {
        var dir = SplitFolders(root)?.Train ?? root;
        var classes = Scan(dir, maxFileBytes);
        int channels = 1, height = 0, width = 0;
        for (int k = 0; k < Math.Min(classes.Count, InferShapeClasses); k++)
        {
            var file = classes[k].Files[0];
            var bytes = ReadFile(file, maxFileBytes);
            bool color; int h, w;
            if (IsPng(file)) { (color, w, h) = Png.ReadHeader(bytes, file); }
            else { var g = Pgm.Decode(bytes, file); (color, w, h) = (false, g.Width, g.Height); }
            if (k == 0) (height, width) = (h, w);
            if (color) channels = 3;
        }
        return [channels, height, width];
    }

    /// <summary>
    /// Reads one image file (<c>.png</c> or <c>.pgm</c>) as a [channels, height, width] float array in [0, 1], converted
    /// exactly as <see cref="Load"/> converts each image (use it to predict on images like those trained on).
    /// </summary>
    public static float[] LoadImage(string path, int channels, int height, int width, long maxFileBytes = DefaultMaxFileBytes)
    {
        CheckShape(channels, height, width, maxFileBytes);
        if (!File.Exists(path)) throw new DatasetNotFoundException($"ImageFolder: image file {path} not found");
        if (!IsImage(path)) throw new DataFormatException($"{path}: extension '{Path.GetExtension(path)}' is not an image; .png or .pgm expected");
        long length = new FileInfo(path).Length;
        CheckFileSize(path, length, maxFileBytes);
        return Convert(path, ReadFile(path, maxFileBytes), channels, height, width);
    }

    private static void CheckShape(int channels, int height, int width, long maxFileBytes)
    {
        if (channels is not (1 or 3)) throw new ValueException($"ImageFolder: channels must be 1 (gray) or 3 (RGB), got {channels}");
        if (height <= 0 || width <= 0) throw new ValueException($"ImageFolder: height and width must be positive, got {height}x{width}");
        if (maxFileBytes <= 0) throw new ValueException($"ImageFolder: maxFileBytes must be positive, got {maxFileBytes}");
    }

    /// <summary>root/train and root/test when both exist (names matched ignoring case), else null.</summary>
    private static (string Train, string Test)? SplitFolders(string root)
    {
        EnsureRoot(root);
        var dirs = VisibleDirectories(root);
        var train = dirs.FirstOrDefault(d => d.Equals("train", StringComparison.OrdinalIgnoreCase));
        var test = dirs.FirstOrDefault(d => d.Equals("test", StringComparison.OrdinalIgnoreCase));
        return train is null || test is null ? null : (Path.Combine(root, train), Path.Combine(root, test));
    }

    private static void EnsureRoot(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (!Directory.Exists(root))
            throw new DatasetNotFoundException(File.Exists(root)
                ? $"ImageFolder: {root} is a file; a folder with one subfolder per class expected"
                : $"ImageFolder: folder {root} not found");
    }

    private sealed record ClassFolder(string Name, List<string> Files);

    /// <summary>The class folders of <paramref name="root"/> with their image files, every layout rule checked.</summary>
    private static List<ClassFolder> Scan(string root, long maxFileBytes, int minClasses = 2)
    {
        EnsureRoot(root);
        var names = VisibleDirectories(root).Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0)
        {
            int loose = VisibleFiles(root).Count(IsImage);
            throw new DataFormatException($"{root}: no class subfolders; expected {Path.Combine(root, "<class>", "<image>.png|.pgm")}" +
                (loose > 0 ? $" ({loose} images lie directly in the folder: put each class's images in its own subfolder)" : ""));
        }
        if (names.Count < minClasses)
            throw new DataFormatException($"{root}: {names.Count} class subfolder ('{names[0]}') found, at least {minClasses} expected (a classifier needs two classes or more)");
        var classes = new List<ClassFolder>(names.Count);
        foreach (var name in names)
        {
            var dir = Path.Combine(root, name);
            var found = new List<(string Dir, string File)>();
            int ignored = 0;
            Collect(dir, "", found, ref ignored);
            if (found.Count == 0)
                throw new DataFormatException($"{dir}: class folder '{name}' holds no .png or .pgm images" + (ignored > 0 ? $" ({ignored} other files ignored)" : ""));
            if (SplitNames.Contains(name, StringComparer.OrdinalIgnoreCase) && found.All(f => f.Dir.Length > 0))
                throw new DataFormatException($"{dir}: looks like a split folder (its images are all in subfolders), not a class; " +
                    $"ImageFolder.LoadTrainTest uses {root}/train and /test when both exist, else load each split folder on its own");
            var files = found.OrderBy(f => f.Dir, StringComparer.Ordinal).ThenBy(f => f.File, StringComparer.Ordinal)
                .Select(f => Path.Combine(dir, f.Dir, f.File)).ToList();
            foreach (var f in files) CheckFileSize(f, new FileInfo(f).Length, maxFileBytes);
            classes.Add(new ClassFolder(name, files));
        }
        return classes;
    }

    /// <summary>Image files under <paramref name="dir"/> (relative folder with '/' separators, file name), recursively.</summary>
    private static void Collect(string dir, string relative, List<(string Dir, string File)> found, ref int ignored)
    {
        foreach (var name in VisibleFiles(dir))
            if (IsImage(name)) found.Add((relative, name));
            else ignored++;
        foreach (var sub in VisibleDirectories(dir))
        {
            var path = Path.Combine(dir, sub);
            if (new DirectoryInfo(path).LinkTarget is not null) continue;
            Collect(path, relative.Length == 0 ? sub : relative + "/" + sub, found, ref ignored);
        }
    }

    private static bool IsHidden(FileSystemInfo info) => info.Name.StartsWith('.') || (info.Attributes & FileAttributes.Hidden) != 0;

    private static List<string> VisibleDirectories(string dir) =>
        new DirectoryInfo(dir).EnumerateDirectories().Where(d => !IsHidden(d)).Select(d => d.Name).ToList();

    private static List<string> VisibleFiles(string dir) =>
        new DirectoryInfo(dir).EnumerateFiles().Where(f => !IsHidden(f)).Select(f => f.Name).ToList();

    private static bool IsPng(string path) => path.EndsWith(".png", StringComparison.OrdinalIgnoreCase);

    private static bool IsImage(string path) => IsPng(path) || path.EndsWith(".pgm", StringComparison.OrdinalIgnoreCase);

    private static void CheckFileSize(string file, long length, long maxFileBytes)
    {
        if (length == 0) throw new DataFormatException($"{file}: empty file (0 bytes); a PNG or PGM image expected");
        if (length > maxFileBytes) throw new DataFormatException($"{file}: {length} bytes, above the limit of {maxFileBytes} bytes (maxFileBytes)");
    }

    private static byte[] ReadFile(string file, long maxFileBytes)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException($"{file}: cannot read ({e.Message})", e);
        }
        CheckFileSize(file, bytes.Length, maxFileBytes);
        return bytes;
    }

    /// <summary>Decodes and converts one image to [channels, height, width] (a fresh array).</summary>
    private static float[] Convert(string file, byte[] bytes, int channels, int height, int width)
    {
        if (channels == 1 || !IsPng(file))
        {
            var gray = IsPng(file) ? Png.Decode(bytes, file) : Pgm.Decode(bytes, file);
            if (gray.Width != width || gray.Height != height) gray = gray.Resize(width, height);
            return channels == 1 ? gray.Pixels : RgbImage.FromGray(gray).Pixels;
        }
        var rgb = Png.DecodeRgb(bytes, file);
        if (rgb.Width != width || rgb.Height != height) rgb = rgb.Resize(width, height);
        return rgb.Pixels;
    }

    private static ImageFolderData Read(string root, List<ClassFolder> classes, int channels, int height, int width, long maxFileBytes)
    {
        var files = new List<string>();
        var labels = new List<int>();
        for (int k = 0; k < classes.Count; k++)
            foreach (var f in classes[k].Files) { files.Add(f); labels.Add(k); }
        int n = files.Count, size = channels * height * width;
        if ((long)n * size > Array.MaxLength)
            throw new ValueException($"ImageFolder: {root}: {n} images of [{channels},{height},{width}] need {(long)n * size} floats, more than one array holds ({Array.MaxLength}); use a smaller height and width");
        var x = new float[n * size];
        var errors = new Exception?[n];
        Parallel.For(0, n, (i, state) =>
        {
            try
            {
                var image = Convert(files[i], ReadFile(files[i], maxFileBytes), channels, height, width);
                image.CopyTo(x, i * size);
            }
            catch (Exception e)
            {
                errors[i] = e;
                state.Break(); // every earlier image is still read, so the first bad file in load order is reported
            }
        });
        foreach (var e in errors)
            if (e is not null) ExceptionDispatchInfo.Capture(e).Throw();
        return new ImageFolderData(new TensorDataset(Tensor.Wrap(x, n, channels, height, width), [.. labels]),
            classes.Select(c => c.Name).ToArray(), files);
    }
}
