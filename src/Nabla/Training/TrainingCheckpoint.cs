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
    /// The file is fully read, verified and parsed before anything changes; if it does not fit the model, the optimizer
    /// or the schedule, everything already loaded is rolled back, so on any error the model, optimizer, schedule,
    /// generators, step and history are left exactly as they were. Returns the file for caller metadata.
    /// </summary>
    /// <exception cref="Errors.DataFormatException">The file is missing, truncated or not safetensors.</exception>
    /// <exception cref="CheckpointException">The checksum fails, the metadata is damaged, or the state does not fit the trainer.</exception>
    public static SafeTensorsFile Restore(string path, Trainer trainer)
    {
        var file = Checkpoint.Read(path);
        string fileName = Path.GetFileName(path);
        string Meta(string key) => file.Metadata.TryGetValue(key, out var v) ? v
            : throw new CheckpointException($"{fileName}: '{key}' missing; not a training checkpoint");

        // 1. Parse every piece of metadata; nothing has changed yet.
        OptimizerState state;
        History history;
        ulong[] generator;
        ulong[]? loader;
        ScheduleState? schedule;
        long step;
        var moduleGenerators = new List<(Generator Target, ulong[] State)>();
        string key = "";
        try
        {
            key = "nabla.optimizer";
            var scalars = JsonSerializer.Deserialize<OptimizerScalars>(Meta(key))
                ?? throw new CheckpointException($"{fileName}: optimizer state unreadable");
            state = new OptimizerState
            {
                Optimizer = scalars.Optimizer,
                LearningRate = scalars.LearningRate,
                StepCount = scalars.StepCount,
                Shapes = scalars.Shapes ?? [],
                ParameterSteps = scalars.ParameterSteps ?? [],
            };
            foreach (var (name, t) in file.Tensors)
            {
                if (!name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)) continue;
                string buffer = name[OptimizerPrefix.Length..];
                if (t.DType == DType.Float32) state.Float32Buffers[buffer] = t.ToArray(); else state.Float64Buffers[buffer] = t.ToDoubleArray();
            }
            key = "nabla.history";
            history = History.FromCsv(Meta(key));
            key = "nabla.generator";
            generator = ParseState(Meta(key), path, key);
            key = "nabla.loader_generator";
            loader = file.Metadata.TryGetValue(key, out var l) ? ParseState(l, path, key) : null;
            key = "nabla.schedule";
            schedule = file.Metadata.TryGetValue(key, out var s) ? JsonSerializer.Deserialize<ScheduleState>(s) : null;
            key = "nabla.step";
            step = long.Parse(Meta(key), CultureInfo.InvariantCulture);
            if (step < 0) throw new CheckpointException($"{fileName}: step {step} is negative");
            foreach (var (name, g) in trainer.Model.NamedGenerators())
            {
                key = "nabla.generator." + name;
                if (file.Metadata.TryGetValue(key, out var gs)) moduleGenerators.Add((g, ParseState(gs, path, key)));
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or OverflowException or NotSupportedException or Errors.DataFormatException)
        {
            throw new CheckpointException($"{fileName}: metadata '{key}' is damaged ({e.Message})", e);
        }
        if (schedule is not null && trainer.Schedule is null)
            throw new CheckpointException($"{fileName}: the checkpoint has a learning-rate schedule ({schedule.Schedule}) but the trainer has none");

        // 2. Load model, optimizer and schedule; on failure roll all three back bitwise.
        var backup = trainer.Model.Parameters().Select(p => p.Data.Clone()).ToList();
        var bufferBackup = trainer.Model.NamedBuffers().Select(b => b.Buffer.Clone()).ToList();
        var optimizerBackup = trainer.Optimizer.GetState();
        var scheduleBackup = trainer.Schedule?.GetState();
        Checkpoint.Load(path, trainer.Model);
        try
        {
            trainer.Optimizer.LoadState(state);
            if (schedule is not null) trainer.Schedule!.LoadState(schedule);
        }
        catch (Exception e)
        {
            int i = 0;
            foreach (var p in trainer.Model.Parameters()) p.Data.CopyFrom(backup[i++]);
            i = 0;
            foreach (var (_, b) in trainer.Model.NamedBuffers()) b.CopyFrom(bufferBackup[i++]);
            if (scheduleBackup is not null) trainer.Schedule!.LoadState(scheduleBackup); // sets the learning rate, so before the optimizer's own
            trainer.Optimizer.LoadState(optimizerBackup);
            if (e is Errors.NablaException and not CheckpointException)
                throw new CheckpointException($"{fileName}: does not fit the trainer: {e.Message}", e);
            throw;
        }

        // 3. Nothing below can fail: every state was validated in step 1.
        Generator.Default.SetState(generator);
        foreach (var (g, gs) in moduleGenerators) g.SetState(gs);
        if (loader is not null) trainer.RestoreLoaderState(loader);
        trainer.RestoreHistory(history);
        trainer.Step = step;
        return file;
    }

    /// <summary>Parses a generator state and checks that <see cref="Generator.SetState"/> will accept it.</summary>
    private static ulong[] ParseState(string s, string path, string key)
    {
        ulong[] state;
        try { state = s.Split(',').Select(x => ulong.Parse(x, CultureInfo.InvariantCulture)).ToArray(); }
        catch (Exception e) when (e is FormatException or OverflowException) { throw new CheckpointException($"{Path.GetFileName(path)}: metadata '{key}': generator state '{s}' is malformed"); }
        try { new Generator(1).SetState(state); }
        catch (ArgumentException e) { throw new CheckpointException($"{Path.GetFileName(path)}: metadata '{key}': generator state '{s}' is invalid ({e.Message})"); }
        return state;
    }

    private sealed record OptimizerScalars(string Optimizer, double LearningRate, long StepCount, Dictionary<string, int[]> Shapes, Dictionary<string, long> ParameterSteps);
}
