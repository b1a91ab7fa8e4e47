namespace Nabla.Onnx.Import;

/// <summary>
/// One supported operator: its builder, the opsets it is implemented for (the ai.onnx versions whose semantics the builder
/// follows), and which float inputs are learnable (initializers there become parameters) or running statistics (buffers).
/// </summary>
internal sealed record OperatorEntry(Func<NodeContext, OpPlan> Build, int[] Weights, int[] Buffers, string Notes)
{
    public OperatorEntry(Func<NodeContext, OpPlan> build, string notes = "") : this(build, [], [], notes) { }
}
