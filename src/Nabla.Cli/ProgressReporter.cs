using System.Diagnostics;
using System.Globalization;
using Nabla.Training;

namespace Nabla.Cli;

/// <summary>
/// Shows training progress: on a terminal a live bar per epoch (loss, accuracy, samples/s, ETA) redrawn in place;
/// when output is redirected (or in CI), one plain line per epoch. With --json, progress goes to standard error.
/// </summary>
internal sealed class ProgressReporter(TextWriter output, bool live, bool validationIsTest) : Callback
{
    private readonly Stopwatch _redraw = Stopwatch.StartNew();

    public static bool IsInteractive(TextWriter w) =>
        w == Console.Out ? !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("CI") is null
        : w == Console.Error && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("CI") is null;

    public override void OnBatchEnd(TrainingContext context, BatchResult b)
    {
        if (!live || (_redraw.ElapsedMilliseconds < 100 && b.Index + 1 < b.BatchesPerEpoch)) return;
        _redraw.Restart();
        const int width = 30;
        double f = (b.Index + 1.0) / b.BatchesPerEpoch;
        int filled = (int)(f * width);
        double eta = b.SamplesPerSecond > 0 ? (b.BatchesPerEpoch - b.Index - 1) * (double)b.Size / b.SamplesPerSecond : 0;
        output.Write(string.Create(CultureInfo.InvariantCulture,
            $"\repoch {b.Epoch}/{context.Epochs} [{new string('#', filled)}{new string('.', width - filled)}] {b.Index + 1}/{b.BatchesPerEpoch}  loss {b.RunningLoss:F4}  acc {b.RunningAccuracy:F4}  {b.SamplesPerSecond:F0} samples/s  ETA {eta:F0}s   "));
    }

    public override void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        if (live) output.Write('\r' + new string(' ', 120) + '\r');
        output.WriteLine(validationIsTest ? record.ToString().Replace("val_", "test_", StringComparison.Ordinal) : record.ToString());
        output.Flush();
    }
}
