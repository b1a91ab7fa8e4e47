using Nabla.Errors;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.IO.Torch;

/// <summary>
/// PyTorch weights in and out: the state dicts of <c>torch.save(model.state_dict(), "model.pt")</c> (the zip format
/// of PyTorch ≥ 1.6) and <c>.safetensors</c> files from PyTorch or a model hub, read into a <see cref="TensorStateDict"/>
/// for <see cref="Module.LoadStateDict"/>; and a module's <see cref="Module.StateDict"/> written back in either format
/// for <c>torch.load(path, weights_only=True)</c> or <c>safetensors.torch.load_file</c>. See docs/pytorch-weights.md.
/// </summary>
/// <remarks>
/// Reading executes nothing: the pickle inside a <c>.pt</c> file is interpreted by a reader that knows only the
/// opcodes and the few globals a state dict uses (<c>collections.OrderedDict</c>, <c>torch._utils._rebuild_tensor_v2</c>,
/// <c>torch._utils._rebuild_parameter</c>, the storage types) and refuses everything else, naming it.
/// Element types: float32, float64, float16, bfloat16 and int64; float16 and bfloat16 load as Float32, int64 as Float64.
/// Every check (entries, sizes, views inside their storages) passes before a tensor is returned.
/// </remarks>
public static class TorchFile
{
    /// <summary>
    /// Reads a state dict from <paramref name="path"/>: a <c>torch.save</c> zip file, or a safetensors file (told apart
    /// by their first bytes). The legacy pre-1.6 <c>torch.save</c> format is refused with how to re-save it.
    /// </summary>
    /// <exception cref="DataFormatException">The file is missing, damaged, not a state dict, or uses a global or element type outside the allow-list; the message names the file and entry.</exception>
    public static TensorStateDict Load(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { throw new DataFormatException($"{path}: file not found", e); }
        return Parse(bytes, Path.GetFileName(path));
    }

    /// <summary>Reads a state dict from the bytes of a file (a torch.save zip or safetensors); <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="DataFormatException">As <see cref="Load"/>.</exception>
    public static TensorStateDict Parse(byte[] bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length >= 2 && bytes[0] == 'P' && bytes[1] == 'K') return TorchZipReader.Read(new MemoryStream(bytes, writable: false), source);
        if (bytes.Length >= 3 && bytes[0] == 0x80 && bytes[1] <= 5 && bytes[2] == 0x8a)
            throw new DataFormatException($"{source}: the legacy torch.save format of PyTorch before 1.6, which Nabla does not read; re-save it in the zip format with PyTorch ≥ 1.6: torch.save(torch.load(\"{source}\"), \"{Path.GetFileNameWithoutExtension(source)}-zip.pt\")");
        return ToDict(SafeTensors.Parse(bytes, source), source);
    }

    /// <summary>Reads the tensors of a safetensors file (any dtype of the remarks), with the names as stored.</summary>
    /// <exception cref="DataFormatException">The file is missing or malformed.</exception>
    public static TensorStateDict LoadSafeTensors(string path) => ToDict(SafeTensors.Load(path), Path.GetFileName(path));

    private static TensorStateDict ToDict(SafeTensorsFile file, string source)
    {
        var dict = new TensorStateDict(source);
        foreach (var (n, t) in file.Tensors) dict.Set(n, t);
        return dict;
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> (e.g. <c>model.StateDict()</c>) as <c>torch.save</c> would, atomically:
    /// Float32 as float32, Float64 as float64, and batch norm's <c>num_batches_tracked</c> as int64, as PyTorch keeps it.
    /// </summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        var list = tensors.ToList();
        AtomicFile.Write(path, s => TorchZipWriter.Write(s, list));
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> as a safetensors file with PyTorch's names and types (as <see cref="Save"/>:
    /// <c>num_batches_tracked</c> as I64), which <c>safetensors.torch.load_file</c> reads; atomically.
    /// </summary>
    public static void SaveSafeTensors(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        AtomicFile.Write(path, s => SafeTensors.Write(s, list, metadata, TorchElementType.ForWriting));
    }
}
