using Nabla.Cli;
using Nabla.IO;
using Nabla.Models;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Onnx.Tests.Export;

/// <summary>`nabla export`: a run folder (written here as `nabla train` writes it) to an ONNX file that ONNX Runtime runs, and the errors.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-export-cli").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>A finished run of <paramref name="model"/> (a zoo name) on 1×12×12 images of 3 classes.</summary>
    private string Run(string model, string name = "run")
    {
        string run = Path.Combine(_dir, name);
        Directory.CreateDirectory(run);
        var config = new RunConfig { Model = model, InputShape = [1, 12, 12], ClassNames = ["a", "b", "c"] };
        File.WriteAllText(Path.Combine(run, "run.json"), config.ToJson());
        var net = ModelFactory.Build(config, 3, new Generator(2));
        ExportCase.WithBatchNormState(net, new Generator(3));
        Checkpoint.Save(RunFolder.ModelPath(run), net, new Dictionary<string, string> { ["nabla.config"] = config.ToJson() });
        return run;
    }

    private static (int Code, string Stdout, string Stderr) Nabla(params string[] args) => Cli.NablaCli.Run(args);

    [Theory]
    [InlineData("resnet")]
    [InlineData("lstm")]
    public void ExportWritesRunDotOnnxThatOnnxRuntimeRunsLikeNabla(string model)
    {
        string run = Run(model);
        var (code, stdout, stderr) = Nabla("export", "--run", run);
        Assert.True(code == 0, stderr);
        string path = Path.Combine(run, "model.onnx");
        Assert.Contains($"wrote {path} (", stdout);
        Assert.Contains("opset 17, input [batch, 1, 12, 12], output [batch, 3]", stdout);
        var (net, _) = RunFolder.LoadModel(run);
        OrtCheck.AssertMatches($"nabla export of a {model} run", net, File.ReadAllBytes(path), Tensor.Normal([3, 1, 12, 12], 0, 1, new Generator(4)));
    }

    [Fact]
    public void OutAndOpsetAreHonoured()
    {
        string run = Run("mlp");
        string path = Path.Combine(_dir, "mlp13.onnx");
        var (code, stdout, stderr) = Nabla("export", "--run", run, "--out", path, "--opset", "13");
        Assert.True(code == 0, stderr);
        Assert.Contains("opset 13", stdout);
        Assert.Equal(13, Protobuf.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).OpsetImport[0].Version);
        Assert.False(File.Exists(Path.Combine(run, "model.onnx")));
    }

    [Theory]
    [InlineData(2, "--opset: must be between 13 and 17, got 18", "--opset", "18")]
    [InlineData(2, "--opset: expected an integer, got 'x'", "--opset", "x")]
    [InlineData(2, "--format: unknown format 'pickle'; choose onnx, pretrained, torch, safetensors", "--format", "pickle")]
    [InlineData(2, "--opset applies to --format onnx only, not torch", "--format", "torch", "--opset", "15")]
    [InlineData(1, "does not exist", "--out", "/nonexistent-nabla-dir/model.onnx")]
    public void BadOptionsAreOneLineErrors(int exitCode, string message, params string[] extra)
    {
        string run = Run("mlp");
        var (code, stdout, stderr) = Nabla(["export", "--run", run, .. extra]);
        Assert.Equal(exitCode, code);
        Assert.StartsWith("nabla: error: ", stderr);
        Assert.Contains(message, stderr);
        Assert.Equal("", stdout);
    }

    [Theory]
    [InlineData("torch", "model.pt")]
    [InlineData("safetensors", "model.torch.safetensors")]
    public void FormatTorchAndSafetensorsWriteTheRunsWeightsWithPyTorchNames(string format, string file)
    {
        string run = Run("lenet");
        var (code, stdout, stderr) = Nabla("export", "--run", run, "--format", format);
        Assert.True(code == 0, stderr);
        string path = Path.Combine(run, file);
        Assert.StartsWith($"wrote {path} (", stdout);
        var expected = RunFolder.LoadModel(run).Model.StateDict();
        var written = global::Nabla.IO.Torch.TorchFile.Load(path);
        Assert.Equal(expected.Keys, written.Keys);
        Assert.Contains("0.weight", written.Keys);
        foreach (var key in expected.Keys) Assert.Equal(expected[key].ToArray(), written[key].ToArray());
        Assert.Contains($"{expected.Count} tensors with PyTorch's names", stdout);
    }

    [Fact]
    public void AMissingRunIsAnError()
    {
        var (code, _, stderr) = Nabla("export", "--run", Path.Combine(_dir, "nothing"));
        Assert.Equal(2, code);
        Assert.Contains("not a run folder (no run.json)", stderr);
        (code, _, stderr) = Nabla("export");
        Assert.Equal(2, code);
        Assert.Contains("export: --run DIR is required", stderr);
    }

    [Fact]
    public void HelpListsTheOptions()
    {
        var (code, stdout, _) = Nabla("export", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--opset N", stdout);
        Assert.Contains("default: DIR/model.onnx", stdout);
    }
}
