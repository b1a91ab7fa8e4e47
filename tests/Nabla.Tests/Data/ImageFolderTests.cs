using Nabla.Data;
using Nabla.Errors;
using Nabla.IO;
using Xunit;

namespace Nabla.Tests.Data;

public sealed class ImageFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("nabla-imagefolder-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(string relative, byte[] bytes)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static GrayImage Gray(int w, int h, float v) => new(w, h, Enumerable.Repeat(v, w * h).ToArray());

    private static RgbImage Rgb(int w, int h, float r, float g, float b) =>
        new(w, h, [.. Enumerable.Repeat(r, w * h), .. Enumerable.Repeat(g, w * h), .. Enumerable.Repeat(b, w * h)]);

    private static byte[] GrayPng(int w, int h, int value) => Png.EncodeGray(Gray(w, h, value / 255f));

    private static byte[] GrayPgm(int w, int h, int value) => Pgm.Encode(Gray(w, h, value / 255f));

    private static void AssertAll(ReadOnlySpan<float> values, double expected, double tol = 1e-6)
    {
        foreach (var v in values) Assert.True(Math.Abs(v - expected) <= tol, $"expected {expected}, got {v}");
    }

    [Fact]
    public void ImageFolderLabelsClassesOrdinallyAndOrdersFilesAndSkipsOthers()
    {
        // Each image is a constant gray value that identifies it; sizes differ, so every one is resized to 4x4.
        Write("b_dog/img2.png", GrayPng(3, 5, 10));
        Write("b_dog/img10.png", GrayPng(8, 8, 11));
        Write("b_dog/IMG3.PGM", GrayPgm(4, 2, 12));
        Write("b_dog/sub/deep.pgm", GrayPgm(4, 4, 13));
        Write("a_cat/x.png", GrayPng(6, 6, 20));
        Write("Zebra/z.pgm", GrayPgm(2, 2, 30));
        Write("B_upper/u.Png", GrayPng(4, 4, 40));
        // Ignored: other extensions, hidden files and folders (also at the class level).
        Write("b_dog/notes.txt", [1, 2, 3]);
        Write("b_dog/.hidden.png", [1, 2, 3]);
        Write("b_dog/.cache/y.png", [1, 2, 3]);
        Write(".ipynb_checkpoints/c.png", [1, 2, 3]);
        Write("README.md", [1]);

        var data = ImageFolder.Load(_root, 1, 4, 4);
        Assert.Equal(new[] { "B_upper", "Zebra", "a_cat", "b_dog" }, data.ClassNames);
        Assert.Equal(new[] { 0, 1, 2, 3, 3, 3, 3 }, data.Dataset.Labels);
        Assert.Equal(new[] { 7, 1, 4, 4 }, data.Dataset.Features.Shape.Dims.ToArray());
        Assert.Equal(new[] { "B_upper/u.Png", "Zebra/z.pgm", "a_cat/x.png", "b_dog/IMG3.PGM", "b_dog/img10.png", "b_dog/img2.png", "b_dog/sub/deep.pgm" },
            data.Files.Select(f => Path.GetRelativePath(_root, f).Replace('\\', '/')));
        int[] ids = [40, 30, 20, 12, 11, 10, 13];
        var x = data.Dataset.Features.AsSpan<float>();
        for (int i = 0; i < ids.Length; i++) AssertAll(x.Slice(i * 16, 16), ids[i] / 255.0);
    }

    [Fact]
    public void ImageFolderConvertsColourToGrayByLuminanceAndReplicatesGrayIntoThreeChannels()
    {
        // 2x2 RGB: red, green / blue, white. 2x2 gray PGM: 0, 85 / 170, 255. 1x1 RGBA, alpha 51 over black.
        var colour = new RgbImage(2, 2, [1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1]);
        Write("a/colour.png", Png.EncodeRgb(colour));
        Write("b/gray.pgm", Pgm.Encode(new GrayImage(2, 2, [0, 85 / 255f, 170 / 255f, 1])));
        Write("c/alpha.png", PngBuilder(1, 1, [0, 255, 100, 0, 51]));

        var one = ImageFolder.Load(_root, 1, 2, 2).Dataset.Features.AsSpan<float>().ToArray();
        TestUtil.AssertClose([0.299, 0.587, 0.114, 1], one[..4].Select(v => (double)v).ToArray(), 1e-6);
        TestUtil.AssertClose([0, 85 / 255.0, 170 / 255.0, 1], one[4..8].Select(v => (double)v).ToArray(), 1e-6);
        AssertAll(one.AsSpan(8, 4), (0.299 * 255 + 0.587 * 100) / 255 * 51 / 255, 1e-5);

        var three = ImageFolder.Load(_root, 3, 2, 2).Dataset.Features.AsSpan<float>().ToArray();
        Assert.Equal(colour.Pixels, three[..12]); // R plane, G plane, B plane
        float[] gray = [0, 85 / 255f, 170 / 255f, 1];
        Assert.Equal(gray.Concat(gray).Concat(gray), three[12..24]);
        float a = 51 / 255f;
        Assert.Equal(new[] { 1 * a, 100 / 255f * a, 0f }, new[] { three[24], three[28], three[32] });
    }

    private static byte[] PngBuilder(int w, int h, byte[] rgbaScanlines) => Nabla.Tests.IO.PngBuilder.Build(w, h, 8, 6, rgbaScanlines);

    [Fact]
    public void ImageFolderResizeOfAConstantImageStaysConstantAndLoadImageMatchesTheRow()
    {
        Write("a/big.png", Png.EncodeRgb(Rgb(37, 23, 0.2f, 0.4f, 0.6f)));
        Write("b/small.png", Png.EncodeRgb(Rgb(3, 2, 1, 0.8f, 0)));
        var data = ImageFolder.Load(_root, 3, 8, 10);
        var x = data.Dataset.Features.AsSpan<float>();
        int plane = 80;
        double[] first = [51 / 255.0, 102 / 255.0, 153 / 255.0], second = [1, 204 / 255.0, 0];
        for (int c = 0; c < 3; c++)
        {
            AssertAll(x.Slice(c * plane, plane), first[c]);
            AssertAll(x.Slice(3 * plane + c * plane, plane), second[c]);
        }
        Assert.Equal(x[..240].ToArray(), ImageFolder.LoadImage(data.Files[0], 3, 8, 10));
    }

    [Fact]
    public void ImageFolderUsesTrainAndTestFoldersWhenBothExist()
    {
        foreach (var (split, n) in new[] { ("train", 3), ("test", 1) })
            foreach (var (cls, v) in new[] { ("cat", 10), ("dog", 20) })
                for (int i = 0; i < n; i++) Write($"{split}/{cls}/{i}.png", GrayPng(5, 5, v + i));
        Write("val/cat/0.png", GrayPng(5, 5, 99)); // ignored

        var data = ImageFolder.LoadTrainTest(_root, 1, 5, 5);
        Assert.Equal(new[] { "cat", "dog" }, data.ClassNames);
        Assert.Equal(new[] { 0, 0, 0, 1, 1, 1 }, data.Train.Labels);
        Assert.Equal(new[] { 0, 1 }, data.Test.Labels);
        AssertAll(data.Test.Features.AsSpan<float>()[..25], 10 / 255.0);
        AssertAll(data.Test.Features.AsSpan<float>()[25..], 20 / 255.0);
        Assert.Equal(new[] { 1, 5, 5 }, ImageFolder.InferShape(_root));

        // Loading the root as classes is refused: train/ and test/ hold subfolders, not images.
        var e = Assert.Throws<DataFormatException>(() => ImageFolder.Load(_root, 1, 5, 5));
        Assert.Contains(Path.Combine(_root, "test") + ": looks like a split folder", e.Message);

        // A class missing from test/, then a class only in test/.
        Directory.Delete(Path.Combine(_root, "test", "dog"), recursive: true);
        e = Assert.Throws<DataFormatException>(() => ImageFolder.LoadTrainTest(_root, 1, 5, 5));
        Assert.Equal($"{Path.Combine(_root, "test")}: no folder for class 'dog' of {Path.Combine(_root, "train")}; train/ and test/ need the same class subfolders", e.Message);
        Write("test/dog/0.png", GrayPng(5, 5, 1));
        Write("test/bird/0.png", GrayPng(5, 5, 1));
        e = Assert.Throws<DataFormatException>(() => ImageFolder.LoadTrainTest(_root, 1, 5, 5));
        Assert.StartsWith($"{Path.Combine(_root, "test", "bird")}: class 'bird' has no folder in {Path.Combine(_root, "train")}", e.Message);
    }

    [Fact]
    public void ImageFolderHeldOutSplitIsStratifiedAndReproducibleBySeed()
    {
        // Classes of 10, 6 and 4 images; image id (1..20) as its gray value.
        int id = 0;
        foreach (var (cls, n) in new[] { ("a", 10), ("b", 6), ("c", 4) })
            for (int i = 0; i < n; i++) { id++; Write($"{cls}/{i:D2}.pgm", GrayPgm(2 + i % 3, 3, id)); }

        TrainTestData Load(ulong seed) => ImageFolder.LoadTrainTest(_root, 1, 3, 3, testFraction: 0.5, seed: seed);
        static int[] Ids(TensorDataset d) =>
            Enumerable.Range(0, d.Count).Select(i => (int)Math.Round(d.Features.AsSpan<float>()[i * 9] * 255)).ToArray();

        var s = Load(7);
        Assert.Equal(new[] { "a", "b", "c" }, s.ClassNames);
        Assert.Equal(new[] { 5, 3, 2 }, s.Test.ClassCounts());
        Assert.Equal(new[] { 5, 3, 2 }, s.Train.ClassCounts());
        var train = Ids(s.Train); var test = Ids(s.Test);
        Assert.Equal(Enumerable.Range(1, 20), train.Concat(test).Order());
        // Every row keeps its own label: ids 1-10 are class a, 11-16 b, 17-20 c.
        for (int i = 0; i < test.Length; i++) Assert.Equal(test[i] <= 10 ? 0 : test[i] <= 16 ? 1 : 2, s.Test.Labels![i]);
        Assert.Equal(test, Ids(Load(7).Test));
        Assert.NotEqual(test, Ids(Load(8).Test));
        Assert.Throws<ValueException>(() => ImageFolder.LoadTrainTest(_root, 1, 3, 3, testFraction: 1));
    }

    [Fact]
    public void ImageFolderInferShapeTakesTheFirstImageSizeAndColourFromAnyClass()
    {
        Write("a/0.pgm", GrayPgm(6, 4, 1));
        Write("a/1.png", GrayPng(9, 9, 1));
        Write("b/0.png", GrayPng(2, 2, 1));
        Assert.Equal(new[] { 1, 4, 6 }, ImageFolder.InferShape(_root));
        Write("c/0.png", Png.EncodeRgb(Rgb(2, 2, 1, 0, 0)));
        Assert.Equal(new[] { 3, 4, 6 }, ImageFolder.InferShape(_root));
    }

    [Fact]
    public void ImageFolderFollowsALinkedClassFolderButNotLinksBelowIt()
    {
        var elsewhere = Directory.CreateTempSubdirectory("nabla-imagefolder-linked-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(elsewhere, "0.png"), GrayPng(2, 2, 7));
            Write("a/0.png", GrayPng(2, 2, 1));
            try
            {
                Directory.CreateSymbolicLink(Path.Combine(_root, "b"), elsewhere);
                Directory.CreateSymbolicLink(Path.Combine(_root, "a", "loop"), Path.Combine(_root, "a")); // a cycle
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; } // no symbolic links here
            var data = ImageFolder.Load(_root, 1, 2, 2);
            Assert.Equal(new[] { "a", "b" }, data.ClassNames);
            Assert.Equal(new[] { 0, 1 }, data.Dataset.Labels);
            AssertAll(data.Dataset.Features.AsSpan<float>()[4..], 7 / 255.0);
        }
        finally { Directory.Delete(elsewhere, recursive: true); }
    }

    [Fact]
    public void ImageFolderLayoutErrorsNameTheFolder()
    {
        var missing = Path.Combine(_root, "nope");
        var nf = Assert.Throws<DatasetNotFoundException>(() => ImageFolder.Load(missing, 1, 4, 4));
        Assert.Equal($"ImageFolder: folder {missing} not found", nf.Message);

        var e = Assert.Throws<DataFormatException>(() => ImageFolder.Load(_root, 1, 4, 4));
        Assert.StartsWith($"{_root}: no class subfolders", e.Message);
        Write("loose.png", GrayPng(2, 2, 1));
        e = Assert.Throws<DataFormatException>(() => ImageFolder.InferShape(_root));
        Assert.Contains("1 images lie directly in the folder", e.Message);

        Write("only/0.png", GrayPng(2, 2, 1));
        e = Assert.Throws<DataFormatException>(() => ImageFolder.Load(_root, 1, 4, 4));
        Assert.Equal($"{_root}: 1 class subfolder ('only') found, at least 2 expected (a classifier needs two classes or more)", e.Message);

        Write("empty/readme.txt", [1]);
        e = Assert.Throws<DataFormatException>(() => ImageFolder.LoadTrainTest(_root, 1, 4, 4));
        Assert.Equal($"{Path.Combine(_root, "empty")}: class folder 'empty' holds no .png or .pgm images (1 other files ignored)", e.Message);

        Assert.Throws<ValueException>(() => ImageFolder.Load(_root, 2, 4, 4));
        Assert.Throws<ValueException>(() => ImageFolder.Load(_root, 1, 0, 4));
    }

    [Fact]
    public void ImageFolderFileErrorsNameTheFileAndKeepTheDecoderReason()
    {
        Write("a/ok.png", GrayPng(2, 2, 1));
        var empty = Write("b/empty.png", []);
        var e = Assert.Throws<DataFormatException>(() => ImageFolder.Load(_root, 1, 2, 2));
        Assert.Equal($"{empty}: empty file (0 bytes); a PNG or PGM image expected", e.Message);

        File.Delete(empty);
        // A noisy image compresses worse than the constant 2x2 one, so only it is over the limit.
        var big = Write("b/big.png", Png.EncodeGray(new GrayImage(16, 16, [.. Enumerable.Range(0, 256).Select(i => i * 37 % 256 / 255f)])));
        long size = new FileInfo(big).Length;
        e = Assert.Throws<DataFormatException>(() => ImageFolder.Load(_root, 1, 2, 2, maxFileBytes: size - 1));
        Assert.Equal($"{big}: {size} bytes, above the limit of {size - 1} bytes (maxFileBytes)", e.Message);
        Assert.Equal(2, ImageFolder.Load(_root, 1, 2, 2, maxFileBytes: size).Dataset.Count);

        // Two corrupt files: the first in load order is reported, with the decoder's reason.
        var png = GrayPng(4, 4, 1);
        png[20] ^= 1; // inside IHDR: its CRC no longer matches
        var badPng = Write("b/c.png", png);
        Write("b/d.pgm", "P5\n4 4\n255\nxy"u8.ToArray());
        e = Assert.Throws<DataFormatException>(() => ImageFolder.Load(_root, 3, 2, 2));
        Assert.Equal($"{badPng}: CRC mismatch in chunk 'IHDR' at byte 8", e.Message);
        File.Delete(badPng);
        e = Assert.Throws<DataFormatException>(() => ImageFolder.Load(_root, 1, 2, 2));
        Assert.Equal($"{Path.Combine(_root, "b", "d.pgm")}: truncated: 4x4 pixels need 16 bytes, 2 present", e.Message);
    }
}
