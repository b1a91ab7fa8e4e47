using Nabla.Errors;
using Nabla.NN;
using Nabla.NN.Recurrent;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.NN.Recurrent.RecurrentReference;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.NN.Recurrent;

/// <summary>RNN (tanh, relu), LSTM and GRU against a naive step-by-step reference and a float64 gradient check.</summary>
public class RecurrentLayerTests
{
    private const int N = 2, X = 3, H = 3;

    public static RecurrentLayer Make(Cell cell, int layers, bool bidirectional, bool batchFirst = true, double dropout = 0, int seed = 1)
    {
        var gen = new Generator((ulong)seed);
        return cell switch
        {
            Cell.Tanh => new RNN(X, H, layers, Nonlinearity.Tanh, batchFirst, bidirectional, dropout, gen),
            Cell.ReLU => new RNN(X, H, layers, Nonlinearity.ReLU, batchFirst, bidirectional, dropout, gen),
            Cell.LSTM => new LSTM(X, H, layers, batchFirst, bidirectional, dropout, forgetGateBias: 1.0, generator: gen),
            _ => new GRU(X, H, layers, batchFirst, bidirectional, dropout, gen),
        };
    }

    public static RecurrentResult Run(RecurrentLayer m, Tensor x, Tensor? h0, Tensor? c0) => m switch
    {
        LSTM lstm => lstm.Run(x, h0, c0),
        GRU gru => gru.Run(x, h0),
        RNN rnn => rnn.Run(x, h0),
        _ => throw new InvalidOperationException(),
    };

    /// <summary>[N,T,F] values → [T,N,F] tensor values (time-major input for the module).</summary>
    private static double[] ToTimeMajor(double[] v, int n, int t, int f)
    {
        var r = new double[v.Length];
        for (int b = 0; b < n; b++)
            for (int s = 0; s < t; s++)
                Array.Copy(v, (b * t + s) * f, r, (s * n + b) * f, f);
        return r;
    }

    [Theory]
    [InlineData(Cell.Tanh, 1, false, true)]
    [InlineData(Cell.ReLU, 1, false, true)]
    [InlineData(Cell.LSTM, 1, false, true)]
    [InlineData(Cell.GRU, 1, false, true)]
    [InlineData(Cell.Tanh, 2, true, true)]
    [InlineData(Cell.ReLU, 2, true, false)]
    [InlineData(Cell.LSTM, 2, true, true)]
    [InlineData(Cell.LSTM, 2, true, false)]
    [InlineData(Cell.LSTM, 1, true, false)]
    [InlineData(Cell.GRU, 2, true, true)]
    [InlineData(Cell.GRU, 2, false, false)]
    public void OutputsAndFinalStatesMatchTheStepByStepReference(Cell cell, int layers, bool bidirectional, bool batchFirst)
    {
        const int T = 5;
        var m = Make(cell, layers, bidirectional, batchFirst);
        m.To(DType.Float64);
        int ld = layers * m.NumDirections;
        var xv = Rand64([N, T, X], 11, -2, 2).ToDoubleArray();
        var h0 = Rand64([ld, N, H], 12);
        var c0 = Rand64([ld, N, H], 13);
        var x = Tensor.FromArray(batchFirst ? xv : ToTimeMajor(xv, N, T, X), batchFirst ? [N, T, X] : [T, N, X]);
        var r = Run(m, x, h0, cell == Cell.LSTM ? c0 : null);
        var (eo, eh, ec) = RecurrentReference.Run(m, cell, Nest(xv, N, T, X),
            Nest(h0.ToDoubleArray(), ld, N, H), Nest(c0.ToDoubleArray(), ld, N, H));

        int hd = H * m.NumDirections;
        var expectedOut = Flat(eo);
        Assert.Equal(batchFirst ? new Shape(N, T, hd) : new Shape(T, N, hd), r.Output.Shape);
        AssertClose(batchFirst ? expectedOut : ToTimeMajor(expectedOut, N, T, hd), r.Output.ToDoubleArray(), 1e-12);
        Assert.Equal(new Shape(ld, N, H), r.Hidden.Shape);
        AssertClose(Flat(eh), r.Hidden.ToDoubleArray(), 1e-12);
        if (cell == Cell.LSTM) AssertClose(Flat(ec), r.Cell!.ToDoubleArray(), 1e-12);
        else Assert.Null(r.Cell);
        // Forward (the Module contract) gives the same outputs, from zero states here.
        var (zo, _, _) = RecurrentReference.Run(m, cell, Nest(xv, N, T, X));
        var zExpected = Flat(zo);
        AssertClose(batchFirst ? zExpected : ToTimeMajor(zExpected, N, T, hd), m.Forward(x).ToDoubleArray(), 1e-12);
    }

    [Theory]
    [InlineData(Cell.Tanh)]
    [InlineData(Cell.ReLU)]
    [InlineData(Cell.LSTM)]
    [InlineData(Cell.GRU)]
    public void Float32MatchesTheReference(Cell cell)
    {
        const int T = 6;
        var m = Make(cell, 2, true);
        var xv = Rand64([N, T, X], 21, -2, 2).ToDoubleArray();
        var x = Tensor.FromArray(xv.Select(v => (float)v).ToArray(), N, T, X);
        var r = Run(m, x, null, null);
        Assert.Equal(DType.Float32, r.Output.DType);
        var (eo, eh, _) = RecurrentReference.Run(m, cell, Nest(xv, N, T, X));
        AssertClose(Flat(eo), r.Output.ToDoubleArray(), 1e-5);
        AssertClose(Flat(eh), r.Hidden.ToDoubleArray(), 1e-5);
    }

    public static TheoryData<Cell, int, bool, bool, int> GradientCases()
    {
        var data = new TheoryData<Cell, int, bool, bool, int>();
        foreach (var cell in new[] { Cell.Tanh, Cell.ReLU, Cell.LSTM, Cell.GRU })
        {
            data.Add(cell, 1, false, true, 4);  // single layer
            data.Add(cell, 2, false, true, 4);  // stacked
            data.Add(cell, 1, true, true, 4);   // bidirectional
            data.Add(cell, 2, true, false, 3);  // stacked, bidirectional, time-major
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(GradientCases))]
    public void GradientsMatchCentralDifferences(Cell cell, int layers, bool bidirectional, bool batchFirst, int steps)
    {
        var m = Make(cell, layers, bidirectional, batchFirst, seed: 5);
        m.To(DType.Float64);
        int ld = layers * m.NumDirections;
        var x = Rand64(batchFirst ? [N, steps, X] : [steps, N, X], 31, -1.5, 1.5);
        x.Name = "x";
        var h0 = Rand64([ld, N, H], 32);
        h0.Name = "h0";
        var c0 = cell == Cell.LSTM ? Rand64([ld, N, H], 33) : null;
        if (c0 is not null) c0.Name = "c0";
        // Everything the module returns depends on the inputs: outputs, final hidden and (LSTM) final cell states.
        Tensor F()
        {
            var r = Run(m, x, h0, c0);
            var parts = new List<Tensor> { r.Output.Reshape(-1), r.Hidden.Reshape(-1) };
            if (r.Cell is not null) parts.Add(r.Cell.Reshape(-1));
            return Tensor.Concat(parts, 0);
        }
        var inputs = new List<Tensor> { x, h0 };
        if (c0 is not null) inputs.Add(c0);
        inputs.AddRange(m.Parameters().Select(p => p.Data));
        AssertGradients(F, [.. inputs]);
    }

    [Fact]
    public void ParameterNamesAndShapesFollowPyTorch()
    {
        var m = new LSTM(5, 4, numLayers: 2, bidirectional: true);
        var named = m.NamedParameters().Select(p => (p.Name, p.Parameter.Shape)).ToList();
        string[] expectedNames =
        [
            "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
            "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
            "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
            "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse",
        ];
        Assert.Equal(expectedNames, named.Select(p => p.Name));
        Assert.Equal(new Shape(16, 5), named[0].Shape);
        Assert.Equal(new Shape(16, 4), named[1].Shape);
        Assert.Equal(new Shape(16), named[2].Shape);
        Assert.Equal(new Shape(16, 8), named[8].Shape); // layer 1 reads both directions: 2·H inputs
        Assert.True(m.BiasIh(0).IsBias);
        Assert.False(m.WeightIh(0).IsBias);
    }

    [Fact]
    public void InitializationIsUniformInOneOverRootHWithForgetBiasOne()
    {
        const int hidden = 50;
        var lstm = new LSTM(7, hidden, generator: new Generator(3));
        double bound = 1 / Math.Sqrt(hidden);
        var w = lstm.WeightHh(0).Data.ToDoubleArray();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        // 10,000 draws of U(±b): the sample max is within 1% of b with overwhelming probability.
        Assert.True(w.Max() > 0.99 * bound && w.Min() < -0.99 * bound);
        var bih = lstm.BiasIh(0).Data.ToDoubleArray();
        var bhh = lstm.BiasHh(0).Data.ToDoubleArray();
        for (int j = 0; j < 4 * hidden; j++)
        {
            bool forget = j >= hidden && j < 2 * hidden;
            if (forget) { Assert.Equal(1.0, bih[j], 6); Assert.Equal(0.0, bhh[j]); }
            else { Assert.InRange(bih[j], -bound, bound); Assert.InRange(bhh[j], -bound, bound); }
        }
        // forgetGateBias: null keeps PyTorch's uniform initialization for the forget block too.
        var plain = new LSTM(7, hidden, forgetGateBias: null, generator: new Generator(3));
        var fb = plain.BiasIh(0).Data.ToDoubleArray()[hidden..(2 * hidden)];
        Assert.All(fb, v => Assert.InRange(v, -bound, bound));
        Assert.Contains(fb, v => Math.Abs(v - 1) > 0.5);
    }

    [Fact]
    public void BadInputsNameTheLayerAndTheExpectedShape()
    {
        var lstm = new LSTM(3, 4, numLayers: 2);
        var e = Assert.Throws<ShapeException>(() => lstm.Forward(Tensor.Zeros([2, 5, 6])));
        Assert.Contains("LSTM(3 → 4, layers=2)", e.Message);
        Assert.Contains("expected input [N, T, 3]", e.Message);
        Assert.Contains("[2,5,6]", e.Message);
        e = Assert.Throws<ShapeException>(() => lstm.Forward(Tensor.Zeros([5, 3])));
        Assert.Contains("[5,3]", e.Message);
        e = Assert.Throws<ShapeException>(() => lstm.Run(Tensor.Zeros([2, 5, 3]), Tensor.Zeros([1, 2, 4])));
        Assert.Contains("h0 [2, 2, 4]", e.Message);
        Assert.Contains("[1,2,4]", e.Message);
        e = Assert.Throws<ShapeException>(() => lstm.Run(Tensor.Zeros([2, 5, 3]), null, Tensor.Zeros([2, 3, 4])));
        Assert.Contains("c0 [2, 2, 4]", e.Message);
        var gru = new GRU(3, 4, batchFirst: false);
        e = Assert.Throws<ShapeException>(() => gru.Forward(Tensor.Zeros([5, 2, 4])));
        Assert.Contains("GRU(3 → 4, time-major): expected input [T, N, 3]", e.Message);
        e = Assert.Throws<ShapeException>(() => gru.Forward(Tensor.Zeros([0, 2, 3])));
        Assert.Contains("non-empty", e.Message);
        Assert.Throws<ValueException>(() => new RNN(3, 4, nonlinearity: Nonlinearity.Sigmoid));
        Assert.Throws<ValueException>(() => new RNN(3, 4, dropout: 1));
        Assert.Throws<ValueException>(() => lstm.Forward(Tensor.Zeros([2, 5, 3], DType.Float64)));
    }

    [Fact]
    public void DropoutActsBetweenLayersAndOnlyInTraining()
    {
        const int T = 4;
        var gen = new Generator(9);
        var stacked = new LSTM(X, H, numLayers: 2, dropout: 0.5, generator: gen);
        var x = Tensor.Uniform([N, T, X], -1, 1, new Generator(10));

        // Evaluation: deterministic and equal to the reference without any dropout.
        stacked.Eval();
        var (eo, _, _) = RecurrentReference.Run(stacked, Cell.LSTM, Nest(x.ToDoubleArray(), N, T, X));
        AssertClose(Flat(eo), stacked.Forward(x).ToDoubleArray(), 1e-5);

        // Training: layer 1 reads dropout(layer 0's output); the final output itself is not dropped.
        stacked.Train();
        var first = new LSTM(X, H);
        var second = new LSTM(H, H);
        foreach (var (a, b) in new[] { (first, 0), (second, 1) })
        {
            a.WeightIh(0).Data.CopyFrom(stacked.WeightIh(b).Data);
            a.WeightHh(0).Data.CopyFrom(stacked.WeightHh(b).Data);
            a.BiasIh(0).Data.CopyFrom(stacked.BiasIh(b).Data);
            a.BiasHh(0).Data.CopyFrom(stacked.BiasHh(b).Data);
        }
        gen.Reseed(77);
        var trained = stacked.Forward(x).ToDoubleArray();
        gen.Reseed(77);
        var dropped = new Dropout(0.5, gen).Forward(first.Forward(x));
        Assert.Contains(dropped.ToDoubleArray(), v => v == 0);
        var manual = second.Forward(dropped).ToDoubleArray();
        AssertClose(manual, trained, 1e-6);
        Assert.DoesNotContain(trained, v => v == 0);
        Assert.Contains(Enumerable.Range(0, trained.Length), i => Math.Abs(trained[i] - Flat(eo)[i]) > 1e-3);

        // A single layer has nothing between layers: training mode changes nothing.
        var single = new GRU(X, H, dropout: 0.5, generator: new Generator(4));
        var evalOut = single.Eval().Forward(x).ToDoubleArray();
        AssertClose(evalOut, single.Train().Forward(x).ToDoubleArray(), 0);
    }

    [Fact]
    public void NoGraphIsRecordedWithoutGradients()
    {
        var m = new GRU(X, H);
        using (Nabla.Autograd.GradMode.NoGrad())
            Assert.True(m.Forward(Tensor.Zeros([N, 3, X])).IsLeaf);
        Assert.Equal("gru_layer", m.Forward(Tensor.Zeros([N, 3, X])).GradFnName);
    }
}
