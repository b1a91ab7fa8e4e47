using Nabla.Tensors;

namespace Nabla.IO;

/// <summary>The content of a safetensors file: named tensors in file order and string metadata.</summary>
public sealed class SafeTensorsFile(IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string> metadata)
{
    /// <summary>The tensors in the order the header lists them.</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Tensors { get; } = tensors;

    /// <summary>The <c>__metadata__</c> map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;

    /// <summary>The tensor with the given name, or null.</summary>
    public Tensor? Get(string name)
    {
        foreach (var (n, t) in Tensors) if (n == name) return t;
        return null;
    }
}
