using System.Text.Json;
using Nabla.Autograd;
using Nabla.IO.Torch;
using Nabla.NN;
using Nabla.Tensors;
using Nabla.Tests.Parity;
using Xunit;

namespace Nabla.Tests.IO.Torch;

/// <summary>
/// Nabla's weights back into real PyTorch: every twin model, with its own random weights (and batch-norm statistics
/// moved off their defaults), is written with <see cref="TorchFile.Save"/> and <see cref="TorchFile.SaveSafeTensors"/>;
/// tests/torch/check_weights.py loads each with <c>torch.load(path, weights_only=True)</c> (or the safetensors format)
/// and <c>load_state_dict(strict=True)</c> into the same architecture and runs the same input, and the outputs agree.
/// </summary>
public class TorchRoundTripTests
{
    [TorchFact]
    public void PyTorchLoadsWhatNablaWritesAndComputesTheSameOutputs()
    {
        string dir = Directory.CreateTempSubdirectory("nabla-torch-roundtrip").FullName;
        try
        {
            var jobs = new List<Dictionary<string, object>>();
            var expected = new List<(string Name, Tensor Output)>();
            foreach (var name in TorchModels.Names)
            {
                var model = TorchModels.Build(name, seed: 42);
                var (input, _, _) = TorchModels.Case(name);
                WarmUpBatchNorm(model, input);
                Tensor y;
                using (GradMode.NoGrad()) y = model.Forward(input);
                foreach (var ext in new[] { ".pt", ".safetensors" })
                {
                    string file = Path.Combine(dir, name + ext);
                    if (ext == ".pt") TorchFile.Save(file, model.StateDict());
                    else TorchFile.SaveSafeTensors(file, model.StateDict());
                    jobs.Add(new() { ["model"] = name, ["file"] = file, ["input"] = new { shape = input.Shape.ToArray(), data = input.ToDoubleArray() } });
                    expected.Add((name + ext, y));
                }
            }
            string jobsPath = Path.Combine(dir, "jobs.json"), outPath = Path.Combine(dir, "out.json");
            File.WriteAllText(jobsPath, JsonSerializer.Serialize(jobs));
            string script = Path.Combine(ParityFixture.RepoRoot(), "tests", "torch", "check_weights.py");
            var (code, stdout, stderr) = FixtureRegenerationTests.Run(FixtureRegenerationTests.Python, script, jobsPath, outPath);
            Assert.True(code == 0, $"{script} failed (exit {code}):\n{stdout}\n{stderr}");
            using var doc = JsonDocument.Parse(File.ReadAllBytes(outPath));
            var results = doc.RootElement.EnumerateArray().ToList();
            Assert.Equal(expected.Count, results.Count);
            for (int i = 0; i < results.Count; i++)
            {
                var (label, y) = expected[i];
                var torchY = TorchModels.Read(results[i].GetProperty("output"), y.DType);
                double tolerance = y.DType == DType.Float64 ? 1e-12 : 1e-5, diff = TorchModels.MaxDifference(y, torchY);
                Assert.True(diff <= tolerance, $"{label}: max |Nabla − PyTorch| = {diff:G3} > {tolerance:G1}");
                foreach (var t in results[i].GetProperty("dtypes").EnumerateObject())
                    Assert.Equal(t.Name.EndsWith("num_batches_tracked", StringComparison.Ordinal) ? "torch.int64"
                        : y.DType == DType.Float64 ? "torch.float64" : "torch.float32", t.Value.GetString());
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>Two training-mode passes, so running statistics and counters are not their initial values.</summary>
    private static void WarmUpBatchNorm(Module model, Tensor input)
    {
        if (!model.NamedBuffers().Any()) return;
        model.Train();
        using (GradMode.NoGrad())
            for (int i = 0; i < 2; i++) model.Forward(input * (1.5 + i) + 0.3);
        model.Eval();
    }
}
