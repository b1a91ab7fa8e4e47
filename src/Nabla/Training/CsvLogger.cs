namespace Nabla.Training;

/// <summary>Writes the whole history as CSV to a file after every epoch (atomically, so the file is always complete).</summary>
public sealed class CsvLogger(string path) : Callback
{
    /// <summary>The file written.</summary>
    public string Path { get; } = path;

    /// <inheritdoc/>
    public override void OnEpochEnd(TrainingContext context, EpochRecord record) => IO.AtomicFile.WriteAllText(Path, context.History.ToCsv());
}
