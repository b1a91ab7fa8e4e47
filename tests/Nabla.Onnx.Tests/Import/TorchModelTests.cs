using Nabla.Diagnostics;
using Nabla.Onnx.Import;
using Nabla.Onnx.Protobuf;
using Nabla.Onnx.Tests.Support;
using Nabla.Optim;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Onnx.Tests.Import;

/// <summary>Models exported by PyTorch's torch.onnx.export load, match PyTorch's outputs and train.</summary>
public sealed class TorchModelTests(TorchModelTests.Export export) : IClassFixture<TorchModelTests.Export>
{
    /// <summary>Runs torch_export.py once into a temporary folder (on first use), deleted after the tests.</summary>
    public sealed class Export : IDisposable
    {
        readonly string _dir = Path.Combine(Path.GetTempPath(), "nabla-onnx-torch-" + Guid.NewGuid().ToString("N"));
        readonly Lazy<string> _exported;

        public Export() => _exported = new(() =>
        {
            Directory.CreateDirectory(_dir);
            string script = Path.Combine(Repo.Root, "tests", "Nabla.Onnx.Tests", "Import", "torch_export.py");
            var (code, _, stderr) = ExternalTools.Run(ExternalTools.Python, script, _dir);
            if (code != 0) throw new InvalidOperationException($"torch_export.py failed ({code}): {stderr}");
            return _dir;
        });

        public string Dir => _exported.Value;

        public void Dispose()
        {
            if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
        }
    }

    (OnnxModule Model, Tensor Input, Tensor Expected) Load(string name)
    {
        string dir = export.Dir;
        Tensor Read(string file) => Values.FromProto(TensorProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(dir, file))), dir, file).F;
        return (Onnx.Load(Path.Combine(dir, name + ".onnx")), Read(name + ".input.pb"), Read(name + ".output.pb"));
    }

    [TorchFact]
    public void ResidualCnnMatchesPyTorch()
    {
        var (model, x, expected) = Load("resnet");
        Assert.StartsWith("pytorch", model.Producer);
        Assert.Equal("input: FLOAT [batch, 3, 16, 16]", model.Inputs[0].ToString());
        LoadTests.AssertClose(expected.ToArray(), model.Forward(x).ToArray(), 1e-4);
        var summary = model.Summary(1, 3, 16, 16);
        Assert.Equal(model.ParameterCount(), summary.Rows.Sum(r => r.Parameters));
        Assert.Contains(summary.Rows, r => r.Description.StartsWith("Conv(3x3, stride 2x2", StringComparison.Ordinal));
        Assert.Contains("fc.weight", model.NamedParameters().Select(p => p.Name));
    }

    [TorchFact]
    public void RecurrentModelsMatchPyTorch()
    {
        foreach (var name in new[] { "lstm", "gru", "rnn" })
        {
            var (model, x, expected) = Load(name);
            LoadTests.AssertClose(expected.ToArray(), model.Forward(x).ToArray(), 1e-4);
            // Another batch size runs too (the exported shape computations are not frozen at load).
            var x1 = x.Narrow(0, 0, 1);
            LoadTests.AssertClose(expected.Narrow(0, 0, 1).ToArray(), model.Forward(x1).ToArray(), 1e-4);
        }
    }

    [TorchFact]
    public void AnExportedLstmFineTunes()
    {
        var (model, x, _) = Load("lstm");
        model.Train();
        var target = Tensor.Randn([x.Shape[0], 3], new Generator(1));
        var optimizer = new Adam(model.Parameters(), learningRate: 0.01);
        TrainingTests.AssertLossHalves(model, x, target, optimizer, 60);
    }
}
