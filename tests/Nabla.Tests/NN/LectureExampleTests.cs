using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.NN;

/// <summary>The lectures' small examples, reproduced with the layers: NAND neuron, XOR network, and the symmetry of equal initial weights.</summary>
public class LectureExampleTests
{
    private static readonly double[] XorInputs = [0, 0, 0, 1, 1, 0, 1, 1];
    private static readonly double[] XorTargets = [0, 1, 1, 0];
    private static readonly double[] OrTargets = [0, 1, 1, 1];

    // Plain gradient descent written out: w ← w − η·∂L/∂w, in place.
    private static void SgdStep(Module model, double lr)
    {
        foreach (var p in model.Parameters())
        {
            var w = p.Data.AsSpan<double>();
            var g = p.Grad!.AsSpan<double>();
            for (int i = 0; i < w.Length; i++) w[i] -= lr * g[i];
        }
    }

    private static double Train(Module model, int steps, double lr, double[]? targets = null)
    {
        var x = Tensor.FromArray(XorInputs, 4, 2);
        var t = Tensor.FromArray(targets ?? XorTargets, 4, 1);
        double loss = double.NaN;
        for (int s = 0; s < steps; s++)
        {
            var l = (model.Forward(x) - t).Square().Mean();
            loss = l.Item();
            model.ZeroGrad();
            l.Backward();
            SgdStep(model, lr);
        }
        return (model.Forward(x) - t).Square().Mean().Item();
    }

    [Fact]
    public void NandNeuronReproducesTheTruthTable()
    {
        // z = −2·x₁ − 2·x₂ + 3; output 1 if z > 0 (step), or σ(z) > 0.5.
        var neuron = new Linear(2, 1);
        neuron.To(DType.Float64);
        neuron.Weight.Data.CopyFrom(Tensor.FromArray(new double[] { -2, -2 }, 1, 2));
        neuron.Bias!.Data.CopyFrom(Tensor.FromArray(new double[] { 3 }, 1));
        var x = Tensor.FromArray(XorInputs, 4, 2);
        var z = neuron.Forward(x);
        var sigma = new Sigmoid().Forward(z);
        double[] nand = [1, 1, 1, 0];
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(nand[i], z[i, 0] > 0 ? 1 : 0);
            Assert.Equal(nand[i], sigma[i, 0] > 0.5 ? 1 : 0);
        }
        Assert.Equal(1 / (1 + Math.Exp(1)), sigma[3, 0], 12); // σ(−1) for input (1, 1)
    }

    [Fact]
    public void TwoLayerNetworkLearnsXor()
    {
        var model = new Sequential(new Linear(2, 4, generator: new Generator(3)), new Tanh(), new Linear(4, 1, generator: new Generator(4)), new Sigmoid());
        model.To(DType.Float64);
        double before = (model.Forward(Tensor.FromArray(XorInputs, 4, 2)) - Tensor.FromArray(XorTargets, 4, 1)).Square().Mean().Item();
        double after = Train(model, steps: 500, lr: 2.0);
        Assert.True(before > 0.2, $"initial MSE {before} should be that of an untrained net");
        Assert.True(after < 0.05, $"MSE after training {after}");
    }

    [Fact]
    public void EqualInitialWeightsStayEqualWhileXavierBreaksSymmetry()
    {
        Linear Hidden(Sequential m) => (Linear)m.Layers[0];
        Linear Output(Sequential m) => (Linear)m.Layers[2];
        Sequential Make() => new(new Linear(2, 3), new Sigmoid(), new Linear(3, 1), new Sigmoid());

        // All-zero initialization: every hidden unit computes σ(0) and gets the same gradient. Trained on OR
        // the weights move, but the three hidden units remain copies of one another.
        var zero = Make();
        zero.To(DType.Float64);
        foreach (var p in zero.Parameters()) Init.Zeros(p);
        Train(zero, steps: 300, lr: 2.0, OrTargets);
        var w1 = Hidden(zero).Weight.Data;
        var b1 = Hidden(zero).Bias!.Data;
        var w2 = Output(zero).Weight.Data;
        Assert.True(Math.Abs(w2[0, 0]) > 1e-2 && Math.Abs(w1[0, 0]) > 1e-2, "the weights must have moved away from zero");
        for (int j = 1; j < 3; j++)
        {
            Assert.Equal(w1[0, 0], w1[j, 0], 12);
            Assert.Equal(w1[0, 1], w1[j, 1], 12);
            Assert.Equal(b1[0], b1[j], 12);
            Assert.Equal(w2[0, 0], w2[0, j], 12);
        }

        // On XOR's balanced targets all-zero weights are even a stationary point: the output stays 0.5 (MSE 0.25).
        var stuck = Make();
        stuck.To(DType.Float64);
        foreach (var p in stuck.Parameters()) Init.Zeros(p);
        Assert.Equal(0.25, Train(stuck, steps: 100, lr: 2.0), 12);

        // Xavier initialization: the hidden units start (and stay) different.
        var xavier = Make();
        xavier.To(DType.Float64);
        var gen = new Generator(11);
        Init.XavierUniform(Hidden(xavier).Weight, generator: gen);
        Init.XavierUniform(Output(xavier).Weight, generator: gen);
        Init.Zeros(Hidden(xavier).Bias!);
        Init.Zeros(Output(xavier).Bias!);
        Train(xavier, steps: 300, lr: 2.0);
        var v1 = Hidden(xavier).Weight.Data;
        double spread = 0;
        for (int j = 1; j < 3; j++) spread = Math.Max(spread, Math.Abs(v1[j, 0] - v1[0, 0]) + Math.Abs(v1[j, 1] - v1[0, 1]));
        Assert.True(spread > 0.1, $"hidden units should differ after Xavier init, spread {spread}");
    }
}
