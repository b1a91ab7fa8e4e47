using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.NN.Recurrent;

namespace Nabla.Onnx.Export;

/// <summary>The emitter of every exportable layer type, by the module's exact class.</summary>
internal static class EmitterRegistry
{
    private static readonly Dictionary<Type, LayerEmitter> ByType = new()
    {
        [typeof(Sequential)] = ContainerEmitters.Sequential,
        [typeof(Residual)] = ContainerEmitters.Residual,
        [typeof(Linear)] = DenseEmitters.Linear,
        [typeof(Maxout)] = DenseEmitters.Maxout,
        [typeof(Embedding)] = DenseEmitters.Embedding,
        [typeof(Conv2d)] = ConvEmitters.Conv2d,
        [typeof(DepthwiseSeparableConv2d)] = ConvEmitters.DepthwiseSeparable,
        [typeof(MaxPool2d)] = PoolEmitters.MaxPool,
        [typeof(AvgPool2d)] = PoolEmitters.AvgPool,
        [typeof(GlobalAvgPool2d)] = PoolEmitters.GlobalAvgPool,
        [typeof(AdaptiveAvgPool2d)] = PoolEmitters.AdaptiveAvgPool,
        [typeof(Flatten)] = ShapeEmitters.Flatten,
        [typeof(Dropout)] = ShapeEmitters.PassThrough,
        [typeof(Identity)] = ShapeEmitters.PassThrough,
        [typeof(BatchNorm1d)] = NormalizationEmitters.BatchNorm,
        [typeof(BatchNorm2d)] = NormalizationEmitters.BatchNorm,
        [typeof(ReLU)] = ActivationEmitters.ReLU,
        [typeof(LeakyReLU)] = ActivationEmitters.LeakyReLU,
        [typeof(PReLU)] = ActivationEmitters.PReLU,
        [typeof(ELU)] = ActivationEmitters.ELU,
        [typeof(Sigmoid)] = ActivationEmitters.Sigmoid,
        [typeof(Tanh)] = ActivationEmitters.Tanh,
        [typeof(Softmax)] = ActivationEmitters.Softmax,
        [typeof(LogSoftmax)] = ActivationEmitters.LogSoftmax,
        [typeof(GELU)] = ActivationEmitters.GELU,
        [typeof(SiLU)] = ActivationEmitters.SiLU,
        [typeof(RNN)] = RecurrentEmitters.Recurrent,
        [typeof(LSTM)] = RecurrentEmitters.Recurrent,
        [typeof(GRU)] = RecurrentEmitters.Recurrent,
        [typeof(SequenceHead)] = SequenceEmitters.SequenceHead,
    };

    /// <summary>The names of the exportable layer types, sorted.</summary>
    public static IReadOnlyList<string> Exportable { get; } = ByType.Keys.Select(t => t.Name).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Emits <paramref name="layer"/>; a layer type without an emitter is an <see cref="OnnxException"/> naming it.</summary>
    public static string Emit(ExportContext cx, Module layer, string path, string input) =>
        ByType.TryGetValue(layer.GetType(), out var emit)
            ? emit(cx, layer, path, input)
            : throw new OnnxException($"Onnx.Export: layer {ExportContext.Name(path, layer)} cannot be exported to ONNX; " +
                                      $"the exportable layers are {string.Join(", ", Exportable)}");
}
