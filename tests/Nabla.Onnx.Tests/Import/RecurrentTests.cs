using Nabla.Tensors;
using Xunit;
using static Nabla.Onnx.Tests.Import.TestModel;

namespace Nabla.Onnx.Tests.Import;

/// <summary>The fused-kernel path of RNN/LSTM/GRU agrees with the composed path (forced by a clip no value reaches).</summary>
public class RecurrentTests
{
    [Theory]
    [InlineData("LSTM", "bidirectional")]
    [InlineData("GRU", "reverse")]
    [InlineData("RNN", "forward")]
    public void FusedKernelAndComposedStepsAgree(string op, string direction)
    {
        int gates = op switch { "LSTM" => 4, "GRU" => 3, _ => 1 };
        int dirs = direction == "bidirectional" ? 2 : 1, hidden = 4, input = 3;
        TestModel Model(bool composed)
        {
            var attributes = new List<Protobuf.AttributeProto> { Attr("hidden_size", (long)hidden), Attr("direction", direction) };
            if (op == "GRU") attributes.Add(Attr("linear_before_reset", 1L));
            if (composed) attributes.Add(Attr("clip", 1e6f));
            string[] outputs = op == "LSTM" ? ["y", "y_h", "y_c"] : ["y", "y_h"];
            var m = new TestModel().Input("x", 5, 2, input).Input("h0", dirs, 2, hidden)
                .Init("w", Tensor.Randn([dirs, gates * hidden, input], new Generator(1)))
                .Init("r", Tensor.Randn([dirs, gates * hidden, hidden], new Generator(2)))
                .Init("b", Tensor.Randn([dirs, 2 * gates * hidden], new Generator(3)))
                .Node(op, ["x", "w", "r", "b", "", "h0"], outputs, "rnn", [.. attributes]);
            foreach (var o in outputs) m.Output(o);
            return m;
        }
        var x = Tensor.Randn([5, 2, input], new Generator(4));
        var h0 = Tensor.Randn([dirs, 2, hidden], new Generator(5));
        var fused = Model(false).Load().Run(x, h0);
        var composed = Model(true).Load().Run(x, h0);
        Assert.Equal(composed.Length, fused.Length);
        for (int k = 0; k < fused.Length; k++)
        {
            Assert.Equal(composed[k].Shape, fused[k].Shape);
            LoadTests.AssertClose(composed[k].ToArray(), fused[k].ToArray(), 1e-5);
        }
    }
}
