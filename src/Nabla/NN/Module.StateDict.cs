using Nabla.IO;
using Nabla.Tensors;

namespace Nabla.NN;

public abstract partial class Module
{
    /// <summary>
    /// The module's parameters and buffers as PyTorch's <c>state_dict()</c> names them (see docs/pytorch-weights.md for
    /// the layer table): module by module, depth first, each module's parameters before its buffers. The tensors are
    /// copies, so changing them does not change the model.
    /// </summary>
    public TensorStateDict StateDict()
    {
        var dict = new TensorStateDict();
        foreach (var (name, tensor, _) in StateTargets()) dict.Set(name, tensor.Detach().Clone());
        return dict;
    }

    /// <summary>
    /// Copies the tensors of <paramref name="state"/> (e.g. from <see cref="IO.Torch.TorchFile.Load"/>) into the
    /// module's parameters and buffers, converting the element type where it differs (PyTorch's float16 or float64
    /// into a Float32 model, say). Everything is checked first: all missing and unexpected names (when
    /// <paramref name="strict"/>) and all shape mismatches are reported in ONE error, and the module is left
    /// unchanged. Without strict, missing parameters keep their values and unexpected names are ignored, and
    /// both are returned.
    /// </summary>
    /// <param name="state">The tensors by name; a <see cref="TensorStateDict"/> names its <see cref="TensorStateDict.Source"/> in errors.</param>
    /// <param name="strict">Whether names must match exactly (PyTorch's default, and this one's).</param>
    /// <param name="rename">Maps each name of <paramref name="state"/> to the module's name for it, or to null to skip the tensor (for checkpoints whose names differ from the module's).</param>
    /// <exception cref="CheckpointException">The state does not fit: the message lists every problem.</exception>
    public StateDictLoadResult LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true, Func<string, string?>? rename = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        string source = (state as TensorStateDict)?.Source ?? "state dict";
        string where = state is TensorStateDict { Source: not null } ? "in the file" : "in the state dict";
        var stored = new Dictionary<string, (string Original, Tensor Tensor)>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var (key, tensor) in state)
        {
            string? name = rename is null ? key : rename(key);
            if (name is null) continue;
            if (stored.TryGetValue(name, out var first))
                problems.Add($"'{first.Original}' and '{key}' are both renamed to '{name}'");
            else stored[name] = (key, tensor);
        }
        var targets = StateTargets().ToList();
        var names = targets.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var missing = targets.Where(t => !stored.ContainsKey(t.Name)).Select(t => t.Name).ToList();
        var unexpected = stored.Keys.Where(k => !names.Contains(k)).ToList();
        if (strict && missing.Count > 0) problems.Add($"missing [{string.Join(", ", missing)}]");
        if (strict && unexpected.Count > 0) problems.Add($"unexpected [{string.Join(", ", unexpected)}]");
        foreach (var (name, target, owner) in targets)
            if (stored.TryGetValue(name, out var s) && s.Tensor.Shape != target.Shape)
                problems.Add($"tensor '{name}'{(s.Original == name ? "" : $" (from '{s.Original}')")} of {owner.Describe()} has shape {s.Tensor.Shape} {where} but {target.Shape} in the model");
        if (problems.Count > 0)
            throw new CheckpointException($"{source}: does not fit the model: {string.Join("; ", problems)}");
        foreach (var (name, target, _) in targets)
            if (stored.TryGetValue(name, out var s)) target.CopyFrom(s.Tensor);
        return new StateDictLoadResult(missing, unexpected);
    }

    /// <summary>Every parameter (once, even when shared) and buffer with its hierarchical name and the module that holds it.</summary>
    private IEnumerable<(string Name, Tensor Tensor, Module Owner)> StateTargets()
    {
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, m) in NamedModules())
        {
            foreach (var (n, p) in m.LocalParameters())
                if (seen.Add(p)) yield return (prefix.Length == 0 ? n : $"{prefix}.{n}", p.Data, m);
            foreach (var (n, b) in m.LocalBuffers())
                yield return (prefix.Length == 0 ? n : $"{prefix}.{n}", b, m);
        }
    }
}
