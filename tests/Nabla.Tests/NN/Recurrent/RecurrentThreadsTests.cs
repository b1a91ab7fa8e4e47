using Nabla.NN;
using Nabla.NN.Recurrent;
using Nabla.Tensors;
using Nabla.Tests.Kernels;
using Xunit;

namespace Nabla.Tests.NN.Recurrent;

/// <summary>
/// A step's batch rows are spread over the kernel threads once there are enough of them (rows × gates ≥ 8,192): the
/// outputs and every gradient must be the bits one thread computes.
/// </summary>
[Collection(GemmCollection.Name)]
public class RecurrentThreadsTests
{
    public static TheoryData<string, bool> Cells() => new()
    {
        { "lstm", false }, { "lstm", true }, { "gru", false }, { "gru", true }, { "rnn", false }, { "rnn", true },
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public void RowsOnTwoThreadsAreBitIdenticalToOneThread(string cell, bool bidirectional)
    {
        var one = Run(cell, bidirectional, threads: 1);
        var two = Run(cell, bidirectional, threads: 2);
        Assert.Equal(one.Length, two.Length);
        for (int r = 0; r < one.Length; r++)
            for (int i = 0; i < one[r].Length; i++)
                if (BitConverter.SingleToInt32Bits(one[r][i]) != BitConverter.SingleToInt32Bits(two[r][i]))
                    Assert.Fail($"{cell}: result {r} element {i}: {one[r][i]} on one thread, {two[r][i]} on two");
    }

    // The output, the input's gradient and every parameter's gradient of a [48, 6, 8] batch through hidden size 192.
    private static float[][] Run(string cell, bool bidirectional, int threads)
    {
        int keep = Threads.Max;
        try
        {
            Threads.Max = threads;
            var gen = new Generator(21);
            Module layer = cell switch
            {
                "lstm" => new LSTM(8, 192, bidirectional: bidirectional, generator: gen),
                "gru" => new GRU(8, 192, bidirectional: bidirectional, generator: gen),
                _ => new RNN(8, 192, bidirectional: bidirectional, generator: gen),
            };
            var x = Tensor.Randn([48, 6, 8], new Generator(22));
            x.RequiresGrad = true;
            var y = layer.Forward(x);
            var w = Tensor.Randn(y.Shape.ToArray(), new Generator(23));
            (y * w).Sum().Backward();
            return [y.ToArray(), x.Grad!.ToArray(), .. layer.Parameters().Select(p => p.Grad!.ToArray())];
        }
        finally
        {
            Threads.Max = keep;
        }
    }
}
