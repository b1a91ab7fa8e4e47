using Nabla.Data;
using Xunit;

namespace Nabla.Tests.Data;

/// <summary>Loads the real MNIST once for all tests of the class.</summary>
public sealed class MnistFixture
{
    public MnistFixture() => Data = Mnist.Load();
    public TrainTestData Data { get; }
}

public class MnistTests(MnistFixture fixture) : IClassFixture<MnistFixture>
{
    // Counts per digit 0..9 from /work/shared/data/README.md (computed there by verify_idx.py, independently of Nabla).
    private static readonly int[] TrainCounts = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
    private static readonly int[] TestCounts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

    [Fact]
    public void RepositoryCopyIsFoundAndHasTheDocumentedCounts()
    {
        var (train, test) = (fixture.Data.Train, fixture.Data.Test);
        Assert.Equal(60000, train.Count);
        Assert.Equal(10000, test.Count);
        Assert.Equal(new[] { 60000, 1, 28, 28 }, train.Features.Shape.ToArray());
        Assert.Equal(5, train.Labels![0]);
        Assert.Equal(7, test.Labels![0]);
        Assert.Equal(TrainCounts, train.ClassCounts());
        Assert.Equal(TestCounts, test.ClassCounts());
        Assert.Equal(10, fixture.Data.ClassNames.Count);
    }

    [Fact]
    public void PixelsArePixelOver255()
    {
        var x = fixture.Data.Train.Features.AsSpan<float>();
        float min = float.MaxValue, max = float.MinValue;
        foreach (float v in x[..(784 * 100)]) { min = Math.Min(min, v); max = Math.Max(max, v); }
        Assert.Equal(0f, min);
        Assert.Equal(1f, max);
        // Every value is k/255 for an integer k.
        for (int i = 0; i < 784 * 10; i++) Assert.Equal(Math.Round(x[i] * 255.0), x[i] * 255.0, 3);
        var flat = fixture.Data.Train.Flatten();
        Assert.Equal(new[] { 60000, 784 }, flat.Features.Shape.ToArray());
        Assert.Equal(x[784 * 7 + 400], flat.Features[7, 400]);
    }

    [Fact]
    public void FirstTrainingImageAgreesWithTheRawFile()
    {
        // Independent path: gunzip with the framework and index the bytes at offset 16 by hand.
        var folder = Mnist.FindFolder()!;
        using var gz = new System.IO.Compression.GZipStream(File.OpenRead(Path.Combine(folder, "train-images-idx3-ubyte.gz")), System.IO.Compression.CompressionMode.Decompress);
        var head = new byte[16 + 784];
        gz.ReadExactly(head);
        var img = fixture.Data.Train.Features;
        for (int p = 0; p < 784; p++) Assert.Equal(head[16 + p] / 255f, (float)img[0, 0, p / 28, p % 28]);
    }

    [Fact]
    public void MissingFolderGivesAHelpfulError()
    {
        var e = Assert.Throws<DatasetNotFoundException>(() => FashionMnist.Load(Path.Combine(Path.GetTempPath(), "no-such-fashion")));
        Assert.Contains("train-images-idx3-ubyte", e.Message);
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[9]);
    }

    [Fact]
    public void NablaDataIsSearchedFirst()
    {
        // A folder holding mnist/ (links to the real files, so that tests running alongside still load MNIST).
        var root = Directory.CreateTempSubdirectory("nabla-data").FullName;
        var original = Environment.GetEnvironmentVariable(DataLocations.EnvironmentVariable);
        try
        {
            var source = Mnist.FindFolder()!;
            Directory.CreateDirectory(Path.Combine(root, "mnist"));
            foreach (var f in Directory.GetFiles(source, "*.gz"))
                File.CreateSymbolicLink(Path.Combine(root, "mnist", Path.GetFileName(f)), f);
            Environment.SetEnvironmentVariable(DataLocations.EnvironmentVariable, root);
            Assert.Equal(Path.Combine(root, "mnist"), Mnist.FindFolder());
            Assert.Equal(root, DataLocations.Roots().First());
            Assert.Contains($"NABLA_DATA/fashion-mnist ({root})", DataLocations.Describe("fashion-mnist"));
            Assert.EndsWith(Path.Combine(".local", "share", "nabla"), DataLocations.UserFolder);
        }
        finally
        {
            Environment.SetEnvironmentVariable(DataLocations.EnvironmentVariable, original);
            Directory.Delete(root, true);
        }
    }
}
