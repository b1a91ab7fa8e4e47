using System.Buffers.Binary;
using System.Text;
using static Nabla.IO.Torch.Pickle.PickleOpcode;

namespace Nabla.IO.Torch.Pickle;

/// <summary>
/// Writes a state dict as <c>torch.save</c> does, in pickle protocol 2: an <c>OrderedDict</c> of tensors rebuilt by
/// <c>torch._utils._rebuild_tensor_v2</c> from storages named by persistent ids
/// <c>('storage', torch.FloatStorage, key, 'cpu', numel)</c>; <c>torch.load(path, weights_only=True)</c> accepts it.
/// </summary>
internal sealed class PickleWriter
{
    private readonly MemoryStream _out = new();

    /// <summary>The pickle of <paramref name="entries"/>: name, storage key (the zip entry data/KEY), element type and shape of each.</summary>
    public static byte[] StateDict(IEnumerable<(string Name, string Key, TorchElementType Type, int[] Shape)> entries)
    {
        var w = new PickleWriter();
        w.Op(Proto).Op(2);
        w.Global("collections", "OrderedDict").Op(EmptyTuple).Op(Reduce).Op(Mark);
        foreach (var (name, key, type, shape) in entries)
        {
            long numel = shape.Aggregate(1L, (a, b) => a * b);
            var strides = new long[shape.Length];
            for (int d = shape.Length - 1, s = 1; d >= 0; s *= shape[d], d--) strides[d] = s;
            w.String(name).Global("torch._utils", "_rebuild_tensor_v2").Op(Mark);
            w.Op(Mark).String("storage").Global("torch", type.Storage).String(key).String("cpu").Int(numel).Op(TupleMark).Op(BinPersId);
            w.Int(0).Ints(shape.Select(x => (long)x)).Ints(strides).Op(NewFalse);
            w.Global("collections", "OrderedDict").Op(EmptyTuple).Op(Reduce); // backward hooks
            w.Op(TupleMark).Op(Reduce);
        }
        w.Op(SetItems).Op(Stop);
        return w._out.ToArray();
    }

    private PickleWriter Op(byte b)
    {
        _out.WriteByte(b);
        return this;
    }

    private PickleWriter Global(string module, string name)
    {
        Op(PickleOpcode.Global);
        _out.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
        return this;
    }

    private PickleWriter String(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, bytes.Length);
        Op(BinUnicode);
        _out.Write(len);
        _out.Write(bytes);
        return this;
    }

    private PickleWriter Int(long v)
    {
        if (v is < int.MinValue or > int.MaxValue) throw new NotSupportedException($"pickle writer: integer {v} does not fit 32 bits");
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, (int)v);
        Op(BinInt);
        _out.Write(b);
        return this;
    }

    private PickleWriter Ints(IEnumerable<long> values)
    {
        Op(Mark);
        foreach (long v in values) Int(v);
        return Op(TupleMark);
    }
}
