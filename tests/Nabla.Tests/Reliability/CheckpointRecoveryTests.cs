using System.Runtime.InteropServices;
using System.Text;
using Nabla.Errors;
using Nabla.IO;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Xunit;

namespace Nabla.Tests.Reliability;

/// <summary>
/// Broken, truncated, tampered and mismatched checkpoints are refused with a clear error, and a failed load leaves the
/// model, the optimizer and the rest of the trainer bitwise as they were; writes are atomic.
/// </summary>
[Collection("MaxThreads")] // beside the trainer tests; every model, dropout and loader here has its own seed
public sealed class CheckpointRecoveryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-recovery").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static Sequential Mlp(int hidden, ulong seed)
    {
        var g = new Generator(seed);
        return new Sequential(new Linear(3, hidden, generator: g), new BatchNorm1d(hidden), new ReLU(), new Linear(hidden, 2, generator: g));
    }

    /// <summary>A trainer that has taken a few Adam steps, so its optimizer holds moments, and has a schedule.</summary>
    private static Trainer Trained(int hidden, ulong seed, Func<Module, Optimizer>? optimizer = null, LearningRateSchedule? schedule = null)
    {
        var model = Mlp(hidden, seed);
        var t = new Trainer(model, new CrossEntropy(), optimizer?.Invoke(model) ?? new Adam(model.Parameters(), 0.01))
        {
            Schedule = schedule ?? new CosineDecay(0.01, 10),
        };
        var g = new Generator(seed + 100);
        var x = Tensor.Randn([24, 3], g);
        t.Fit(new Nabla.Data.TensorDataset(x, Enumerable.Range(0, 24).Select(i => i % 2).ToArray()), epochs: 2, batchSize: 8, seed: seed);
        return t;
    }

    /// <summary>Every bit of trainer state a restore may touch, as one string.</summary>
    private static string Snapshot(Trainer t)
    {
        var sb = new StringBuilder();
        foreach (var (n, p) in t.Model.NamedParameters()) sb.Append(n).Append('=').Append(Bytes(p.Data)).Append(';');
        foreach (var (n, b) in t.Model.NamedBuffers()) sb.Append(n).Append('=').Append(Bytes(b)).Append(';');
        var s = t.Optimizer.GetState();
        sb.Append($"opt {s.Optimizer} lr {BitConverter.DoubleToInt64Bits(s.LearningRate)} steps {s.StepCount};");
        foreach (var (k, v) in s.Float32Buffers.OrderBy(k => k.Key, StringComparer.Ordinal)) sb.Append(k).Append('=').Append(Convert.ToHexString(MemoryMarshal.AsBytes(v.AsSpan()))).Append(';');
        foreach (var (k, v) in s.ParameterSteps.OrderBy(k => k.Key, StringComparer.Ordinal)) sb.Append(k).Append('#').Append(v).Append(';');
        if (t.Schedule is { } sched) foreach (var (k, v) in sched.GetState().Values) sb.Append($"sched {k}={v};");
        // Generator.Default is left out: tests of other collections draw from it concurrently. Restore sets it last, after every check.
        sb.Append($"step {t.Step} epochs {t.History.Epochs.Count}");
        return sb.ToString();
    }

    private static string Bytes(Tensor t) => t.DType == DType.Float32
        ? Convert.ToHexString(MemoryMarshal.AsBytes(t.AsSpan<float>()))
        : Convert.ToHexString(MemoryMarshal.AsBytes(t.AsSpan<double>()));

    private static T Fails<T>(Action act, params string[] fragments) where T : Exception
    {
        var e = Assert.Throws<T>(act);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
        return e;
    }

    // ---- Checkpoint.Load / Read ----

    [Fact]
    public void MismatchedArchitectureLeavesTheModelBitwiseUnchanged()
    {
        var path = PathOf("m.safetensors");
        Checkpoint.Save(path, Mlp(5, 1));
        var other = Mlp(6, 2);
        var before = Snapshot(new Trainer(other, new MSE(), new SGD(other.Parameters())));
        Fails<CheckpointException>(() => Checkpoint.Load(path, other), "m.safetensors", "0.weight", "[5,3]", "[6,3]");
        Assert.Equal(before, Snapshot(new Trainer(other, new MSE(), new SGD(other.Parameters()))));
        var deeper = new Sequential(Mlp(5, 3), new Linear(2, 2));
        Fails<CheckpointException>(() => Checkpoint.Load(path, deeper), "m.safetensors", "missing [0.0.weight");
    }

    [Fact]
    public void EveryTruncationOfACheckpointIsRejectedByRead()
    {
        var path = PathOf("full.safetensors");
        Checkpoint.Save(path, Mlp(5, 1), new Dictionary<string, string> { ["note"] = "x" });
        var bytes = File.ReadAllBytes(path);
        var cut = PathOf("cut.safetensors");
        for (int len = 0; len < bytes.Length; len++)
        {
            File.WriteAllBytes(cut, bytes.AsSpan(0, len).ToArray());
            var e = Assert.ThrowsAny<NablaException>(() => Checkpoint.Read(cut));
            Assert.True(e is DataFormatException or CheckpointException, $"length {len}: {e.GetType().Name}");
            Assert.Contains("cut.safetensors", e.Message);
        }
        Checkpoint.Read(path);
    }

    [Fact]
    public void AWrongChecksumIsRejectedForTensorsAndForMetadata()
    {
        var path = PathOf("c.safetensors");
        Checkpoint.Save(path, Mlp(5, 1), new Dictionary<string, string> { ["epoch"] = "3" });
        var good = File.ReadAllBytes(path);
        var model = Mlp(5, 9);
        var before = Snapshot(new Trainer(model, new MSE(), new SGD(model.Parameters())));

        var flipped = (byte[])good.Clone();
        flipped[^3] ^= 0x01; // one bit of the last weight
        File.WriteAllBytes(path, flipped);
        Fails<CheckpointException>(() => Checkpoint.Load(path, model), "c.safetensors", "checksum mismatch", "damaged");

        string header = Encoding.UTF8.GetString(good);
        int at = header.IndexOf(Checkpoint.ChecksumKey + "\":\"", StringComparison.Ordinal) + Checkpoint.ChecksumKey.Length + 3;
        var wrongSum = (byte[])good.Clone();
        wrongSum[at] = (byte)(wrongSum[at] == (byte)'0' ? '1' : '0'); // the stored checksum itself
        File.WriteAllBytes(path, wrongSum);
        Fails<CheckpointException>(() => Checkpoint.Load(path, model), "checksum mismatch");

        int epoch = header.IndexOf("\"epoch\":\"3\"", StringComparison.Ordinal) + 9;
        var tampered = (byte[])good.Clone();
        tampered[epoch] = (byte)'8'; // valid JSON, valid tensors, wrong metadata
        File.WriteAllBytes(path, tampered);
        Fails<CheckpointException>(() => Checkpoint.Load(path, model), "metadata checksum mismatch");
        Assert.Equal(before, Snapshot(new Trainer(model, new MSE(), new SGD(model.Parameters()))));

        File.WriteAllBytes(path, good);
        Assert.Equal("3", Checkpoint.Load(path, model).Metadata["epoch"]);
    }

    // ---- TrainingCheckpoint.Restore: all or nothing ----

    private void AssertRestoreFailsUnchanged<T>(string path, Trainer target, params string[] fragments) where T : Exception
    {
        var before = Snapshot(target);
        Fails<T>(() => TrainingCheckpoint.Restore(path, target), fragments);
        Assert.Equal(before, Snapshot(target));
    }

    [Fact]
    public void RestoreIntoADifferentArchitectureChangesNothing()
    {
        var path = PathOf("t.safetensors");
        TrainingCheckpoint.Save(path, Trained(5, 1));
        AssertRestoreFailsUnchanged<CheckpointException>(path, Trained(6, 2), "t.safetensors", "0.weight", "[5,3]", "[6,3]");
    }

    [Fact]
    public void RestoreWithAnotherOptimizerRollsTheModelBack()
    {
        var path = PathOf("t.safetensors");
        TrainingCheckpoint.Save(path, Trained(5, 1));
        // Same architecture: the weights load first, then the optimizer state does not fit and everything is rolled back.
        AssertRestoreFailsUnchanged<CheckpointException>(path, Trained(5, 2, m => new RMSProp(m.Parameters(), 0.01)),
            "t.safetensors", "does not fit the trainer", "RMSProp", "Adam");
    }

    [Fact]
    public void RestoreWithAnotherScheduleRollsTheModelAndTheOptimizerBack()
    {
        var path = PathOf("t.safetensors");
        TrainingCheckpoint.Save(path, Trained(5, 1));
        // Model and optimizer state fit; the schedule is the last to fail.
        AssertRestoreFailsUnchanged<CheckpointException>(path, Trained(5, 2, schedule: new StepDecay(0.01, 0.5, 3)),
            "t.safetensors", "StepDecay", "CosineDecay");
        var noSchedule = Trained(5, 3);
        noSchedule.Schedule = null;
        AssertRestoreFailsUnchanged<CheckpointException>(path, noSchedule, "schedule", "the trainer has none");
    }

    [Fact]
    public void RestoreOfDamagedOrTruncatedFilesChangesNothing()
    {
        var source = Trained(5, 1);
        var path = PathOf("t.safetensors");
        TrainingCheckpoint.Save(path, source);
        var bytes = File.ReadAllBytes(path);
        var target = Trained(5, 2);

        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length - 10).ToArray());
        AssertRestoreFailsUnchanged<DataFormatException>(path, target, "t.safetensors");
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 2).ToArray());
        AssertRestoreFailsUnchanged<DataFormatException>(path, target, "t.safetensors");
        var flipped = (byte[])bytes.Clone();
        flipped[^1] ^= 0x80;
        File.WriteAllBytes(path, flipped);
        AssertRestoreFailsUnchanged<CheckpointException>(path, target, "checksum mismatch");

        // Metadata that passes the checksums but cannot be parsed (a foreign or buggy writer).
        foreach (var (key, bad) in new[] { ("state.optimizer.lr", "{not a number"), ("state.optimizer.step", "twelve"), ("state.default_generator.words", "1,2,3"),
            ("state.history", "h\n1,2"), ("state.optimizer.type", "SGD"), ("state.schedule.t", "-1"), ("state.loader.generator.words", "x") })
        {
            var meta = CheckpointMetadata(source, key, bad);
            Checkpoint.Save(path, source.Model, meta, Checkpoint.Read(PathOf("meta.safetensors")).Tensors.Where(t => t.Key.StartsWith("state.", StringComparison.Ordinal)));
            AssertRestoreFailsUnchanged<CheckpointException>(path, target, "t.safetensors", "does not fit the trainer");
        }
        // A format-1 file (Nabla 0.1: separate metadata keys) and a weights-only file are refused by name.
        var old = CheckpointMetadata(source, "nabla.optimizer", "{}");
        old.Remove(TrainingCheckpoint.FormatKey);
        Checkpoint.Save(path, source.Model, old);
        AssertRestoreFailsUnchanged<CheckpointException>(path, target, "t.safetensors", "format 1", "resumes format 2");
        Checkpoint.Save(path, source.Model);
        AssertRestoreFailsUnchanged<CheckpointException>(path, target, "not a training checkpoint", "Checkpoint.Load");
        var future = CheckpointMetadata(source, TrainingCheckpoint.FormatKey, "3");
        Checkpoint.Save(path, source.Model, future);
        AssertRestoreFailsUnchanged<CheckpointException>(path, target, "format 3");

        // Nothing was half-applied: the original file still restores and matches the source bitwise.
        TrainingCheckpoint.Save(path, source);
        var sourceState = Snapshot(source);
        TrainingCheckpoint.Restore(path, target);
        Assert.Equal(sourceState, Snapshot(target));
    }

    /// <summary>The metadata TrainingCheckpoint.Save would write for <paramref name="t"/>, with one entry replaced.</summary>
    private Dictionary<string, string> CheckpointMetadata(Trainer t, string key, string value)
    {
        var path = PathOf("meta.safetensors");
        TrainingCheckpoint.Save(path, t);
        var meta = Checkpoint.Read(path).Metadata.Where(kv => !kv.Key.StartsWith("nabla.sha256", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        meta[key] = value;
        return meta;
    }

    // ---- an interrupted run (Ctrl-C) resumes exactly ----

    /// <summary>What a Ctrl-C handler does through a callback: stop in the middle of an epoch.</summary>
    private sealed class InterruptAt(int epoch, int batch) : Callback
    {
        public override void OnBatchEnd(TrainingContext context, BatchResult result)
        {
            if (result.Epoch == epoch && result.Index == batch)
            {
                context.StopTraining = true;
                context.StopReason = "interrupted (Ctrl-C)";
            }
        }
    }

    [Fact]
    public void ARunInterruptedMidEpochResumesFromTheLastCheckpointToTheSameWeights()
    {
        var g = new Generator(40);
        var x = Tensor.Randn([90, 3], g);
        var data = new Nabla.Data.TensorDataset(x, Enumerable.Range(0, 90).Select(i => (i * 7) % 2).ToArray());
        Trainer Make(ulong seed)
        {
            var m = new Sequential(new Linear(3, 8, generator: new Generator(seed)), new ReLU(), new Dropout(0.2, new Generator(seed + 1)), new Linear(8, 2, generator: new Generator(seed + 2)));
            return new Trainer(m, new CrossEntropy(), new Adam(m.Parameters(), 0.01)) { Schedule = new CosineDecay(0.01, 20) { Interval = ScheduleInterval.Step } };
        }

        Generator.ManualSeed(5);
        var full = Make(1);
        full.Fit(data, epochs: 4, batchSize: 16, seed: 3);

        Generator.ManualSeed(5);
        var interrupted = Make(1);
        var saver = new ModelCheckpoint(_dir, monitor: "loss");
        interrupted.Callbacks.Add(saver);
        interrupted.Callbacks.Add(new InterruptAt(epoch: 3, batch: 2));
        var h = interrupted.Fit(data, epochs: 4, batchSize: 16, seed: 3);
        Assert.Equal(2, h.Epochs.Count);
        Assert.Equal("interrupted (Ctrl-C)", h.StopReason);
        Assert.Equal(new[] { "best.safetensors", "last.safetensors" }, Directory.GetFiles(_dir).Select(f => Path.GetFileName(f)).Order().ToArray());

        Generator.ManualSeed(999); // a new process: other default state, other initial weights
        var resumed = Make(77);
        TrainingCheckpoint.Restore(saver.LastPath, resumed);
        resumed.Fit(data, epochs: 4 - resumed.History.Epochs.Count, batchSize: 16, seed: 3);
        Assert.Equal(Snapshot(full), Snapshot(resumed));
    }

    // ---- atomic writes ----

    [Fact]
    public void ACrashInsideAnAtomicWriteKeepsThePreviousFileAndLeavesNoTemporaryFile()
    {
        var path = PathOf("model.safetensors");
        Checkpoint.Save(path, Mlp(5, 1));
        var previous = File.ReadAllBytes(path);
        var newer = PathOf("newer.bin");
        Checkpoint.Save(newer, Mlp(5, 2));
        var next = File.ReadAllBytes(newer);
        File.Delete(newer);

        foreach (int written in new[] { 0, 1, 8, next.Length / 2, next.Length - 1, next.Length })
        {
            var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
            {
                s.Write(next, 0, written);
                s.Flush();
                throw new IOException("simulated crash (disk full, Ctrl-C, power loss)");
            }));
            Assert.Contains("simulated crash", e.Message);
            Assert.Equal(previous, File.ReadAllBytes(path));
            Assert.Equal(new[] { "model.safetensors" }, Directory.GetFiles(_dir).Select(f => Path.GetFileName(f)).ToArray());
            Checkpoint.Read(path); // still a valid checkpoint
        }

        // A save whose tensor enumeration throws part-way also leaves the old file.
        IEnumerable<KeyValuePair<string, Tensor>> Exploding()
        {
            yield return new("extra.a", Tensor.Zeros([2]));
            throw new InvalidOperationException("interrupted");
        }
        Assert.Throws<InvalidOperationException>(() => Checkpoint.Save(path, Mlp(5, 3), extraTensors: Exploding()));
        Assert.Equal(previous, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void ReadersRacingAWriterOnlyEverSeeCompleteCheckpoints()
    {
        var path = PathOf("live.safetensors");
        var models = new[] { Mlp(5, 1), Mlp(5, 2) };
        Checkpoint.Save(path, models[0]);
        using var stop = new CancellationTokenSource();
        int reads = 0;
        Exception? failure = null;
        var reader = new Thread(() =>
        {
            var m = Mlp(5, 3);
            while (!stop.IsCancellationRequested)
            {
                try { Checkpoint.Load(path, m); Interlocked.Increment(ref reads); }
                catch (Exception e) { failure = e; return; }
            }
        });
        reader.Start();
        // At least 60 saves, and on until the reader has loaded a few times (on a loaded machine it may start late).
        for (int i = 0; i < 60 || (Volatile.Read(ref reads) < 5 && Volatile.Read(ref failure) is null && i < 100_000); i++) Checkpoint.Save(path, models[i & 1], new Dictionary<string, string> { ["i"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        stop.Cancel();
        Assert.True(reader.Join(TimeSpan.FromSeconds(30)));
        Assert.Null(failure);
        Assert.True(reads > 0);
        Assert.Single(Directory.GetFiles(_dir));
    }
}
