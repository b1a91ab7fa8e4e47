using AssemblyInformationalVersionAttribute = System.Reflection.AssemblyInformationalVersionAttribute;
using static System.Reflection.CustomAttributeExtensions;
using Nabla.NN;
using Nabla.NN.Recurrent;
using Nabla.Onnx.Format;
using Nabla.Onnx.Protobuf;
using Nabla.Tensors;

namespace Nabla.Onnx.Export;

/// <summary>Turns a Nabla module into an ONNX <c>ModelProto</c> in inference form, leaving the module as it was.</summary>
internal static class ModelExporter
{
    /// <summary>The lowest opset the exporter writes.</summary>
    public const int MinOpset = 13;

    /// <summary>The <c>producer_version</c>: the version of Nabla.Onnx.</summary>
    public static string ProducerVersion { get; } =
        typeof(ModelExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(ModelExporter).Assembly.GetName().Version?.ToString() ?? "unknown";

    public static ModelProto Build(Module model, int[] inputShape, int opset)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (opset < MinOpset || opset > Onnx.DefaultOpset)
            throw new OnnxException($"Onnx.Export: opset {opset} is not supported; expected {MinOpset} to {Onnx.DefaultOpset} (default {Onnx.DefaultOpset})");
        if (inputShape.Any(d => d <= 0))
            throw new OnnxException($"Onnx.Export: inputShape [{string.Join(", ", inputShape)}] must hold positive sizes of one sample, without the batch axis (e.g. [1, 28, 28])");
        // A sequence given as [T, F] (or token ids [T]) to a recurrent model keeps its length symbolic.
        bool symbolicTime = inputShape.Length is 1 or 2 && model.NamedModules().Any(m => m.Module is RecurrentLayer);

        var modes = model.NamedModules().Select(m => (m.Module, m.Module.IsTraining)).ToList();
        model.Eval();
        try
        {
            ShapeProbe probe;
            try { probe = ShapeProbe.Run(model, inputShape, symbolicTime); }
            catch (OnnxException) when (symbolicTime)
            {
                // A layer fixes the sequence length (e.g. batch norm over the time axis): keep the length static.
                symbolicTime = false;
                probe = ShapeProbe.Run(model, inputShape, symbolicTime);
            }
            var graph = new GraphProto { Name = model.Describe() };
            var builder = new OnnxGraphBuilder(graph, opset);
            graph.Input.Add(ValueInfo("input", [-1, .. inputShape.Select((d, i) => symbolicTime && i == 0 ? -1 : d)]));
            builder.Reserve("input");
            builder.Reserve("output");
            foreach (var (name, p) in model.NamedParameters()) AddInitializer(graph, builder, name, p.Data);
            foreach (var (name, b) in model.NamedBuffers()) AddInitializer(graph, builder, name, b);

            var cx = new ExportContext(builder, model, probe);
            string last = EmitterRegistry.Emit(cx, model, "", "input");
            NameOutput(graph, last);
            graph.Output.Add(ValueInfo("output", probe.Output));

            var proto = new ModelProto
            {
                IrVersion = Onnx.IrVersion,
                ProducerName = Onnx.ProducerName,
                ProducerVersion = ProducerVersion,
                Graph = graph,
            };
            proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
            return proto;
        }
        finally
        {
            // Parents first, so each sub-module ends in its own recorded mode.
            foreach (var (m, training) in modes) m.Train(training);
        }
    }

    private static void AddInitializer(GraphProto graph, OnnxGraphBuilder builder, string name, Tensor value)
    {
        builder.Reserve(name);
        graph.Initializer.Add(TensorProtoData.FromTensor(name, value));
    }

    /// <summary>Renames the final value "output" (or adds an Identity when the model passes its input or a parameter through).</summary>
    private static void NameOutput(GraphProto graph, string last)
    {
        if (!graph.Node.Any(n => n.Output.Contains(last)))
        {
            graph.Node.Add(new NodeProto { OpType = "Identity", Name = "output", Input = { last }, Output = { "output" } });
            return;
        }
        foreach (var node in graph.Node)
        {
            for (int i = 0; i < node.Input.Count; i++) if (node.Input[i] == last) node.Input[i] = "output";
            for (int i = 0; i < node.Output.Count; i++) if (node.Output[i] == last) node.Output[i] = "output";
        }
    }

    /// <summary>A FLOAT tensor value with the given dimensions: −1 is "batch" on axis 0 and "time" elsewhere.</summary>
    private static ValueInfoProto ValueInfo(string name, int[] dims)
    {
        var shape = new TensorShapeProto();
        for (int i = 0; i < dims.Length; i++)
            shape.Dim.Add(dims[i] >= 0
                ? new TensorShapeProto.Types.Dimension { DimValue = dims[i] }
                : new TensorShapeProto.Types.Dimension { DimParam = i == 0 ? "batch" : "time" });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
