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

    /// <summary>The terminal's width (80 when unknown): the live line stays one character shorter, so it never wraps.</summary>
    private static int TerminalWidth()
    {
        try { return Console.WindowWidth is int w and >= 20 ? w : 80; }
        catch (IOException) { return 80; }
    }

    public override void OnBatchEnd(TrainingContext context, BatchResult b)
    {
        if (!live || (_redraw.ElapsedMilliseconds < 100 && b.Index + 1 < b.BatchesPerEpoch)) return;
        _redraw.Restart();
        output.Write('\r' + Line(context.Epochs, b, TerminalWidth()));
    }

    /// <summary>The live progress line, at most <paramref name="columns"/> − 1 characters: the bar shrinks (or goes) to fit.</summary>
    public static string Line(int epochs, BatchResult b, int columns)
    {
        double f = (b.Index + 1.0) / b.BatchesPerEpoch;
        double eta = b.SamplesPerSecond > 0 ? (b.BatchesPerEpoch - b.Index - 1) * (double)b.Size / b.SamplesPerSecond : 0;
        string head = string.Create(CultureInfo.InvariantCulture, $"epoch {b.Epoch}/{epochs} ");
        string tail = string.Create(CultureInfo.InvariantCulture,
            $"{b.Index + 1}/{b.BatchesPerEpoch} loss {b.RunningLoss:F4} acc {b.RunningAccuracy:F4} {b.SamplesPerSecond:F0}/s ETA {eta:F0}s");
        int room = columns - 1 - head.Length - tail.Length - 3;
        int width = Math.Min(30, room);
        string line = width >= 5
            ? head + "[" + new string('#', (int)(f * width)) + new string('.', width - (int)(f * width)) + "] " + tail
            : head + tail;
        return line.Length < columns ? line.PadRight(columns - 1) : line[..(columns - 1)];
    }

    public override void OnEpochEnd(TrainingContext context, EpochRecord record)
    {
        if (live) output.Write('\r' + new string(' ', TerminalWidth() - 1) + '\r');
        output.WriteLine(validationIsTest ? record.ToString().Replace("val_", "test_", StringComparison.Ordinal) : record.ToString());
        output.Flush();
    }
}
