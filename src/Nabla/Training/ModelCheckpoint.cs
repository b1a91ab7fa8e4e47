namespace Nabla.Training;

/// <summary>
/// Saves the full training state (see <see cref="TrainingCheckpoint"/>) after every epoch to <c>last.safetensors</c>
/// and, when the monitored metric improves, to <c>best.safetensors</c>, in <see cref="Directory"/>. Files are replaced
/// atomically, so a crash at any moment leaves the previous complete checkpoint.
/// </summary>
public sealed class ModelCheckpoint : Callback
{
    /// <summary>Creates the callback. <paramref name="metadata"/> is stored in every checkpoint (architecture, preprocessing).</summary>
    public ModelCheckpoint(string directory, string monitor = "val_loss", bool? maximize = null, Func<IReadOnlyDictionary<string, string>>? metadata = null)
    {
        Directory = directory;
        Monitor = monitor;
        Maximize = maximize ?? monitor.Contains("accuracy", StringComparison.Ordinal);
        _metadata = metadata;
    }

    private readonly Func<IReadOnlyDictionary<string, string>>? _metadata;

    /// <summary>The folder written to.</summary>
    public string Directory { get; }

    /// <summary>The metric deciding the best checkpoint (falls back to the training loss when the metric is NaN).</summary>
    public string Monitor { get; }

    /// <summary>True when larger is better.</summary>
    public bool Maximize { get; }

    /// <summary>The best value so far.</summary>
    public double Best { get; private set; } = double.NaN;

    /// <summary>Path of the checkpoint of the last epoch.</summary>
    public string LastPath => Path.Combine(Directory, "last.safetensors");

    /// <summary>Path of the checkpoint of the best epoch.</summary>
    public string BestPath => Path.Combine(Directory, "best.safetensors");

    /// <summary>Removes temporary files a killed earlier run may have left behind (they never replaced a checkpoint).</summary>
    public override void OnTrainBegin(TrainingContext context)
    {
        if (!System.IO.Directory.Exists(Directory)) return;
        foreach (var f in System.IO.Directory.GetFiles(Directory, ".*.tmp")) File.Delete(f);
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        var meta = _metadata?.Invoke();
        TrainingCheckpoint.Save(LastPath, context.Trainer, meta);
        double v = record.Get(Monitor);
        if (double.IsNaN(v)) v = record.Loss;
        if (double.IsNaN(Best) || (Maximize ? v > Best : v < Best))
        {
            Best = v;
            // Through AtomicFile like last.safetensors: flushed to disk before the rename, and no stray temporary file on failure.
            IO.AtomicFile.Write(BestPath, s =>
            {
                using var last = File.OpenRead(LastPath);
                last.CopyTo(s);
            });
        }
    }
}
