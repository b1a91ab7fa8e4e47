using System.Globalization;
using System.Text.Json;
using Nabla.IO;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>
/// Everything needed to resume training bit-identically, in ONE atomically written safetensors file: model weights
/// and buffers, optimizer state buffers (as tensors <c>optimizer.{param}/{buffer}</c>), and in the metadata the optimizer's
/// scalars, the schedule's state, the default and shuffling generators' states, the step counter, the history, and any
/// caller metadata (architecture JSON, preprocessing). A checksum covers all tensors.
/// </summary>
public static class TrainingCheckpoint
{
    private const string OptimizerPrefix = "optimizer.";

    /// <summary>Writes the trainer's full state to <paramref name="path"/> (temporary file, flush, rename).</summary>
    public static void Save(string path, Trainer trainer, IReadOnlyDictionary<string, string>? metadata = null,
        IEnumerable<KeyValuePair<string, Tensor>>? extraTensors = null)
    {
        var state = trainer.Optimizer.GetState();
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (k, v) in state.Float32Buffers.OrderBy(k => k.Key, StringComparer.Ordinal)) tensors.Add(new(OptimizerPrefix + k, Tensor.Wrap(v)));
        foreach (var (k, v) in state.Float64Buffers.OrderBy(k => k.Key, StringComparer.Ordinal)) tensors.Add(new(OptimizerPrefix + k, Tensor.Wrap(v)));
        if (extraTensors is not null) tensors.AddRange(extraTensors);
        var meta = metadata is null ? new Dictionary<string, string>() : new Dictionary<string, string>(metadata);
        meta["nabla.optimizer"] = JsonSerializer.Serialize(new OptimizerScalars(state.Optimizer, state.LearningRate, state.StepCount, state.Shapes, state.ParameterSteps));
        if (trainer.Schedule is not null) meta["nabla.schedule"] = JsonSerializer.Serialize(trainer.Schedule.GetState());
        meta["nabla.generator"] = string.Join(',', Generator.Default.GetState());
        foreach (var (name, g) in trainer.Model.NamedGenerators()) meta["nabla.generator." + name] = string.Join(',', g.GetState());
        if (trainer.Loader is not null) meta["nabla.loader_generator"] = string.Join(',', trainer.Loader.Generator.GetState());
        meta["nabla.step"] = trainer.Step.ToString(CultureInfo.InvariantCulture);
        meta["nabla.epoch"] = trainer.History.Epochs.Count.ToString(CultureInfo.InvariantCulture);
        meta["nabla.history"] = trainer.History.ToCsv();
        Checkpoint.Save(path, trainer.Model, meta, tensors);
    }

    /// <summary>
    /// Restores a state saved by <see cref="Save"/> into <paramref name="trainer"/> (same architecture and optimizer type).
    /// The file is fully read and verified before anything changes. Returns the file for caller metadata.
    /// </summary>
    public static SafeTensorsFile Restore(string path, Trainer trainer)
    {
        var file = Checkpoint.Read(path);
        string Meta(string key) => file.Metadata.TryGetValue(key, out var v) ? v
            : throw new CheckpointException($"{Path.GetFileName(path)}: '{key}' missing; not a training checkpoint");
        var scalars = JsonSerializer.Deserialize<OptimizerScalars>(Meta("nabla.optimizer"))
            ?? throw new CheckpointException($"{Path.GetFileName(path)}: optimizer state unreadable");
        var state = new OptimizerState
        {
            Optimizer = scalars.Optimizer,
            LearningRate = scalars.LearningRate,
            StepCount = scalars.StepCount,
            Shapes = scalars.Shapes,
            ParameterSteps = scalars.ParameterSteps,
        };
        foreach (var (name, t) in file.Tensors)
        {
            if (!name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)) continue;
            string key = name[OptimizerPrefix.Length..];
            if (t.DType == DType.Float32) state.Float32Buffers[key] = t.ToArray(); else state.Float64Buffers[key] = t.ToDoubleArray();
        }
        var history = History.FromCsv(Meta("nabla.history"));
        var generator = ParseState(Meta("nabla.generator"), path);
        ulong[]? loader = file.Metadata.TryGetValue("nabla.loader_generator", out var l) ? ParseState(l, path) : null;
        ScheduleState? schedule = file.Metadata.TryGetValue("nabla.schedule", out var s) ? JsonSerializer.Deserialize<ScheduleState>(s) : null;
        if (schedule is not null && trainer.Schedule is null)
            throw new CheckpointException($"{Path.GetFileName(path)}: the checkpoint has a learning-rate schedule ({schedule.Schedule}) but the trainer has none");
        long step = long.Parse(Meta("nabla.step"), CultureInfo.InvariantCulture);

        // Validate against the model and optimizer before changing anything: load into scratch copies first.
        var backup = trainer.Model.Parameters().Select(p => p.Data.Clone()).ToList();
        var bufferBackup = trainer.Model.NamedBuffers().Select(b => b.Buffer.Clone()).ToList();
        Checkpoint.Load(path, trainer.Model);
        try
        {
            trainer.Optimizer.LoadState(state);
            if (schedule is not null) trainer.Schedule!.LoadState(schedule);
        }
        catch
        {
            int i = 0;
            foreach (var p in trainer.Model.Parameters()) p.Data.CopyFrom(backup[i++]);
            i = 0;
            foreach (var (_, b) in trainer.Model.NamedBuffers()) b.CopyFrom(bufferBackup[i++]);
            throw;
        }
        Generator.Default.SetState(generator);
        foreach (var (name, g) in trainer.Model.NamedGenerators())
            if (file.Metadata.TryGetValue("nabla.generator." + name, out var gs)) g.SetState(ParseState(gs, path));
        if (loader is not null) trainer.RestoreLoaderState(loader);
        trainer.RestoreHistory(history);
        trainer.Step = step;
        return file;
    }

    private static ulong[] ParseState(string s, string path)
    {
        try { return s.Split(',').Select(x => ulong.Parse(x, CultureInfo.InvariantCulture)).ToArray(); }
        catch (FormatException) { throw new CheckpointException($"{Path.GetFileName(path)}: generator state '{s}' is malformed"); }
    }

    private sealed record OptimizerScalars(string Optimizer, double LearningRate, long StepCount, Dictionary<string, int[]> Shapes, Dictionary<string, long> ParameterSteps);
}
