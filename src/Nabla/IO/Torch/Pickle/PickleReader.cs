using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Nabla.Errors;
using static Nabla.IO.Torch.Pickle.PickleOpcode;

namespace Nabla.IO.Torch.Pickle;

/// <summary>
/// Reads the pickle that <c>torch.save</c> writes for a state dict, executing nothing: the opcodes build a small object
/// model (numbers, strings, tuples, lists, dicts), and the only callables are an allow-list of three (OrderedDict, the
/// tensor and parameter rebuild functions) interpreted here. Any other global, <c>NEWOBJ</c>/<c>INST</c>/<c>OBJ</c>
/// and every unknown opcode are refused with an error naming them, so a crafted pickle cannot run code.
/// </summary>
internal sealed class PickleReader
{
    private const string RebuildTensor = "torch._utils._rebuild_tensor_v2", RebuildParameter = "torch._utils._rebuild_parameter",
        OrderedDict = "collections.OrderedDict";

    private static readonly string[] Allowed = [OrderedDict, RebuildTensor, RebuildParameter, "torch.<T>Storage"];

    private readonly byte[] _data;
    private readonly string _source;
    private readonly Func<PickleTuple, TorchStorageRef> _persistentLoad;
    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<long, object?> _memo = [];
    private int _pos, _opAt;

    /// <param name="data">The pickle bytes.</param>
    /// <param name="source">The file and entry, for errors (<c>model.pt:archive/data.pkl</c>).</param>
    /// <param name="persistentLoad">Resolves a persistent id tuple to a storage (and checks it).</param>
    public PickleReader(byte[] data, string source, Func<PickleTuple, TorchStorageRef> persistentLoad)
    {
        _data = data;
        _source = source;
        _persistentLoad = persistentLoad;
    }

    /// <summary>Runs the opcodes up to STOP and returns the top object.</summary>
    public object? Read()
    {
        try
        {
            while (true)
            {
                _opAt = _pos;
                byte op = Byte();
                if (op == Stop) return _stack.Count == 1 ? _stack[0] : throw Fail($"STOP with {_stack.Count} objects on the stack instead of 1");
                Step(op);
            }
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or InvalidCastException or OverflowException)
        {
            throw Fail($"malformed pickle ({e.Message})");
        }
    }

    private void Step(byte op)
    {
        switch (op)
        {
            case Proto: if (Byte() > 5) throw Fail($"pickle protocol {_data[_pos - 1]} is not supported (0 to 5 are)"); break;
            case Frame: Take(8); break;
            case Mark: _marks.Add(_stack.Count); break;
            case Pop: PopOne(); break;
            case PopMark: PopMarked(); break;
            case Dup: Push(Peek()); break;
            case None: Push(null); break;
            case NewTrue: Push(true); break;
            case NewFalse: Push(false); break;
            case BinInt: Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break;
            case BinInt1: Push((long)Byte()); break;
            case BinInt2: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break;
            case Long1: Push(ReadLong(Byte())); break;
            case BinFloat: Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break;
            case BinUnicode: Push(Encoding.UTF8.GetString(Take(Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))))); break;
            case ShortBinUnicode: Push(Encoding.UTF8.GetString(Take(Byte()))); break;
            case BinUnicode8: Push(Encoding.UTF8.GetString(Take(Length(BinaryPrimitives.ReadUInt64LittleEndian(Take(8)))))); break;
            case BinString: Push(Encoding.Latin1.GetString(Take(Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))))); break;
            case ShortBinString: Push(Encoding.Latin1.GetString(Take(Byte()))); break;
            case EmptyTuple: Push(new PickleTuple([])); break;
            case TupleMark: Push(new PickleTuple(PopMarked())); break;
            case Tuple1: { var a = PopOne(); Push(new PickleTuple([a])); break; }
            case Tuple2: { var b = PopOne(); var a = PopOne(); Push(new PickleTuple([a, b])); break; }
            case Tuple3: { var c = PopOne(); var b = PopOne(); var a = PopOne(); Push(new PickleTuple([a, b, c])); break; }
            case EmptyList: Push(new List<object?>()); break;
            case List: Push(new List<object?>(PopMarked())); break;
            case Append: { var v = PopOne(); As<List<object?>>(Peek(), "APPEND").Add(v); break; }
            case Appends: { var vs = PopMarked(); As<List<object?>>(Peek(), "APPENDS").AddRange(vs); break; }
            case EmptyDict: Push(new PickleDict()); break;
            case Dict: { var d = new PickleDict(); AddPairs(d, PopMarked()); Push(d); break; }
            case SetItem: { var v = PopOne(); var k = PopOne(); As<PickleDict>(Peek(), "SETITEM").Items.Add(new(k, v)); break; }
            case SetItems: { var kv = PopMarked(); AddPairs(As<PickleDict>(Peek(), "SETITEMS"), kv); break; }
            case BinPut: _memo[Byte()] = Peek(); break;
            case LongBinPut: _memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Peek(); break;
            case Memoize: _memo[_memo.Count] = Peek(); break;
            case BinGet: Push(Memo(Byte())); break;
            case LongBinGet: Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break;
            case Global: Push(Resolve(Line(), Line())); break;
            case StackGlobal: { var name = PopOne(); var module = PopOne(); Push(Resolve(As<string>(module, "STACK_GLOBAL"), As<string>(name, "STACK_GLOBAL"))); break; }
            case BinPersId: Push(_persistentLoad(As<PickleTuple>(PopOne(), "BINPERSID"))); break;
            case Reduce: { var args = As<PickleTuple>(PopOne(), "REDUCE"); var f = PopOne(); Push(Call(f, args)); break; }
            case Build: { var state = PopOne(); DoBuild(Peek(), state); break; }
            case NewObj or (byte)'i' or (byte)'o' or 0x92:
                throw Fail($"opcode 0x{op:x2} ({(op == NewObj ? "NEWOBJ" : op == 0x92 ? "NEWOBJ_EX" : op == 'i' ? "INST" : "OBJ")}) creates arbitrary objects and is refused; a state dict does not need it");
            default:
                throw Fail($"unknown or unsupported opcode 0x{op:x2} ('{(op is >= 32 and < 127 ? ((char)op).ToString() : "?")}')");
        }
    }

    /// <summary>Only allow-listed globals become objects; everything else stops the read, naming the global.</summary>
    private PickleGlobal Resolve(string module, string name)
    {
        string full = $"{module}.{name}";
        if (full is OrderedDict or RebuildTensor or RebuildParameter) return new PickleGlobal(module, name);
        if (module == "torch" && name.EndsWith("Storage", StringComparison.Ordinal))
        {
            var type = TorchElementType.FromStorage(name)
                ?? throw Fail($"storage type torch.{name} is not supported; supported element types are {TorchElementType.Supported(t => "torch." + t.Storage)}");
            return new PickleGlobal(module, type.Storage);
        }
        throw Fail($"refused global '{full}': only {string.Join(", ", Allowed)} are allowed, so that loading runs no code"
                   + " (a file from torch.save(model) pickles the model's class: save model.state_dict() instead)");
    }

    private object? Call(object? callable, PickleTuple args)
    {
        if (callable is not PickleGlobal g) throw Fail($"REDUCE on a {Describe(callable)}, which is not callable");
        var a = args.Items;
        switch (g.ToString())
        {
            case OrderedDict:
                if (a.Length != 0) throw Fail("collections.OrderedDict called with arguments; a state dict's is called with none");
                return new PickleDict();
            case RebuildParameter:
                if (a.Length < 1 || a[0] is not TorchTensorRef p) throw Fail("torch._utils._rebuild_parameter expects a tensor as its first argument");
                return p;
            case RebuildTensor:
                if (a.Length is < 6 or > 7) throw Fail($"torch._utils._rebuild_tensor_v2 takes 6 or 7 arguments, got {a.Length}");
                var storage = a[0] as TorchStorageRef ?? throw Fail($"torch._utils._rebuild_tensor_v2: the first argument is a {Describe(a[0])}, not a storage");
                long offset = As<long>(a[1], "the storage offset");
                var size = Longs(a[2], "size");
                var stride = Longs(a[3], "stride");
                if (size.Length != stride.Length) throw Fail($"a tensor with size ({string.Join(", ", size)}) has {stride.Length} strides");
                if (offset < 0 || size.Any(s => s < 0) || stride.Any(s => s < 0)) throw Fail("a tensor has a negative offset, size or stride");
                return new TorchTensorRef(storage, offset, size, stride);
            default:
                throw Fail($"{g} cannot be called; a storage type is only an argument of a persistent id");
        }
    }

    private void DoBuild(object? target, object? state)
    {
        // torch.save sets an OrderedDict's _metadata attribute (module versions) this way; it is not needed.
        if (target is PickleDict && state is PickleDict or null) return;
        throw Fail($"BUILD on a {Describe(target)} with a {Describe(state)} is not part of a state dict");
    }

    private static void AddPairs(PickleDict d, object?[] kv)
    {
        for (int i = 0; i + 1 < kv.Length; i += 2) d.Items.Add(new(kv[i], kv[i + 1]));
    }

    private long[] Longs(object? o, string what) =>
        o is PickleTuple t ? t.Items.Select(x => As<long>(x, what)).ToArray() : throw Fail($"a tensor's {what} is a {Describe(o)}, not a tuple");

    private T As<T>(object? o, string what) => o is T t ? t : throw Fail($"{what}: expected a {typeof(T).Name}, found a {Describe(o)}");

    internal static string Describe(object? o) => o switch
    {
        null => "None",
        string => "str",
        long => "int",
        double => "float",
        bool => "bool",
        PickleTuple => "tuple",
        List<object?> => "list",
        PickleDict => "dict",
        PickleGlobal g => $"global {g}",
        TorchStorageRef => "storage",
        TorchTensorRef => "tensor",
        _ => o.GetType().Name,
    };

    private object? Memo(long key) => _memo.TryGetValue(key, out var v) ? v : throw Fail($"memo entry {key} is read before it is written");

    private void Push(object? o) => _stack.Add(o);

    private object? Peek() => _stack.Count > (_marks.Count == 0 ? 0 : _marks[^1]) ? _stack[^1] : throw Fail("the stack is empty");

    private object? PopOne()
    {
        var v = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private object?[] PopMarked()
    {
        if (_marks.Count == 0) throw Fail("no MARK to pop to");
        int at = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(at, _stack.Count - at).ToArray();
        _stack.RemoveRange(at, _stack.Count - at);
        return items;
    }

    private byte Byte() => _pos < _data.Length ? _data[_pos++] : throw Fail("the pickle ends before STOP");

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n < 0 || _pos + (long)n > _data.Length) throw Fail($"the pickle ends inside an opcode (needs {n} bytes, {_data.Length - _pos} left)");
        var span = _data.AsSpan(_pos, n);
        _pos += n;
        return span;
    }

    private int Length(ulong n) => n <= int.MaxValue ? (int)n : throw Fail($"a string of {n} bytes");

    private string Line()
    {
        int end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0) throw Fail("GLOBAL without a newline");
        string s = Encoding.ASCII.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return s;
    }

    private long ReadLong(int n)
    {
        if (n > 8) throw Fail($"an integer of {n} bytes is too large");
        var b = Take(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | b[i];
        if (n is > 0 and < 8 && (b[n - 1] & 0x80) != 0) v -= 1L << (8 * n); // two's complement sign
        return v;
    }

    private DataFormatException Fail(string message) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{_source}: {message} (at byte {_opAt})"));
}
