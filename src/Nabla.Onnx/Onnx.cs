namespace Nabla.Onnx;

/// <summary>
/// ONNX interchange for Nabla models: <c>Onnx.Export</c> writes a model as an ONNX file (opset 17, IR version 8) that
/// ONNX Runtime and every other ONNX consumer can run, and <c>Onnx.Load</c> reads an ONNX file (from Nabla, PyTorch's
/// <c>torch.onnx.export</c>, Keras converters...) back as a Nabla module that evaluates and trains.
/// </summary>
/// <remarks>Code that itself lives in a <c>Nabla.*</c> namespace writes <c>Nabla.Onnx.Onnx</c> (or an alias), because there
/// the bare name <c>Onnx</c> means the namespace.</remarks>
public static partial class Onnx
{
    /// <summary>The opset Nabla writes by default (ONNX 1.12's newest).</summary>
    public const int DefaultOpset = 17;

    /// <summary>The IR version of the files Nabla writes (ONNX 1.12).</summary>
    public const int IrVersion = 8;

    /// <summary>The <c>producer_name</c> of the files Nabla writes.</summary>
    public const string ProducerName = "nabla";
}
