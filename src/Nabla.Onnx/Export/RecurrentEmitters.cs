using Nabla.NN;
using Nabla.NN.Recurrent;
using static Nabla.Onnx.Export.OnnxGraphBuilder;

namespace Nabla.Onnx.Export;

/// <summary>
/// RNN/LSTM/GRU → one ONNX RNN/LSTM/GRU operator per layer (both directions in one operator when bidirectional).
/// Nabla keeps PyTorch's gate order and layouts: W_ih [G·H, X], W_hh [G·H, H], b_ih and b_hh [G·H] per layer and
/// direction, LSTM gates i, f, g, o and GRU gates r, z, n with the reset gate applied after the recurrent product.
/// ONNX wants W [dirs, G·H, X], R [dirs, G·H, H], B [dirs, 2·G·H] = [Wb; Rb], LSTM gates i, o, f, c and GRU gates
/// z, r, h (linear_before_reset = 1 for Nabla's GRU); the gate blocks are reordered by a Gather on the parameters'
/// rows, so the initializers stay Nabla's parameters. Sequences run time-major ([T, N, X]) inside the graph.
/// </summary>
internal static class RecurrentEmitters
{
    public static string Recurrent(ExportContext cx, Module layer, string path, string x)
    {
        var r = (RecurrentLayer)layer;
        var g = cx.Graph;
        var (op, order) = r switch
        {
            LSTM => ("LSTM", new[] { 0, 3, 1, 2 }),   // Nabla i, f, g, o → ONNX i, o, f, c
            GRU => ("GRU", new[] { 1, 0, 2 }),        // Nabla r, z, n → ONNX z, r, h
            _ => ("RNN", (int[]?)null),
        };
        int dirs = r.NumDirections, hidden = r.HiddenSize;
        var attributes = new List<Protobuf.AttributeProto> { AttrInt("hidden_size", hidden) };
        if (dirs == 2) attributes.Add(AttrString("direction", "bidirectional"));
        if (r is RNN rnn)
            attributes.Add(AttrStrings("activations", Enumerable.Repeat(rnn.Nonlinearity == Nonlinearity.ReLU ? "Relu" : "Tanh", dirs).ToArray()));
        if (r is GRU) attributes.Add(AttrInt("linear_before_reset", 1));

        string seq = r.BatchFirst ? g.Transpose(path, x, 1, 0, 2) : x;   // [T, N, X]
        for (int l = 0; l < r.NumLayers; l++)
        {
            string PerDirection(Func<bool, string> part) => dirs == 1
                ? Unsqueeze(g, path, part(false))
                : g.Node("Concat", path, [Unsqueeze(g, path, part(false)), Unsqueeze(g, path, part(true))], AttrInt("axis", 0));
            int layerIndex = l;
            string w = PerDirection(rev => Reorder(g, path, cx.Param(r.WeightIh(layerIndex, rev)), order, hidden));
            string rw = PerDirection(rev => Reorder(g, path, cx.Param(r.WeightHh(layerIndex, rev)), order, hidden));
            string b = PerDirection(rev => g.Node("Concat", path,
                [Reorder(g, path, cx.Param(r.BiasIh(layerIndex, rev)), order, hidden), Reorder(g, path, cx.Param(r.BiasHh(layerIndex, rev)), order, hidden)],
                AttrInt("axis", 0)));
            string y = g.Node(op, path, [seq, w, rw, b], [.. attributes]);       // [T, dirs, N, H]
            bool last = l == r.NumLayers - 1;
            // Both directions side by side, forward first, as Nabla concatenates them: [T, N, dirs·H] (or [N, T, dirs·H]).
            string moved = last && r.BatchFirst ? g.Transpose(path, y, 2, 0, 1, 3) : g.Transpose(path, y, 0, 2, 1, 3);
            seq = g.Reshape(path, moved, 0, 0, -1);
        }
        return seq;
    }

    /// <summary>The rows of a [G·H, …] parameter with its gate blocks in ONNX's order (the parameter itself for one block).</summary>
    private static string Reorder(OnnxGraphBuilder g, string path, string parameter, int[]? order, int hidden)
    {
        if (order is null) return parameter;
        var rows = order.SelectMany(block => Enumerable.Range(block * hidden, hidden).Select(i => (long)i)).ToArray();
        return g.Node("Gather", path, [parameter, g.Int64s(path, rows)], AttrInt("axis", 0));
    }

    private static string Unsqueeze(OnnxGraphBuilder g, string path, string x) => g.Node("Unsqueeze", path, [x, g.Int64s(path, [0])]);
}
