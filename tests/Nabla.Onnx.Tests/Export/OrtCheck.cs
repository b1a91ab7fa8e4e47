using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using Nabla.Autograd;
using Nabla.NN;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Onnx.Tests.Export;

/// <summary>Runs an exported model in ONNX Runtime and compares it with Nabla's own evaluation-mode output.</summary>
internal static class OrtCheck
{
    /// <summary>The accuracy criterion of every export test: max |nabla − ort| / max |ort| at most this.</summary>
    public const double Tolerance = 1e-5;

    /// <summary>ONNX Runtime's output for <paramref name="input"/> (fed as the graph input "input").</summary>
    public static (float[] Values, int[] Shape) Run(byte[] model, Tensor input)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(model, options);
        var dense = new DenseTensor(input.ToArray(), input.Shape.ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", dense)]);
        var output = results.Single(r => r.Name == "output").AsTensor<float>();
        return (output.ToArray(), output.Dimensions.ToArray());
    }

    /// <summary>max |a − b| / max |b|: the largest deviation relative to the largest magnitude of the reference.</summary>
    public static double RelativeError(float[] nabla, float[] ort)
    {
        double diff = 0, scale = 0;
        for (int i = 0; i < ort.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs((double)nabla[i] - ort[i]));
            scale = Math.Max(scale, Math.Abs((double)ort[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }

    /// <summary>Nabla's output of <paramref name="model"/> in evaluation mode (its mode is restored afterwards).</summary>
    public static Tensor Evaluate(Module model, Tensor input)
    {
        bool training = model.IsTraining;
        model.Eval();
        try
        {
            using (GradMode.NoGrad()) return model.Forward(input);
        }
        finally { model.Train(training); }
    }

    /// <summary>Exports <paramref name="model"/>, runs the file in ONNX Runtime and asserts it matches Nabla within <see cref="Tolerance"/>.</summary>
    public static byte[] AssertMatches(string name, Module model, int[] sampleShape, Tensor input, int opset = Onnx.DefaultOpset)
    {
        var bytes = Onnx.ExportToBytes(model, sampleShape, opset);
        AssertMatches(name, model, bytes, input);
        return bytes;
    }

    /// <summary>
    /// Runs <paramref name="onnx"/> in ONNX Runtime on <paramref name="input"/> and asserts it matches Nabla within
    /// <see cref="Tolerance"/>; then imports the same file back with <see cref="Onnx.Load(byte[], string?)"/> and asserts the
    /// imported module gives Nabla's outputs again (same criterion) and holds the same parameter count.
    /// </summary>
    public static void AssertMatches(string name, Module model, byte[] onnx, Tensor input)
    {
        var expected = Evaluate(model, input);
        float[] values;
        int[] shape;
        try { (values, shape) = Run(onnx, input); }
        catch (OnnxRuntimeException e) { throw new Xunit.Sdk.XunitException($"{name}: ONNX Runtime fails: {e.Message}"); }
        Assert.True(expected.Shape.ToArray().SequenceEqual(shape),
            $"{name}: ONNX Runtime gives shape [{string.Join(", ", shape)}], Nabla {expected.Shape}");
        double error = RelativeError(expected.ToArray(), values);
        Assert.True(error <= Tolerance,
            $"{name}: max |nabla - ort| / max |ort| = {error:E3}, expected at most {Tolerance:E0}");

        OnnxModule imported;
        try { imported = Onnx.Load(onnx); }
        catch (OnnxException e) { throw new Xunit.Sdk.XunitException($"{name}: Nabla cannot import its own export: {e.Message}"); }
        var again = Evaluate(imported, input);
        Assert.True(expected.Shape.ToArray().SequenceEqual(again.Shape.ToArray()),
            $"{name}: the re-imported model gives shape {again.Shape}, the original {expected.Shape}");
        double back = RelativeError(again.ToArray(), expected.ToArray());
        Assert.True(back <= Tolerance,
            $"{name}: re-imported: max |imported - nabla| / max |nabla| = {back:E3}, expected at most {Tolerance:E0}");
        Assert.Equal(model.ParameterCount(trainableOnly: true), imported.ParameterCount(trainableOnly: true));
    }
}
