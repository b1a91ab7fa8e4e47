using Nabla.Errors;
using Nabla.IO;
using Nabla.NN;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.IO;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-ckpt").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Sequential Mlp(ulong seed) => new(new Linear(4, 3, generator: new Generator(seed)), new Linear(3, 2, generator: new Generator(seed + 1)));

    [Fact]
    public void SaveAndLoadRestoresEveryParameterBitForBit()
    {
        var a = Mlp(1);
        var path = Path.Combine(_dir, "m.safetensors");
        Checkpoint.Save(path, a, new Dictionary<string, string> { ["epoch"] = "3" },
            [new("optimizer.step", Tensor.Scalar(42, DType.Float64))]);
        var b = Mlp(99);
        var file = Checkpoint.Load(path, b);
        foreach (var ((_, pa), (_, pb)) in a.NamedParameters().Zip(b.NamedParameters()))
            Assert.Equal(pa.Data.ToArray(), pb.Data.ToArray());
        Assert.Equal("3", file.Metadata["epoch"]);
        Assert.Equal(42.0, file.Get("optimizer.step")!.Item());
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void ADamagedFileIsRejectedAndTheModelIsUnchanged()
    {
        var path = Path.Combine(_dir, "m.safetensors");
        Checkpoint.Save(path, Mlp(1));
        var bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x40; // flip a bit in the weights
        File.WriteAllBytes(path, bytes);
        var b = Mlp(7);
        var before = b.Parameters().Select(p => p.Data.ToArray()).ToList();
        var ex = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, b));
        Assert.Contains("checksum", ex.Message);
        Assert.Equal(before, b.Parameters().Select(p => p.Data.ToArray()).ToList());
    }

    [Fact]
    public void AMismatchedArchitectureNamesTheTensorAndShapes()
    {
        var path = Path.Combine(_dir, "m.safetensors");
        Checkpoint.Save(path, Mlp(1));
        var other = new Sequential(new Linear(4, 5), new Linear(5, 2));
        var before = other.Parameters().Select(p => p.Data.ToArray()).ToList();
        var ex = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, other));
        Assert.Contains("0.weight", ex.Message);
        Assert.Contains("[3,4]", ex.Message);
        Assert.Contains("[5,4]", ex.Message);
        Assert.Equal(before, other.Parameters().Select(p => p.Data.ToArray()).ToList());
        var bigger = new Sequential(new Linear(4, 3), new Linear(3, 2), new Linear(2, 2));
        Assert.Contains("missing [2.weight, 2.bias]", Assert.Throws<CheckpointException>(() => Checkpoint.Load(path, bigger)).Message);
    }

    [Fact]
    public void SafeTensorsRoundTripsFloat32AndFloat64AndRejectsGarbage()
    {
        var path = Path.Combine(_dir, "t.safetensors");
        var t32 = Tensor.FromArray([1f, -2f, 3.5f, 4f], 2, 2);
        var t64 = Tensor.FromArray([Math.PI, Math.E]);
        SafeTensors.Save(path, [new("a", t32), new("b", t64)], new Dictionary<string, string> { ["k"] = "v" });
        var f = SafeTensors.Load(path);
        Assert.Equal(t32.ToArray(), f.Get("a")!.ToArray());
        Assert.Equal(new Shape(2, 2), f.Get("a")!.Shape);
        Assert.Equal(t64.ToDoubleArray(), f.Get("b")!.ToDoubleArray());
        Assert.Equal("v", f.Metadata["k"]);
        var bytes = File.ReadAllBytes(path);
        Assert.Throws<DataFormatException>(() => SafeTensors.Parse(bytes.AsSpan(0, 5), "x"));
        Assert.Throws<DataFormatException>(() => SafeTensors.Parse(bytes.AsSpan(0, bytes.Length - 3), "x"));
        var huge = (byte[])bytes.Clone();
        BitConverter.GetBytes((ulong)1 << 40).CopyTo(huge, 0);
        Assert.Contains("header length", Assert.Throws<DataFormatException>(() => SafeTensors.Parse(huge, "x")).Message);
        var garbage = (byte[])bytes.Clone();
        garbage[10] = (byte)'#';
        Assert.Throws<DataFormatException>(() => SafeTensors.Parse(garbage, "x"));
    }
}
