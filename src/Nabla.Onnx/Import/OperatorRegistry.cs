using Nabla.Onnx.Import.Operators;

namespace Nabla.Onnx.Import;

/// <summary>The supported ai.onnx operators by op_type, each family registered from its own file.</summary>
internal static class OperatorRegistry
{
    public static IReadOnlyDictionary<string, OperatorEntry> Operators { get; } = Build();

    static Dictionary<string, OperatorEntry> Build()
    {
        var ops = new Dictionary<string, OperatorEntry>(StringComparer.Ordinal);
        UnaryOps.Register(ops);
        BinaryOps.Register(ops);
        MatmulOps.Register(ops);
        ConvOps.Register(ops);
        PoolOps.Register(ops);
        NormalizationOps.Register(ops);
        DropoutOps.Register(ops);
        SoftmaxOps.Register(ops);
        ReduceOps.Register(ops);
        ShapeOps.Register(ops);
        IndexOps.Register(ops);
        ConstantOps.Register(ops);
        RecurrentOps.Register(ops);
        LayoutOps.Register(ops);
        DiscreteOps.Register(ops);
        LossOps.Register(ops);
        return ops;
    }
}
