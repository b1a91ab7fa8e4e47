namespace Nabla.IO.Torch.Pickle;

/// <summary>An allow-listed Python global (module and name), pushed by GLOBAL; only the reader's own table creates them.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public override string ToString() => $"{Module}.{Name}";
}

/// <summary>A Python tuple.</summary>
internal sealed record PickleTuple(object?[] Items);

/// <summary>A Python dict or OrderedDict, keeping insertion order.</summary>
internal sealed class PickleDict
{
    public List<KeyValuePair<object?, object?>> Items { get; } = [];
}

/// <summary>A storage named by a persistent id: ('storage', type, key, location, numel).</summary>
internal sealed record TorchStorageRef(TorchElementType Type, string Key, long Numel);

/// <summary>A tensor rebuilt by <c>torch._utils._rebuild_tensor_v2</c>: a strided view into a storage.</summary>
internal sealed record TorchTensorRef(TorchStorageRef Storage, long Offset, long[] Size, long[] Stride);
