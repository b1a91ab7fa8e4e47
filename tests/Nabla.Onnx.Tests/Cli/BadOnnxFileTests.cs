using Google.Protobuf;
using Nabla.IO;
using Nabla.Onnx.Protobuf;
using Nabla.Onnx.Tests.Import;
using Xunit;

namespace Nabla.Onnx.Tests.Cli;

/// <summary>
/// A bad ONNX file given to predict, eval or summary with --model is one `nabla: error:` line naming the file (and the
/// node or operator where the importer says it), exit code 1 (2 for a path that does not exist), and nothing written.
/// </summary>
public sealed class BadOnnxFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-onnx-bad").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var command in new[] { "predict", "eval", "summary" })
            foreach (var bad in new[] { "truncated", "garbage", "opset18", "domain", "initializer", "cycle", "external", "operator" })
                data.Add(command, bad);
        return data;
    }

    /// <summary>The bad file and a piece of the error it must give.</summary>
    private (string Path, string Message) Write(string bad)
    {
        var model = LoadTests.Mlp();
        string message;
        switch (bad)
        {
            case "truncated":
                string truncated = Path.Combine(_dir, "truncated.onnx");
                File.WriteAllBytes(truncated, model.Bytes()[..(model.Bytes().Length / 2)]);
                return (truncated, "is not a valid ONNX model (truncated or not protobuf)");
            case "garbage":
                string garbage = Path.Combine(_dir, "garbage.onnx");
                File.WriteAllBytes(garbage, [0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x02]);
                return (garbage, "is not a valid ONNX model");
            case "opset18":
                model.Proto.OpsetImport[0].Version = 18;
                message = "opset 18";
                break;
            case "domain":
                model.Proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.microsoft", Version = 1 });
                message = "'com.microsoft'";
                break;
            case "initializer":
                model.Proto.Graph.Initializer[0].Dims[1] = 5;
                message = "fc1.weight";
                break;
            case "cycle":
                model = new TestModel().Input("x", "batch", 2).Output("y")
                    .Node("Add", ["x", "b"], ["a"], "first").Node("Relu", ["a"], ["b"], "second").Node("Relu", ["a"], ["y"], "out");
                message = "cycle";
                break;
            case "external":
                var w = model.Proto.Graph.Initializer[0];
                w.RawData = ByteString.Empty;
                w.DataLocation = TensorProto.Types.DataLocation.External;
                w.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
                message = "weights.bin";
                break;
            case "operator":
                model = new TestModel(13).Input("x", "batch", 2).Output("y").Node("Relu", ["x"], ["a"], "ok").Node("Gelu", ["a"], ["y"], "act");
                message = "node 1 'act' (Gelu, opset 13): operator Gelu is not supported";
                break;
            default: throw new ArgumentException(bad);
        }
        return (model.Save(_dir, bad + ".onnx"), message);
    }

    private static string[] Command(string command, string model, string image) => command switch
    {
        "predict" => ["predict", "--model", model, image],
        "eval" => ["eval", "--model", model, "--dataset", "mnist"],
        _ => ["summary", "--model", model],
    };

    private string Image()
    {
        string png = Path.Combine(_dir, "digit.png");
        File.WriteAllBytes(png, Png.EncodeGray(new GrayImage(28, 28, new float[784])));
        return png;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ABadFileIsOneLineNamingItAndExitCodeOne(string command, string bad)
    {
        var (path, message) = Write(bad);
        string image = Image();
        string before = string.Join("\n", Directory.GetFiles(_dir).Order());
        var (code, stdout, stderr) = NablaCli.Run(Command(command, path, image));
        Assert.True(code == 1, $"exit {code}: {stderr}");
        Assert.StartsWith("nabla: error: ", stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains(path, stderr);
        Assert.Contains(message, stderr);
        Assert.Equal("", stdout);
        Assert.Equal(before, string.Join("\n", Directory.GetFiles(_dir).Order()));
    }

    [Theory]
    [InlineData("predict")]
    [InlineData("eval")]
    [InlineData("summary")]
    public void AMissingFileIsACommandLineError(string command)
    {
        string missing = Path.Combine(_dir, "missing.onnx");
        var (code, stdout, stderr) = NablaCli.Run(Command(command, missing, Image()));
        Assert.Equal(2, code);
        Assert.Equal($"nabla: error: {command}: --model: ONNX file '{missing}' not found\n", stderr);
        Assert.Equal("", stdout);
    }
}
