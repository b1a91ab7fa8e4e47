using System.Globalization;
using Nabla.Data;
using Nabla.Diagnostics;
using Nabla.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Cli.Commands;

/// <summary>
/// `nabla lr-search`: the lectures' learning-rate search on a log scale (short trainings from the same initial
/// weights, 1e-1 down to 1e-6), then a range test (rate rising every step); a table and lr-search.svg.
/// </summary>
internal static class LrSearchCommand
{
    public const string Help = """
        usage: nabla lr-search [options]

          --model NAME|FILE   mlp (default), lenet, cnn, resnet, lstm, or a JSON architecture file
          --dataset D         mnist (default), fashion-mnist, a folder of IDX files or images, or a CSV file
          --label COLUMN      label column of a CSV dataset (name or index; default: last)
          --optimizer NAME    optimizer whose rate is searched (default adam)
          --weight-decay L    its L2 weight decay (decoupled for adamw; default 0: none)
          --steps N           training steps per rate in the grid search (default 100)
          --batch-size N      mini-batch size (default 64)
          --max RATE          largest rate of the grid (default 0.1)
          --min RATE          smallest rate of the grid (default 1e-6)
          --limit N           use only the first N training examples
          --seed N            seed of initialization and shuffling (default 1)
          --threads N         kernel threads (default: all cores)
          --out DIR           where lr-search.svg goes (default runs/lr-search-<model>)

          A rate whose loss becomes NaN or infinite counts as diverged and ends its trial at once.
        """;

    public static int Run(string[] argv)
    {
        var a = new Arguments(argv, new HashSet<string>());
        string name = a.String("model", "mlp");
        string dataset = a.String("dataset", "mnist");
        string? label = a.String("label");
        int? limit = a.Has("limit") ? a.Int("limit", 0, 1) : null;
        string optimizerName = a.String("optimizer", "adam");
        int steps = a.Int("steps", 100, 1, 100_000);
        double weightDecay = a.Double("weight-decay", 0, 0, 1);
        int batchSize = a.Int("batch-size", 64, 1, 1 << 16);
        double max = a.Double("max", 0.1, 0, 10, exclusiveMin: true), min = a.Double("min", 1e-6, 0, max, exclusiveMin: true);
        ulong seed = (ulong)a.Int("seed", 1, 0);
        Threads.Max = a.Int("threads", Environment.ProcessorCount, 1, 256);
        string outDir = a.String("out") ?? Path.Combine("runs", $"lr-search-{Path.GetFileNameWithoutExtension(name)}");
        if (string.IsNullOrWhiteSpace(outDir)) throw new CliException("--out: the folder path is empty");
        a.EnsureNoPositional("lr-search");
        a.EnsureAllUsed("lr-search");
        OptimizerFactory.CheckName(optimizerName);

        Generator.ManualSeed(seed);
        var config = ModelFactory.ConfigFor(name) with { Dataset = DatasetLoader.Canonical(dataset), Label = label, Seed = seed, Limit = limit };
        var data = DatasetLoader.Load(config);
        config = config with { InputShape = data.InputShape };
        var model = ModelFactory.Build(config, data.ClassNames.Length);
        ModelFactory.CheckFits(model, config, data.ClassNames.Length, $"--model {name}");
        var loss = new CrossEntropy();
        var validation = data.Test.Slice(0, Math.Min(2000, data.Test.Count));
        Console.WriteLine($"grid search: {steps} steps of {optimizerName} per rate, same initial weights each time");
        var grid = LearningRateSearch.Grid(model.Parameters(), lr => OptimizerFactory.Create(optimizerName, model.Parameters(), lr, weightDecay), opt =>
        {
            var loader = new DataLoader(data.Train, batchSize, shuffle: true, seed: seed);
            double last = double.NaN;
            int done = 0;
            model.Train();
            // A non-finite loss ends the trial (the rate diverged): it must leave both loops, or it would never end.
            bool diverged = false;
            while (done < steps && !diverged)
                foreach (var batch in loader)
                {
                    var l = loss.Forward(model.Forward(batch.Features), batch.Labels!);
                    opt.ZeroGrad();
                    l.Backward();
                    opt.Step();
                    last = l.Item();
                    diverged = !double.IsFinite(last);
                    if (diverged || ++done >= steps) break;
                }
            if (diverged) return new LearningRateSearchOutcome(last, double.NaN);
            var ev = model.Evaluate(validation, loss);
            return new LearningRateSearchOutcome(last, ev.Accuracy);
        }, LearningRateSearch.LogGrid(max, min), maximizeMetric: true);
        Console.WriteLine("  learning rate   final loss   val accuracy");
        foreach (var t in grid.Trials)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {t.LearningRate,13:G3}   {(t.Diverged ? "diverged" : t.Loss.ToString("F4", CultureInfo.InvariantCulture)),10}   {t.Metric ?? double.NaN,12:F4}"));
        Console.WriteLine(double.IsNaN(grid.BestRate) ? "best rate: none (every rate of the grid diverged; lower --max)"
            : string.Create(CultureInfo.InvariantCulture, $"best rate: {grid.BestRate:G3}"));

        Console.WriteLine("range test: rate rising exponentially each step");
        var rangeLoader = new DataLoader(data.Train, batchSize, shuffle: true, seed: seed + 1);
        using var batches = Repeat(rangeLoader).GetEnumerator();
        var optimizer = OptimizerFactory.Create(optimizerName, model.Parameters(), min, weightDecay);
        model.Train();
        var range = LearningRateSearch.RangeTest(optimizer, () =>
        {
            batches.MoveNext();
            var b = batches.Current;
            var l = loss.Forward(model.Forward(b.Features), b.Labels!);
            optimizer.ZeroGrad();
            l.Backward();
            return l.Item();
        }, min, Math.Max(max * 10, 1), Math.Max(100, steps));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"suggested rate from the range test: {range.SuggestedRate:G3}"));

        Directory.CreateDirectory(outDir);
        var ok = grid.Trials.Where(t => !t.Diverged).ToList();
        var chart = new LineChart("Learning-rate search", "learning rate", "loss") { LogX = true }
            .Add("grid: loss after short training", ok.Select(t => t.LearningRate).ToArray(), ok.Select(t => t.Loss).ToArray())
            .Add("range test: smoothed loss", range.Rates.ToArray(), range.SmoothedLosses.ToArray(), dashed: true);
        string svg = Path.Combine(outDir, "lr-search.svg");
        IO.AtomicFile.WriteAllText(svg, chart.ToSvg());
        Console.WriteLine($"chart: {svg}");
        return 0;
    }

    private static IEnumerable<Batch> Repeat(DataLoader loader)
    {
        while (true) foreach (var b in loader) yield return b;
    }
}
