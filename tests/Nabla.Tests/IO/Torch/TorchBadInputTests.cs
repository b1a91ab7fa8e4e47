using System.IO.Compression;
using System.Text;
using Nabla.Errors;
using Nabla.IO;
using Nabla.IO.Torch;
using Nabla.NN;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.IO.Torch;

/// <summary>
/// Damaged and hostile files: each is a clear error naming the file (and the zip entry or tensor) with the expected
/// versus the found value, nothing is returned halfway, and a model the caller meant to load into is unchanged.
/// </summary>
public sealed class TorchBadInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-torch-bad").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Loading <paramref name="path"/> into the MLP twin fails with all of <paramref name="parts"/> in the message, and leaves the model as it was.</summary>
    private static void AssertRefused(string path, params string[] parts)
    {
        var model = TorchModels.Build("mlp");
        var before = model.StateDict().Select(kv => kv.Value.ToDoubleArray()).ToList();
        var ex = Assert.ThrowsAny<NablaException>(() => model.LoadStateDict(TorchFile.Load(path)));
        foreach (var part in parts) Assert.Contains(part, ex.Message);
        Assert.Equal(before, model.StateDict().Select(kv => kv.Value.ToDoubleArray()).ToList());
    }

    private static byte[] Fixture(string name) => File.ReadAllBytes(TorchModels.Fixture(name));

    /// <summary>A copy of a zip with the entries ending in <paramref name="suffix"/> changed.</summary>
    private static byte[] ChangeEntry(byte[] zip, string suffix, Func<byte[], byte[]> change)
    {
        using var source = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        var output = new MemoryStream();
        using (var target = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var e in source.Entries)
            {
                using var ms = new MemoryStream();
                using (var s = e.Open()) s.CopyTo(ms);
                var bytes = e.FullName.EndsWith(suffix, StringComparison.Ordinal) ? change(ms.ToArray()) : ms.ToArray();
                using var w = target.CreateEntry(e.FullName, CompressionLevel.NoCompression).Open();
                w.Write(bytes);
            }
        return output.ToArray();
    }

    /// <summary>A torch-format zip whose data.pkl is <paramref name="pickle"/>.</summary>
    private static byte[] ZipWithPickle(byte[] pickle) => ChangeEntry(Fixture("mlp.pt"), "/data.pkl", _ => pickle);

    private static byte[] Replace(byte[] bytes, string from, string to)
    {
        string s = Encoding.Latin1.GetString(bytes);
        Assert.Contains(from, s);
        return Encoding.Latin1.GetBytes(s.Replace(from, to));
    }

    [Fact]
    public void TruncatedZip()
    {
        var bytes = Fixture("mlp.pt");
        AssertRefused(Write("cut.pt", bytes[..(bytes.Length / 2)]), "cut.pt", "not a complete zip archive", $"{bytes.Length / 2} bytes", "truncated");
    }

    [Fact]
    public void StorageShorterThanItsTensor() =>
        // 1.weight is [16, 20] float32 in storage 0: 1280 bytes; the entry keeps 1276.
        AssertRefused(Write("short.pt", ChangeEntry(Fixture("mlp.pt"), "/data/0", b => b[..^4])),
            "short.pt", "mlp/data/0 has 1276 bytes", "320 float32 elements need 1280");

    [Fact]
    public void StorageClaimingAnAbsurdElementCount()
    {
        // The persistent id of storage 0 says 2^61 elements (LONG1 of 8 bytes instead of BININT2 320): refused, not wrapped around.
        var pkl = ChangeEntry(Fixture("mlp.pt"), "/data.pkl", b => Replace(b, "X\u0003\u0000\u0000\u0000cpuq\u0007M@\u0001t", "X\u0003\u0000\u0000\u0000cpuq\u0007\u008a\u0008\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0020t"));
        AssertRefused(Write("huge.pt", pkl), "huge.pt", "entry mlp/data/0 has 1280 bytes; its 2305843009213693952 float32 elements need more");
    }

    [Fact]
    public void UnsupportedStorageType() =>
        AssertRefused(Write("int16.pt", ChangeEntry(Fixture("mlp.pt"), "/data.pkl", b => Replace(b, "torch\nFloatStorage\n", "torch\nShortStorage\n"))),
            "int16.pt:mlp/data.pkl", "torch.ShortStorage is not supported", "torch.FloatStorage, torch.DoubleStorage");

    [Fact]
    public void UnsupportedSafeTensorsDType() =>
        AssertRefused(Write("i32.safetensors", Replace(Fixture("mlp.safetensors"), "\"dtype\":\"F32\"", "\"dtype\":\"I32\"")),
            "i32.safetensors", "has dtype I32", "supported are F32, F64, F16, BF16, I64");

    [Fact]
    public void SafeTensorsShorterThanItsHeader()
    {
        var bytes = Fixture("mlp.safetensors");
        AssertRefused(Write("cut.safetensors", bytes[..^8]), "cut.safetensors", "fall outside the");
    }

    [Fact]
    public void UnknownOpcode() =>
        AssertRefused(Write("op.pt", ZipWithPickle([0x80, 0x02, 0xff, (byte)'.'])), "op.pt:mlp/data.pkl", "unknown or unsupported opcode 0xff", "at byte 2");

    [Fact]
    public void PickleEndingBeforeStop() =>
        AssertRefused(Write("stop.pt", ZipWithPickle([0x80, 0x02, (byte)'}'])), "stop.pt:mlp/data.pkl", "ends before STOP");

    [Fact]
    public void ForbiddenGlobalIsRefusedWithoutRunningIt()
    {
        // evil.pt's data.pkl is pickle.dumps({"weight": Evil()}) where Evil.__reduce__ returns (os.system, ("echo nabla-pwned",)).
        AssertRefused(TorchModels.Fixture("evil.pt"), "evil.pt:evil/data.pkl", "refused global 'posix.system'", "collections.OrderedDict", "runs no code");
        var builtins = ZipWithPickle([0x80, 0x02, .. "cbuiltins\neval\n"u8, (byte)')', (byte)'R', (byte)'.']);
        AssertRefused(Write("eval.pt", builtins), "eval.pt", "refused global 'builtins.eval'");
    }

    [Fact]
    public void ObjectCreatingOpcodesAreRefused() =>
        AssertRefused(Write("newobj.pt", ZipWithPickle([0x80, 0x02, 0x81, (byte)'.'])), "newobj.pt", "NEWOBJ", "refused");

    [Fact]
    public void NotAStateDict()
    {
        AssertRefused(Write("list.pt", ZipWithPickle([0x80, 0x02, (byte)']', (byte)'.'])), "list.pt", "holds a list, not a state dict");
        byte[] epoch = [0x80, 0x02, (byte)'}', (byte)'X', 5, 0, 0, 0, .. "epoch"u8, (byte)'K', 3, (byte)'s', (byte)'.'];
        AssertRefused(Write("epoch.pt", ZipWithPickle(epoch)), "epoch.pt", "entry 'epoch' is a int, not a tensor");
    }

    [Fact]
    public void LegacyFormatSaysHowToResave() =>
        AssertRefused(Write("old.pt", [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8]),
            "old.pt", "legacy torch.save format", "torch.save(torch.load(\"old.pt\")");

    [Fact]
    public void ZipWithoutDataPkl()
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            using (var w = zip.CreateEntry("x/readme.txt").Open()) w.Write("hi"u8);
        AssertRefused(Write("other.zip", ms.ToArray()), "other.zip", "without a data.pkl entry", "x/readme.txt");
    }

    [Fact]
    public void MissingStorageEntry() =>
        AssertRefused(Write("gone.pt", ChangeEntry(Fixture("mlp.pt"), "/data.pkl", b => Replace(b, "X\u0001\u0000\u0000\u00000", "X\u0001\u0000\u0000\u0000z"))),
            "gone.pt", "entry mlp/data/z (storage 'z') is missing");

    [Fact]
    public void StrictLoadReportsEveryProblemAtOnceAndChangesNothing()
    {
        var model = TorchModels.Build("mlp");
        var state = TorchFile.Load(TorchModels.Fixture("mlp.pt"));
        var bad = new TensorStateDict("edited.pt");
        foreach (var (k, t) in state)
            if (k == "1.bias") continue;                                 // missing
            else if (k == "4.weight") bad.Set(k, Tensor.Zeros([8, 15])); // wrong shape
            else bad.Set(k, t);
        bad.Set("9.weight", Tensor.Zeros([2]));                          // unexpected
        var before = model.StateDict().Select(kv => kv.Value.ToDoubleArray()).ToList();
        var ex = Assert.Throws<CheckpointException>(() => model.LoadStateDict(bad));
        Assert.Contains("edited.pt: does not fit the model", ex.Message);
        Assert.Contains("missing [1.bias]", ex.Message);
        Assert.Contains("unexpected [9.weight]", ex.Message);
        Assert.Contains("tensor '4.weight' of Linear(16 → 8) has shape [8,15] in the file but [8,16] in the model", ex.Message);
        Assert.Equal(before, model.StateDict().Select(kv => kv.Value.ToDoubleArray()).ToList());

        // Not strict: the missing and unexpected names are returned, the rest loads; a wrong shape still refuses.
        Assert.Throws<CheckpointException>(() => model.LoadStateDict(bad, strict: false));
        bad.Set("4.weight", state["4.weight"]);
        var result = model.LoadStateDict(bad, strict: false);
        Assert.Equal(["1.bias"], result.MissingKeys);
        Assert.Equal(["9.weight"], result.UnexpectedKeys);
        Assert.Equal(state["4.weight"].ToDoubleArray(), model.StateDict()["4.weight"].ToDoubleArray());
    }

    [Fact]
    public void RenameMapsACheckpointsNamesOntoTheModels()
    {
        // A checkpoint saved from a module that held the network as `net` (net.1.weight, ...), and an extra head.
        var state = TorchFile.Load(TorchModels.Fixture("mlp.pt"));
        var prefixed = new TensorStateDict("prefixed.pt");
        foreach (var (k, t) in state) prefixed.Set("net." + k, t);
        prefixed.Set("head.weight", Tensor.Zeros([1]));
        var model = TorchModels.Build("mlp");
        Assert.Throws<CheckpointException>(() => model.LoadStateDict(prefixed));
        model.LoadStateDict(prefixed, rename: k => k.StartsWith("net.", StringComparison.Ordinal) ? k[4..] : null);
        Assert.Equal(state["6.weight"].ToDoubleArray(), model.StateDict()["6.weight"].ToDoubleArray());
        var clash = Assert.Throws<CheckpointException>(() => model.LoadStateDict(prefixed, rename: k => k == "head.weight" ? "1.bias" : k[4..]));
        Assert.Contains("'net.1.bias' and 'head.weight' are both renamed to '1.bias'", clash.Message);
    }
}
