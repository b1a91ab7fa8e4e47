using System.Diagnostics;
using System.Text.Json;
using Nabla.Cli;
using Nabla.IO;
using Nabla.Training;
using Xunit;

namespace Nabla.Tests.Cli;

/// <summary>
/// What a new user met on a fresh clone and is now fixed: non-finite CSV cells, an endless learning-rate search,
/// run folders overwritten or mixed, diverged runs saved as models, nonsense labels, the installed tool without data,
/// and the smaller things (default model, version, help, dropout, resume, progress width, --limit).
/// </summary>
public sealed class NewcomerPathTests
{
    private static void AssertOneLineError(CliRunner.Result r, string fragment, int exitCode = -1)
    {
        Assert.True(r.ExitCode != 0, $"exit 0; stdout: {r.Stdout}");
        if (exitCode >= 0) Assert.Equal(exitCode, r.ExitCode);
        Assert.StartsWith("nabla: error: ", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Contains(fragment, r.Stderr);
    }

    private static JsonElement LastJson(CliRunner.Result r) => JsonDocument.Parse(r.Stdout.Trim().Split('\n')[^1]).RootElement;

    // ---- 1. NaN and infinities in a CSV ----

    [Theory]
    [InlineData("NaN")]
    [InlineData("nan")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("inf")]
    [InlineData("1e309")]
    [InlineData("1e39")]
    [InlineData("")]
    public void NonFiniteCsvCellsAreRefusedNamingLineAndColumnAndNoRunFolderIsLeft(string cell)
    {
        using var box = new CliSandbox();
        var lines = CliSandbox.IrisLike(30).Split('\n');
        var cells = lines[7].Split(',');
        cells[1] = cell;
        lines[7] = string.Join(',', cells);
        box.Write("bad.csv", string.Join('\n', lines));
        var r = box.Run("train", "--dataset", "bad.csv", "--epochs", "1", "--out", "run");
        AssertOneLineError(r, "line 8, column 2 ('sepal_width')");
        Assert.False(Directory.Exists(box["run"]));
        Assert.False(Directory.Exists(box["run.partial"]));
    }

    [Fact]
    public void PredictRefusesACsvRowWithNaN()
    {
        using var box = new CliSandbox();
        box.Write("iris.csv", CliSandbox.IrisLike(60));
        var t = box.Run("train", "--dataset", "iris.csv", "--epochs", "60", "--lr", "0.01", "--out", "run");
        Assert.True(t.ExitCode == 0, t.Stderr);
        box.Write("rows.csv", "5.1,3.5,1.4,0.2\n6.0,NaN,4.5,1.5\n");
        AssertOneLineError(box.Run("predict", "--run", "run", "rows.csv"), "line 2, column 2");
        box.Write("ok.csv", "5.1,3.5,1.4,0.2\n7.5,3.9,6.0,2.0\n");
        var ok = box.Run("predict", "--run", "run", "ok.csv");
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        Assert.Contains("ok.csv:1: setosa", ok.Stdout);
        Assert.Contains("ok.csv:2: virginica", ok.Stdout);
    }

    // ---- 2. lr-search with a diverging rate ----

    [Fact]
    public void LearningRateSearchEndsWhenARateDiverges()
    {
        using var box = new CliSandbox();
        var sw = Stopwatch.StartNew();
        // With weight decay 1, SGD at rate 10 multiplies every weight by -9 each step: past float's range in about 40 steps.
        var r = box.Run("lr-search", "--model", "mlp", "--limit", "600", "--optimizer", "sgd", "--weight-decay", "1", "--max", "10", "--min", "0.01", "--steps", "60", "--out", "lr");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("diverged", r.Stdout);
        Assert.Matches(@"\n +10 +diverged", r.Stdout);
        Assert.DoesNotMatch(@"best rate: 10\b", r.Stdout);
        Assert.True(File.Exists(box["lr/lr-search.svg"]));
        Assert.True(sw.Elapsed < TimeSpan.FromMinutes(2), $"took {sw.Elapsed}");
    }

    // ---- 3. --out protects an existing run ----

    [Fact]
    public void AnExistingRunIsRefusedUnlessForcedAndStaysUntouched()
    {
        using var box = new CliSandbox();
        box.Write("iris.csv", CliSandbox.IrisLike(60));
        Assert.Equal(0, box.Run("train", "--dataset", "iris.csv", "--epochs", "1", "--out", "run").ExitCode);
        string before = CliSandbox.Digest(box["run"]);
        AssertOneLineError(box.Run("train", "--dataset", "iris.csv", "--epochs", "3", "--out", "run"), "already holds a run", 2);
        AssertOneLineError(box.Run("train", "--dataset", "iris.csv", "--epochs", "3", "--out", "run/"), "--force", 2);
        Assert.Equal(before, CliSandbox.Digest(box["run"]));
        var forced = box.Run("train", "--dataset", "iris.csv", "--epochs", "3", "--out", "run", "--force");
        Assert.True(forced.ExitCode == 0, forced.Stderr);
        Assert.Equal(4, File.ReadAllLines(box["run/history.csv"]).Length); // header + 3 epochs: the new run replaced the old
        Assert.False(Directory.Exists(box["run.partial"]));
        Assert.False(File.Exists(box["run.lock"]));
        // A folder that is not a run is never replaced, even with --force.
        box.Write("notes/todo.txt", "keep me");
        AssertOneLineError(box.Run("train", "--dataset", "iris.csv", "--out", "notes", "--force"), "not a run folder");
        Assert.Equal("keep me", File.ReadAllText(box["notes/todo.txt"]));
        AssertOneLineError(box.Run("train", "--out", ""), "--out: the run folder path is empty");
    }

    [Fact]
    public void ASecondProcessOnTheSameRunFolderGetsAClearError()
    {
        using var box = new CliSandbox();
        box.Write("iris.csv", CliSandbox.IrisLike(60));
        // Hold the run's lock as a running `nabla train` does.
        using (new FileStream(box["run.lock"], FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            AssertOneLineError(box.Run("train", "--dataset", "iris.csv", "--out", "run"), "in use by another 'nabla train'");
            Assert.False(Directory.Exists(box["run"]));
            Assert.False(Directory.Exists(box["run.partial"]));
        }
        var r = box.Run("train", "--dataset", "iris.csv", "--epochs", "1", "--out", "run");
        Assert.True(r.ExitCode == 0, r.Stderr);
    }

    [Fact]
    public async Task TwoConcurrentTrainingsOnOneFolderLeaveOneCompleteRun()
    {
        using var box = new CliSandbox();
        string[] args = ["train", "--model", "mlp", "--limit", "3000", "--epochs", "2", "--out", "run"];
        using var a = Process.Start(CliRunner.StartInfo(box.Dir, args))!;
        using var b = Process.Start(CliRunner.StartInfo(box.Dir, args))!;
        var errA = a.StandardError.ReadToEndAsync(); var errB = b.StandardError.ReadToEndAsync();
        _ = a.StandardOutput.ReadToEndAsync(); _ = b.StandardOutput.ReadToEndAsync();
        Assert.True(a.WaitForExit(TimeSpan.FromMinutes(3)) && b.WaitForExit(TimeSpan.FromMinutes(3)));
        var codes = new[] { a.ExitCode, b.ExitCode };
        Assert.Contains(0, codes); // the first to take the lock trains
        // The other either met the lock, or (started after the first finished) found the finished run.
        string other = a.ExitCode == 0 ? await errB : await errA;
        Assert.True(other.Contains("in use by another") || other.Contains("already holds a run"), other);
        Assert.Equal(3, File.ReadAllLines(box["run/history.csv"]).Length);
        Assert.True(File.Exists(box["run/model.safetensors"]));
    }

    [Fact]
    public void AForcedRunKilledMidwayLeavesTheOldRunIntactAndResumes()
    {
        using var box = new CliSandbox();
        string[] args = ["train", "--model", "mlp", "--limit", "12000", "--epochs", "4", "--seed", "4"];
        Assert.Equal(0, box.Run([.. args[..^4], "--epochs", "1", "--out", "run"]).ExitCode);
        string before = CliSandbox.Digest(box["run"]);
        using (var p = Process.Start(CliRunner.StartInfo(box.Dir, [.. args, "--out", "run", "--force"]))!)
        {
            _ = p.StandardOutput.ReadToEndAsync(); _ = p.StandardError.ReadToEndAsync();
            var sw = Stopwatch.StartNew();
            while (!File.Exists(box["run.partial/last.safetensors"]) && !p.HasExited && sw.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(10);
            Assert.False(p.HasExited, "the run finished before it could be killed");
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        Assert.Equal(before, CliSandbox.Digest(box["run"])); // the old run, untouched: predict and eval still see it whole
        Assert.True(Directory.Exists(box["run.partial"]));
        AssertOneLineError(box.Run([.. args, "--out", "run"]), "an interrupted run is in");
        var resumed = box.Run("train", "--resume", "run");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Equal(5, File.ReadAllLines(box["run/history.csv"]).Length);
        Assert.False(Directory.Exists(box["run.partial"]));
    }

    // ---- 4. divergence is a failure ----

    [Fact]
    public void ADivergedRunSavesNoModelAndExitsNonZero()
    {
        using var box = new CliSandbox();
        // SGD at rate 10 with weight decay 1 multiplies every weight by -9 each step: past float's range in about 40 steps.
        var r = box.Run("train", "--model", "mlp", "--limit", "4000", "--epochs", "1", "--optimizer", "sgd", "--lr", "10", "--weight-decay", "1", "--out", "run");
        AssertOneLineError(r, "training diverged", 1);
        Assert.Contains("smaller --lr", r.Stderr);
        Assert.False(Directory.Exists(box["run"]));
        Assert.False(Directory.Exists(box["run.partial"]));
    }

    [Fact]
    public void PredictAndEvalRefuseAModelWithNaNWeights()
    {
        using var box = new CliSandbox();
        box.Write("iris.csv", CliSandbox.IrisLike(60));
        Assert.Equal(0, box.Run("train", "--dataset", "iris.csv", "--epochs", "1", "--out", "run").ExitCode);
        var (model, _) = RunFolder.LoadModel(box["run"]);
        var file = Checkpoint.Read(box["run/model.safetensors"]);
        model.Parameters().First().Data.SetFlat(3, float.NaN);
        Checkpoint.Save(box["run/model.safetensors"], model, file.Metadata);
        box.Write("ok.csv", "5.1,3.5,1.4,0.2\n");
        AssertOneLineError(box.Run("predict", "--run", "run", "ok.csv"), "NaN or infinite values (the training diverged)", 1);
        AssertOneLineError(box.Run("eval", "--run", "run"), "NaN or infinite values", 1);
    }

    // ---- 5. labels that are not classes ----

    [Fact]
    public void ACsvWithoutALabelColumnIsRefused()
    {
        using var box = new CliSandbox();
        var noLabel = string.Join('\n', CliSandbox.IrisLike(60).Split('\n').Select(l => l.Contains(',') ? l[..l.LastIndexOf(',')] : l));
        box.Write("measurements.csv", noLabel);
        var r = box.Run("train", "--dataset", "measurements.csv", "--out", "run");
        AssertOneLineError(r, "'petal_width'");
        Assert.Contains("not class labels", r.Stderr);
        Assert.Contains("--label", r.Stderr);
        AssertOneLineError(box.Run("train", "--dataset", "measurements.csv", "--label", "sepal_length", "--out", "run"), "'sepal_length'");
        Assert.False(Directory.Exists(box["run"]));
    }

    [Fact]
    public void ASingleClassANaNLabelAndAnIdentifierColumnAreRefused()
    {
        using var box = new CliSandbox();
        var oneClass = string.Join('\n', CliSandbox.IrisLike(60).Split('\n').Where((l, i) => i == 0 || l.EndsWith("setosa")));
        box.Write("setosa.csv", oneClass);
        AssertOneLineError(box.Run("train", "--dataset", "setosa.csv", "--out", "run"), "1 class ('setosa') found; a classifier needs at least 2", 1);
        var lines = CliSandbox.IrisLike(60).Split('\n');
        lines[5] = lines[5][..lines[5].LastIndexOf(',')] + ",NaN";
        box.Write("nanlabel.csv", string.Join('\n', lines));
        AssertOneLineError(box.Run("train", "--dataset", "nanlabel.csv", "--out", "run"), "line 6, column 5 ('species'): a class label expected, found 'NaN'");
        var ids = string.Join('\n', CliSandbox.IrisLike(60).Split('\n').Select((l, i) => l.Length == 0 ? l : l[..l.LastIndexOf(',')] + (i == 0 ? ",id" : "," + (1000 + i))));
        box.Write("ids.csv", ids);
        AssertOneLineError(box.Run("train", "--dataset", "ids.csv", "--out", "run"), "column 'id' of");
        Assert.False(Directory.Exists(box["run"]));
    }

    [Fact]
    public void ASemicolonSeparatedCsvTrains()
    {
        using var box = new CliSandbox();
        box.Write("iris.csv", CliSandbox.IrisLike(90, ';'));
        var r = box.Run("train", "--dataset", "iris.csv", "--epochs", "60", "--lr", "0.01", "--out", "run", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.True(LastJson(r).GetProperty("test_accuracy").GetDouble() > 0.8, r.Stdout);
        using var config = JsonDocument.Parse(File.ReadAllText(box["run/run.json"]));
        Assert.Equal("mlp", config.RootElement.GetProperty("model").GetString()); // the default model for CSV data
        Assert.Equal(3, config.RootElement.GetProperty("class_names").GetArrayLength());
        Assert.Equal(4, config.RootElement.GetProperty("input_shape")[0].GetInt32());
    }

    // ---- 6. image folders ----

    /// <summary>Writes root/{red,green,blue}/i.png: colour images of <paramref name="width"/>x<paramref name="height"/>, mostly one colour with noise.</summary>
    private static void WriteColourFolder(string root, int perClass, int width, int height, int seed)
    {
        var rng = new Random(seed);
        string[] classes = ["blue", "green", "red"];
        for (int c = 0; c < 3; c++)
        {
            Directory.CreateDirectory(Path.Combine(root, classes[c]));
            for (int i = 0; i < perClass; i++)
            {
                var px = new float[3 * width * height];
                for (int ch = 0; ch < 3; ch++)
                    for (int k = 0; k < width * height; k++)
                        px[ch * width * height + k] = (float)Math.Clamp((ch == 2 - c ? 0.8 : 0.2) + 0.2 * (rng.NextDouble() - 0.5), 0, 1);
                File.WriteAllBytes(Path.Combine(root, classes[c], $"{i}.png"), Png.EncodeRgb(new RgbImage(width, height, px)));
            }
        }
    }

    [Fact]
    public void AnImageFolderTrainsEvaluatesAndPredicts()
    {
        using var box = new CliSandbox();
        WriteColourFolder(box["colours"], 20, 24, 20, seed: 1);
        var r = box.Run("train", "--dataset", "colours", "--epochs", "6", "--lr", "0.003", "--out", "run", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(1.0, LastJson(r).GetProperty("test_accuracy").GetDouble());
        using var config = JsonDocument.Parse(File.ReadAllText(box["run/run.json"]));
        Assert.Equal("[3,28,28]", config.RootElement.GetProperty("input_shape").GetRawText().Replace(" ", "").Replace("\n", ""));
        Assert.Equal(["blue", "green", "red"], config.RootElement.GetProperty("class_names").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("lenet", config.RootElement.GetProperty("model").GetString());
        var e = box.Run("eval", "--run", "run", "--json");
        Assert.True(e.ExitCode == 0, e.Stderr);
        Assert.Equal(12, JsonDocument.Parse(e.Stdout).RootElement.GetProperty("samples").GetInt32()); // 20% of 60 held out
        WriteColourFolder(box["new"], 1, 50, 40, seed: 9);
        var p = box.Run("predict", "--run", "run", box["new/red/0.png"], box["new/blue/0.png"]);
        Assert.True(p.ExitCode == 0, p.Stderr);
        Assert.Contains("red/0.png: red", p.Stdout);
        Assert.Contains("blue/0.png: blue", p.Stdout);
    }

    [Fact]
    public void AnImageFolderWithTrainAndTestSubfoldersUsesThemAndGrayInputOnRequest()
    {
        using var box = new CliSandbox();
        WriteColourFolder(box["split/train"], 10, 16, 16, seed: 2);
        WriteColourFolder(box["split/test"], 4, 30, 30, seed: 3);
        var r = box.Run("train", "--dataset", "split", "--model", "mlp", "--channels", "1", "--image-size", "12x10", "--epochs", "1", "--out", "run", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var config = JsonDocument.Parse(File.ReadAllText(box["run/run.json"]));
        Assert.Equal("[1,12,10]", config.RootElement.GetProperty("input_shape").GetRawText().Replace(" ", "").Replace("\n", ""));
        var e = box.Run("eval", "--run", "run", "--json");
        Assert.Equal(12, JsonDocument.Parse(e.Stdout).RootElement.GetProperty("samples").GetInt32()); // the test/ folder: 3 x 4
        box.Write("one/only/a.pgm", Pgm.Encode(new GrayImage(2, 2, [0, 1, 1, 0])));
        AssertOneLineError(box.Run("train", "--dataset", "one", "--out", "run2"), "one");
        Assert.False(Directory.Exists(box["run2"]));
    }

    // ---- 7. the installed tool and data locations ----

    [Fact]
    public void TrainWorksOutsideTheRepositoryAndRunJsonHoldsAbsolutePaths()
    {
        using var box = new CliSandbox(); // under /tmp: no data/mnist above it
        var r = box.Run("train", "--model", "mlp", "--limit", "500", "--epochs", "1", "--out", "run");
        Assert.True(r.ExitCode == 0, r.Stderr);
        box.Write("sub/iris.csv", CliSandbox.IrisLike(60));
        var t = CliRunner.Run(box["sub"], "train", "--dataset", "iris.csv", "--epochs", "1", "--out", "../csvrun");
        Assert.True(t.ExitCode == 0, t.Stderr);
        using var config = JsonDocument.Parse(File.ReadAllText(box["csvrun/run.json"]));
        Assert.Equal(box["sub/iris.csv"], config.RootElement.GetProperty("dataset").GetString());
        var e = CliRunner.Run(Path.GetTempPath(), "eval", "--run", box["csvrun"], "--json"); // from anywhere
        Assert.True(e.ExitCode == 0, e.Stderr);
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "data", "mnist", "train-images-idx3-ubyte.gz")), "the command carries MNIST");
    }

    [Fact]
    public void NablaDataPointsAtADatasetFolder()
    {
        using var box = new CliSandbox();
        WriteIdxDataset(box["store/fashion-mnist"], train: 60, test: 20);
        var env = new Dictionary<string, string?> { ["NABLA_DATA"] = box["store"] };
        var r = CliRunner.Run(box.Dir, env, "train", "--dataset", "fashion-mnist", "--model", "mlp", "--epochs", "1", "--out", "run", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("60 examples", r.Stderr);
        var missing = CliRunner.Run(box.Dir, new Dictionary<string, string?> { ["NABLA_DATA"] = box["nowhere"], ["HOME"] = box.Dir }, "train", "--dataset", "fashion-mnist", "--out", "run2");
        if (Nabla.Data.FashionMnist.FindFolder() is null) // this machine may have it elsewhere (a system package, shared/data)
        {
            AssertOneLineError(missing, "--dataset PATH");
            Assert.Contains("NABLA_DATA", missing.Stderr);
            Assert.DoesNotContain("FashionMnist.Load", missing.Stderr);
        }
    }

    /// <summary>Four MNIST-layout IDX files (gzip) of random 28x28 images with labels 0-9.</summary>
    private static void WriteIdxDataset(string dir, int train, int test)
    {
        Directory.CreateDirectory(dir);
        var rng = new Random(3);
        void Write(string name, byte[] header, int count, int itemBytes)
        {
            using var fs = File.Create(Path.Combine(dir, name + ".gz"));
            using var gz = new System.IO.Compression.GZipStream(fs, System.IO.Compression.CompressionLevel.Fastest);
            gz.Write(header);
            var body = new byte[count * itemBytes];
            rng.NextBytes(body);
            if (itemBytes == 1) for (int i = 0; i < body.Length; i++) body[i] = (byte)(i % 10);
            gz.Write(body);
        }
        static byte[] Header(int magic, params int[] dims) => [.. BE(magic), .. dims.SelectMany(BE)];
        static byte[] BE(int v) => [(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v];
        Write("train-images-idx3-ubyte", Header(0x803, train, 28, 28), train, 784);
        Write("train-labels-idx1-ubyte", Header(0x801, train), train, 1);
        Write("t10k-images-idx3-ubyte", Header(0x803, test, 28, 28), test, 784);
        Write("t10k-labels-idx1-ubyte", Header(0x801, test), test, 1);
    }

    // ---- 8. the smaller things ----

    [Fact]
    public void VersionHelpAndUnknownCommands()
    {
        using var box = new CliSandbox();
        var v = box.Run("--version");
        Assert.Equal(0, v.ExitCode);
        Assert.Matches(@"^nabla \d+\.\d+\.\d+", v.Stdout.Trim());
        AssertOneLineError(box.Run("bogus", "--help"), "unknown command 'bogus'", 2);
        var help = box.Run("lr-search", "--help");
        Assert.Equal(0, help.ExitCode);
        foreach (var option in new[] { "--model", "--dataset", "--label", "--optimizer", "--steps", "--batch-size", "--max", "--min", "--limit", "--seed", "--threads", "--out" })
            Assert.Contains(option, help.Stdout);
        var train = box.Run("train", "--help");
        foreach (var option in new[] { "--force", "--image-size", "--channels", "--limit", "--resume" })
            Assert.Contains(option, train.Stdout);
    }

    [Fact]
    public void GradCheckStatesItsCriterionAndReportsProgress()
    {
        using var box = new CliSandbox();
        var r = box.Run("gradcheck", "--model", "mlp", "--input", "1,3,3");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("criterion: |analytic − numeric| ≤ 1e-06 + 1e-04·|numeric| for every element", r.Stdout);
        Assert.Matches(@"1\.weight +\[256,9\] +ok +worst element at \d+\.\d % of its tolerance", r.Stdout);
        Assert.Contains("gradcheck passed: every element within its tolerance", r.Stdout);
        Assert.Contains("values (100 %)", r.Stderr);
    }

    [Fact]
    public void DropoutForAModelWithoutDropoutIsRefused()
    {
        using var box = new CliSandbox();
        AssertOneLineError(box.Run("train", "--model", "lenet", "--dropout", "0.3", "--out", "run"), "--dropout: model lenet has no dropout; models with dropout: mlp, cnn", 2);
        AssertOneLineError(box.Run("train", "--model", "resnet", "--dropout", "0.3", "--out", "run"), "model resnet has no dropout");
        Assert.False(Directory.Exists(box["run"]));
    }

    [Fact]
    public void ResumingWithFewerEpochsThanDoneIsRefused()
    {
        using var box = new CliSandbox();
        box.Write("iris.csv", CliSandbox.IrisLike(60));
        Assert.Equal(0, box.Run("train", "--dataset", "iris.csv", "--epochs", "3", "--out", "run").ExitCode);
        string before = CliSandbox.Digest(box["run"]);
        AssertOneLineError(box.Run("train", "--resume", "run", "--epochs", "2"), "--epochs 2: run has already trained 3 epochs");
        AssertOneLineError(box.Run("train", "--resume", "run"), "--epochs 3: run has already trained 3 epochs");
        Assert.Equal(before, CliSandbox.Digest(box["run"]));
        Assert.False(Directory.Exists(box["run.partial"]));
        var more = box.Run("train", "--resume", "run", "--epochs", "5");
        Assert.True(more.ExitCode == 0, more.Stderr);
        Assert.Contains("after epoch 3 of 5", more.Stdout);
        Assert.Equal(6, File.ReadAllLines(box["run/history.csv"]).Length);
    }

    [Fact]
    public void AnAugmentedRunWithDropoutResumesBitIdentically()
    {
        // The augmentation's and dropout's generators travel in the trainer's state (no CLI-side metadata any more).
        using var box = new CliSandbox();
        string[] args = ["train", "--model", "mlp", "--limit", "1500", "--augment", "--dropout", "0.2", "--seed", "6"];
        Assert.Equal(0, box.Run([.. args, "--epochs", "2", "--out", "straight"]).ExitCode);
        Assert.Equal(0, box.Run([.. args, "--epochs", "1", "--out", "split"]).ExitCode);
        var resumed = box.Run("train", "--resume", "split", "--epochs", "2");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        var a = CliRunner.ModelWeights(box["straight"]);
        var b = CliRunner.ModelWeights(box["split"]);
        Assert.Equal(a.Keys, b.Keys);
        foreach (var k in a.Keys) Assert.Equal(a[k], b[k]);
    }

    [Fact]
    public void ProgressLinesFitAnEightyColumnTerminal()
    {
        var b = new BatchResult(100, 93_749, 93_750, 64, 12.345678, 123.456789, 0.987654, 1_234_567);
        foreach (int columns in new[] { 80, 60, 120 })
        {
            string line = ProgressReporter.Line(1000, b, columns);
            Assert.Equal(columns - 1, line.Length);
            Assert.Contains("93750/93750", line);
            Assert.Equal(columns >= 80, line.Contains('[')); // the bar goes first when the line is too long
        }
        Assert.Contains("[#####", ProgressReporter.Line(5, b with { Epoch = 1, Index = 937, BatchesPerEpoch = 938 }, 80));
        var record = new EpochRecord(12, 0.123456, 0.98765, 0.234567, 0.97654, 0.001, 12.3, 45678);
        Assert.True(record.ToString().Replace("val_", "test_").Length < 80, record.ToString());
    }
}
