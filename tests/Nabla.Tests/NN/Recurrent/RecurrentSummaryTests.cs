using Nabla.Diagnostics;
using Nabla.NN;
using Nabla.NN.Recurrent;
using Xunit;

namespace Nabla.Tests.NN.Recurrent;

public class RecurrentSummaryTests
{
    // Per layer and direction: G·(H·(H + X) + 2H), with PyTorch's two biases b_ih and b_hh; X = input size for layer 0, H·dirs above.
    private static long Count(int gates, int input, int hidden, int layers, int dirs)
    {
        long total = 0;
        for (int l = 0; l < layers; l++)
        {
            int x = l == 0 ? input : hidden * dirs;
            total += dirs * gates * ((long)hidden * (hidden + x) + 2 * hidden);
        }
        return total;
    }

    [Fact]
    public void LstmCountMatchesTheFormula()
    {
        // The MNIST-rows model: 4·(128·(128 + 28) + 256) = 80,896, plus the head 129·10.
        var model = new Sequential(new LSTM(28, 128), new SequenceHead(128, 10));
        var s = model.Summary(1, 28, 28);
        Assert.Equal(80_896, Count(4, 28, 128, 1, 1));
        Assert.Equal(80_896 + 1_290, s.TotalParameters);
        Assert.Equal(80_896, s.Rows[0].Parameters);
        Assert.Equal(new Nabla.Tensors.Shape(1, 28, 128), s.Rows[0].OutputShape);
        Assert.Equal(28L * 4 * 128 * (28 + 128), s.Rows[0].MultiplyAccumulates);
    }

    [Theory]
    [InlineData(1, 3, 5, 7, 3, true)]
    [InlineData(4, 6, 4, 5, 2, false)]
    [InlineData(3, 2, 8, 3, 2, true)]
    public void StackedAndBidirectionalCountsMatchTheFormula(int gates, int input, int hidden, int steps, int layers, bool bidirectional)
    {
        RecurrentLayer m = gates switch
        {
            1 => new RNN(input, hidden, layers, bidirectional: bidirectional),
            4 => new LSTM(input, hidden, layers, bidirectional: bidirectional),
            _ => new GRU(input, hidden, layers, bidirectional: bidirectional),
        };
        int dirs = bidirectional ? 2 : 1;
        var s = m.Summary(2, steps, input);
        Assert.Equal(Count(gates, input, hidden, layers, dirs), s.TotalParameters);
        Assert.Equal(new Nabla.Tensors.Shape(2, steps, hidden * dirs), s.OutputShape);
        long macs = 0;
        for (int l = 0; l < layers; l++) macs += dirs * (long)gates * hidden * ((l == 0 ? input : hidden * dirs) + hidden);
        Assert.Equal(2L * steps * macs, s.TotalMultiplyAccumulates);
    }

    [Fact]
    public void EmbeddingCountsItsTable()
    {
        var model = new Sequential(new Embedding(100, 16), new GRU(16, 8), new SequenceHead(8, 2));
        var s = model.Summary(4, 12);
        Assert.Equal(100 * 16 + 3 * (8 * (8 + 16) + 16) + 9 * 2, s.TotalParameters);
        Assert.Equal(new Nabla.Tensors.Shape(4, 2), s.OutputShape);
    }
}
