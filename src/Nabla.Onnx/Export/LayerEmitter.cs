using Nabla.NN;

namespace Nabla.Onnx.Export;

/// <summary>
/// Writes the ONNX nodes of one layer: given the name of the value holding the layer's input, adds the nodes that
/// compute its output (in evaluation mode) and returns the output value's name.
/// </summary>
/// <param name="cx">The export under way (graph, parameter names, observed shapes, child dispatch).</param>
/// <param name="layer">The layer.</param>
/// <param name="path">The layer's path in the model (e.g. <c>features.0</c>; empty for the model itself).</param>
/// <param name="input">The value name of the layer's input.</param>
internal delegate string LayerEmitter(ExportContext cx, Module layer, string path, string input);
