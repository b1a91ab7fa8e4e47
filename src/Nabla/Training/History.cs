using System.Globalization;
using System.Text;

namespace Nabla.Training;

/// <summary>What <see cref="Trainer.Fit"/> returns: one <see cref="EpochRecord"/> per epoch, and whether training stopped early.</summary>
public sealed class History
{
    private readonly List<EpochRecord> _epochs = [];

    /// <summary>The epochs in order.</summary>
    public IReadOnlyList<EpochRecord> Epochs => _epochs;

    /// <summary>Set when a callback (early stopping, the NaN guard) or cancellation ended the last <see cref="Trainer.Fit"/>; says why.</summary>
    public string? StopReason { get; internal set; }

    /// <summary>True when the last <see cref="Trainer.Fit"/> stopped because its cancellation token was cancelled.</summary>
    public bool Cancelled { get; internal set; }

    /// <summary>The values of one metric over the epochs (see <see cref="EpochRecord.Get"/>).</summary>
    public double[] Values(string metric) => _epochs.Select(e => e.Get(metric)).ToArray();

    internal void Add(EpochRecord record) => _epochs.Add(record);

    internal void Truncate(int count) => _epochs.RemoveRange(count, _epochs.Count - count);

    /// <summary>The history as CSV with a header row.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder("epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds,samples_per_second\n");
        foreach (var e in _epochs)
            sb.Append(string.Create(CultureInfo.InvariantCulture,
                $"{e.Epoch},{e.Loss:R},{e.Accuracy:R},{e.ValidationLoss:R},{e.ValidationAccuracy:R},{e.LearningRate:R},{e.Seconds:R},{e.SamplesPerSecond:R}\n"));
        return sb.ToString();
    }

    /// <summary>Reads a history written by <see cref="ToCsv"/>.</summary>
    public static History FromCsv(string csv)
    {
        var h = new History();
        foreach (var line in csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var f = line.Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            if (f.Length != 8) throw new Errors.DataFormatException($"history: expected 8 columns, found {f.Length} in '{line}'");
            h.Add(new EpochRecord((int)f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]));
        }
        return h;
    }
}
