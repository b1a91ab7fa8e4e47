using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Onnx.Import;

/// <summary>Everything <see cref="GraphLoader"/> prepares for an <see cref="OnnxModule"/>.</summary>
internal sealed class LoadedGraph
{
    public required string File { get; init; }
    public required int Opset { get; init; }
    public required long IrVersion { get; init; }
    public required string Producer { get; init; }
    public required IReadOnlyList<OnnxTensorInfo> Inputs { get; init; }
    public required IReadOnlyList<OnnxTensorInfo> Outputs { get; init; }
    public required IReadOnlyList<DataType> InputTypes { get; init; }
    public required IReadOnlyList<DataType> OutputTypes { get; init; }

    /// <summary>Nodes in execution order, with the names they are listed under.</summary>
    public required IReadOnlyList<(string Name, OnnxNodeModule Node)> Nodes { get; init; }

    /// <summary>Initializers that became parameters, by initializer name.</summary>
    public required IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; init; }

    /// <summary>Running statistics (batch norm mean and variance), by initializer name.</summary>
    public required (string Name, Tensor Buffer)[] Buffers { get; init; }

    /// <summary>Values known at load time: other initializers, constants, constant-folded results.</summary>
    public required Dictionary<string, OnnxValue> Constants { get; init; }
}
