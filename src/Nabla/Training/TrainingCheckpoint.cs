using System.Globalization;
using Nabla.IO;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>
/// Everything needed to resume training bit-identically, in ONE atomically written safetensors file: the model's
/// weights and buffers, and the trainer's <see cref="Trainer.StateDict"/> (optimizer, schedule, loader and
/// augmentation, stateful callbacks, generators, history): its tensors stored as <c>state.{key}</c>, its values as
/// metadata <c>state.{key}</c>, with <c>nabla.format</c> = <see cref="FormatVersion"/>. Checksums cover all tensors and
/// all metadata.
/// </summary>
public static class TrainingCheckpoint
{
    /// <summary>The version of the layout this class writes and resumes (format 1 was Nabla 0.1's, with separate metadata keys per part).</summary>
    public const int FormatVersion = 2;

    /// <summary>The metadata key holding the format version.</summary>
    public const string FormatKey = "nabla.format";

    private const string StatePrefix = "state.";

    /// <summary>Writes the trainer's full state to <paramref name="path"/> (temporary file, flush, rename).</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="trainer">The trainer whose model and state are saved.</param>
    /// <param name="metadata">Caller metadata (architecture JSON, preprocessing), stored as given; keys must not start with <c>state.</c>.</param>
    public static void Save(string path, Trainer trainer, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var state = trainer.StateDict();
        var meta = metadata is null ? new Dictionary<string, string>() : new Dictionary<string, string>(metadata);
        if (meta.Keys.Any(k => k.StartsWith(StatePrefix, StringComparison.Ordinal) || k == FormatKey))
            throw new Errors.ValueException($"TrainingCheckpoint: caller metadata must not use the reserved '{StatePrefix}' prefix or '{FormatKey}'");
        foreach (var (k, v) in state.Values) meta[StatePrefix + k] = v;
        meta[FormatKey] = FormatVersion.ToString(CultureInfo.InvariantCulture);
        Checkpoint.Save(path, trainer.Model, meta, state.Tensors.Select(t => new KeyValuePair<string, Tensor>(StatePrefix + t.Key, t.Value)));
    }

    /// <summary>
    /// Restores a state saved by <see cref="Save"/> into <paramref name="trainer"/> (same architecture, optimizer type,
    /// schedule and stateful callbacks). The file is read once and verified before anything changes; if it does not fit
    /// the model or the trainer, the weights already copied are put back, so on any error the model, optimizer,
    /// schedule, generators and history are left exactly as they were. Returns the file for caller metadata.
    /// </summary>
    /// <exception cref="Errors.DataFormatException">The file is missing, truncated or not safetensors.</exception>
    /// <exception cref="CheckpointException">
    /// A checksum fails, the file is not a training checkpoint of format <see cref="FormatVersion"/> (the message names
    /// the version found), or its state does not fit the trainer.
    /// </exception>
    public static SafeTensorsFile Restore(string path, Trainer trainer)
    {
        var file = Checkpoint.Read(path);
        string fileName = Path.GetFileName(path);
        if (!file.Metadata.TryGetValue(FormatKey, out var format))
            throw new CheckpointException(file.Metadata.ContainsKey("nabla.optimizer")
                ? $"{fileName}: a training checkpoint of format 1 (Nabla 0.1); this version resumes format {FormatVersion} only. Its weights still load with Checkpoint.Load; training must start again"
                : $"{fileName}: not a training checkpoint (no '{FormatKey}'); it holds weights only: load them with Checkpoint.Load");
        if (format != FormatVersion.ToString(CultureInfo.InvariantCulture))
            throw new CheckpointException($"{fileName}: training checkpoint format {format}; this version of Nabla resumes format {FormatVersion}");
        var state = new StateDict();
        foreach (var (k, v) in file.Metadata)
            if (k.StartsWith(StatePrefix, StringComparison.Ordinal)) state.Values[k[StatePrefix.Length..]] = v;
        foreach (var (k, t) in file.Tensors)
            if (k.StartsWith(StatePrefix, StringComparison.Ordinal)) state.Tensors[k[StatePrefix.Length..]] = t;

        var weights = trainer.Model.Parameters().Select(p => p.Data.Clone()).ToList();
        var buffers = trainer.Model.NamedBuffers().Select(b => b.Buffer.Clone()).ToList();
        Checkpoint.Load(file, fileName, trainer.Model);
        try { trainer.LoadStateDict(state); }
        catch (Exception e) when (e is Errors.NablaException)
        {
            int i = 0;
            foreach (var p in trainer.Model.Parameters()) p.Data.CopyFrom(weights[i++]);
            i = 0;
            foreach (var (_, b) in trainer.Model.NamedBuffers()) b.CopyFrom(buffers[i++]);
            throw e is CheckpointException ? e : new CheckpointException($"{fileName}: does not fit the trainer: {e.Message}", e);
        }
        return file;
    }
}
