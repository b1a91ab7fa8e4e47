using Nabla.Models;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Onnx.Protobuf;
using Nabla.Onnx.Tests.Support;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Onnx.Tests.Export;

/// <summary>The exported files themselves: the ONNX checker's verdict, the graph's metadata and initializers, and the errors.</summary>
public class ExportFileTests
{
    [OnnxPythonFact]
    public void EveryExportedFilePassesTheOnnxCheckerWithFullCheck()
    {
        var dir = Directory.CreateTempSubdirectory("nabla-onnx-export").FullName;
        try
        {
            var cases = new[] { "mlp", "lenet", "cnn", "resnet", "lstm" }.Select(ExportAccuracyTests.Zoo)
                .Concat(Enumerable.Range(0, RandomArchitectures.Count).Select(RandomArchitectures.Create)).ToList();
            for (int i = 0; i < cases.Count; i++)
                Onnx.Export(cases[i].Model, cases[i].Sample, Path.Combine(dir, $"{i:00}.onnx"), i % 5 == 4 ? 13 : Onnx.DefaultOpset);
            const string script = """
                import glob, sys, onnx
                bad = []
                for path in sorted(glob.glob(sys.argv[1] + "/*.onnx")):
                    try:
                        onnx.checker.check_model(onnx.load(path), full_check=True)
                    except Exception as e:
                        bad.append(path + ": " + str(e).replace("\n", " "))
                print("\n".join(bad) if bad else "ok")
                """;
            var (code, stdout, stderr) = ExternalTools.Run(ExternalTools.Python, "-c", script, dir);
            Assert.True(code == 0, $"python failed ({code}): {stderr}");
            var names = string.Join("\n", cases.Select((c, i) => $"{i:00}.onnx = {c.Name}"));
            Assert.True(stdout.Trim() == "ok", $"onnx.checker rejects:\n{stdout}\nwhere\n{names}");
            Assert.Equal(cases.Count, Directory.GetFiles(dir, "*.onnx").Length);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void TheGraphDeclaresVersionsProducerSymbolicBatchAndTheModelsNames()
    {
        var c = ExportAccuracyTests.Zoo("resnet");
        var path = Path.Combine(Path.GetTempPath(), $"nabla-export-{Guid.NewGuid():N}.onnx");
        try
        {
            Onnx.Export(c.Model, c.Sample, path);
            var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
            Assert.Equal(8, model.IrVersion);
            Assert.Equal("", Assert.Single(model.OpsetImport).Domain);
            Assert.Equal(17, model.OpsetImport[0].Version);
            Assert.Equal("nabla", model.ProducerName);
            Assert.Matches(@"^\d+\.\d+\.\d+", model.ProducerVersion);
            var input = Assert.Single(model.Graph.Input);
            Assert.Equal("input", input.Name);
            Assert.Equal(["batch", "1", "28", "28"], input.Type.TensorType.Shape.Dim.Select(d => d.DimParam.Length > 0 ? d.DimParam : d.DimValue.ToString()));
            var output = Assert.Single(model.Graph.Output);
            Assert.Equal("output", output.Name);
            Assert.Equal(["batch", "10"], output.Type.TensorType.Shape.Dim.Select(d => d.DimParam.Length > 0 ? d.DimParam : d.DimValue.ToString()));
            var expected = c.Model.NamedParameters().Select(p => p.Name).Concat(c.Model.NamedBuffers().Select(b => b.Name)).ToList();
            Assert.Equal(expected, model.Graph.Initializer.Select(t => t.Name));
            Assert.Contains("1.running_var", expected); // the ResNet's stem batch norm: buffers are there
            // The running statistics are the model's, not the initial 0 and 1.
            var runningVar = model.Graph.Initializer.Single(t => t.Name == "1.running_var");
            Assert.Equal(((BatchNorm)((Sequential)c.Model).Layers[1]).RunningVar.ToArray(), Nabla.Onnx.Format.TensorProtoData.ReadFloats(runningVar, null, "test"));
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData(12)]
    [InlineData(18)]
    public void AnUnsupportedOpsetIsRefusedNamingTheRange(int opset)
    {
        var e = Assert.Throws<OnnxException>(() => Onnx.ExportToBytes(ModelZoo.MLP(), [784], opset));
        Assert.Contains($"opset {opset} is not supported; expected 13 to 17", e.Message);
    }

    private sealed class Doubler : Module
    {
        public override Tensor Forward(Tensor input) => input * 2;
    }

    [Fact]
    public void ALayerWithoutAnExporterIsNamedByPathAndType()
    {
        var model = new Sequential(new Linear(4, 3), new Sequential(new ReLU(), new Doubler()));
        var e = Assert.Throws<OnnxException>(() => Onnx.ExportToBytes(model, [4]));
        Assert.Contains("layer '1.1'", e.Message);
        Assert.Contains(typeof(Doubler).FullName!, e.Message);
        Assert.Contains("the exportable layers are", e.Message);
        Assert.Contains("LSTM", e.Message);
    }

    [Fact]
    public void AnInputShapeTheModelDoesNotTakeIsAClearError()
    {
        var e = Assert.Throws<OnnxException>(() => Onnx.ExportToBytes(ModelZoo.LeNet5(), [3, 28, 28]));
        Assert.Contains("does not take inputs of shape [batch, 3, 28, 28]", e.Message);
    }

    [Fact]
    public void ExportLeavesModesParametersAndBuffersAsTheyWere()
    {
        var g = new Generator(9);
        var model = ExportCase.WithBatchNormState(ModelZoo.ResNet(generator: g), g);
        model.Train();
        ((Sequential)model).Layers[1].Eval(); // a mixed state: one batch norm in evaluation mode, the rest training
        var modes = model.NamedModules().Select(m => m.Module.IsTraining).ToList();
        var values = model.NamedParameters().Select(p => p.Parameter.Data.ToArray()).Concat(model.NamedBuffers().Select(b => b.Buffer.ToArray())).ToList();
        Onnx.ExportToBytes(model, [1, 28, 28]);
        Assert.Equal(modes, model.NamedModules().Select(m => m.Module.IsTraining));
        Assert.Equal(values, model.NamedParameters().Select(p => p.Parameter.Data.ToArray()).Concat(model.NamedBuffers().Select(b => b.Buffer.ToArray())));
    }

    [Fact]
    public void AnUnwritablePathIsAnOnnxExceptionNamingIt()
    {
        string path = "/proc/nabla-no-such-dir/model.onnx";
        var e = Assert.Throws<OnnxException>(() => Onnx.Export(new Sequential(new Linear(2, 2)), [2], path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void StreamAndBytesHoldTheSameModel()
    {
        var model = new Sequential(new Linear(3, 2), new Tanh());
        using var stream = new MemoryStream();
        Onnx.Export(model, [3], stream);
        Assert.Equal(Onnx.ExportToBytes(model, [3]), stream.ToArray());
    }
}
