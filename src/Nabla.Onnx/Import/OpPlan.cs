using Nabla.Tensors;

namespace Nabla.Onnx.Import;

/// <summary>Computes a node's outputs (null where an output is not wanted) from its inputs (null where omitted).</summary>
internal delegate OnnxValue?[] NodeKernel(OnnxValue?[] inputs, NodeRun run);

/// <summary>What a kernel may need from the module at run time.</summary>
internal sealed class NodeRun(bool isTraining, Generator generator)
{
    /// <summary>Whether the module is in training mode (dropout drops, batch norm uses batch statistics).</summary>
    public bool IsTraining { get; } = isTraining;

    /// <summary>The node's random generator (dropout masks).</summary>
    public Generator Generator { get; } = generator;
}

/// <summary>A node as its operator's builder prepared it at load time: the kernel, the output element types, a description.</summary>
internal sealed class OpPlan
{
    public required NodeKernel Run { get; init; }

    /// <summary>One element type per node output.</summary>
    public required DataType[] OutputTypes { get; init; }

    /// <summary>Op type and key attributes for the model summary, e.g. <c>Conv(3x3, stride 2)</c>.</summary>
    public string Description { get; init; } = "";

    /// <summary>False for nodes whose result depends on randomness or the mode (never constant-folded).</summary>
    public bool Foldable { get; init; } = true;

    /// <summary>Multiply-accumulates of one call, from the first input's and first output's shapes (model summary).</summary>
    public Func<Shape, Shape, long>? Macs { get; init; }
}
