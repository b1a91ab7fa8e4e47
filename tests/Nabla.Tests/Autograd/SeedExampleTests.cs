using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Autograd;

/// <summary>
/// The worked examples of the lecture notes that are about derivatives, reproduced with Nabla and checked against
/// values computed exactly (never the notes' printed roundings, which are only compared to their last digit): the
/// computation graph J(a, b, c) = 3(a + bc), the "learn y = 2x" tables with their gradient-descent iterates, the
/// gradient of ‖Wx‖², and a small sigmoid network as a function.
/// </summary>
public class SeedExampleTests
{
    [Fact]
    public void ThreeTimesAPlusBCAtFiveThreeTwo()
    {
        var a = Tensor.Scalar(5); a.RequiresGrad = true;
        var b = Tensor.Scalar(3); b.RequiresGrad = true;
        var c = Tensor.Scalar(2); c.RequiresGrad = true;
        var u = b * c;          // 6
        var v = a + u;          // 11
        var j = 3.0 * v;        // 33
        j.Backward();
        Assert.Equal(33.0, j.Item());
        Assert.Equal(3.0, a.Grad!.Item());
        Assert.Equal(6.0, b.Grad!.Item());
        Assert.Equal(9.0, c.Grad!.Item());
    }

    [Fact]
    public void NeuronWeightedSumPlusBias()
    {
        // z = b + Σ wᵢxᵢ, then the sigmoid neuron of the lectures.
        var x = Tensor.FromArray([1f, 2f, 3f]);
        var w = Tensor.FromArray([0.5f, -1f, 0.25f]); w.RequiresGrad = true;
        var b = Tensor.Scalar(0.1); b.RequiresGrad = true;
        var z = (w * x).Sum() + b;
        Assert.Equal(0.5 - 2 + 0.75 + 0.1, z.Item(), 5);
        var y = z.Sigmoid();
        y.Backward();
        double s = 1 / (1 + Math.Exp(0.65)), ds = s * (1 - s);
        Assert.Equal(ds, b.Grad!.Item(), 5);
        Assert.Equal(new[] { ds * 1, ds * 2, ds * 3 }.Select(v => (float)v), w.Grad!.ToArray(), new FloatTol(1e-5f));
    }

    [Fact]
    public void IntermediateDerivativesAndTheNotesNudges()
    {
        // Notes 000, "Computing derivatives": dJ/dv = 3, dJ/du = 3, and the nudges that illustrate them
        // (v 11 → 11.001: J 33 → 33.003; a 5 → 5.001: J → 33.003; b 3 → 3.001: u 6 → 6.002, J → 33.006).
        static (Tensor U, Tensor V, Tensor J) Graph(Tensor a, Tensor b, Tensor c)
        {
            var u = (b * c).RetainGrad();
            var v = (a + u).RetainGrad();
            return (u, v, 3.0 * v);
        }

        Tensor Leaf(double x)
        {
            var t = Tensor.Scalar(x, DType.Float64);
            t.RequiresGrad = true;
            return t;
        }

        var (u, v, j) = Graph(Leaf(5), Leaf(3), Leaf(2));
        j.Backward();
        Assert.Equal(3.0, v.Grad!.Item());
        Assert.Equal(3.0, u.Grad!.Item());

        double J(double a, double b, double c) => Graph(Tensor.Scalar(a, DType.Float64), Tensor.Scalar(b, DType.Float64), Tensor.Scalar(c, DType.Float64)).J.Item();
        Assert.Equal(33.003, J(5.001, 3, 2), 12);
        Assert.Equal(33.006, J(5, 3.001, 2), 12);
        Assert.Equal(6.002, Graph(Tensor.Scalar(5, DType.Float64), Tensor.Scalar(3.001, DType.Float64), Tensor.Scalar(2, DType.Float64)).U.Item(), 12);
        Assert.Equal(33.009, J(5, 3, 2.001), 12); // dJ/dc = 9, "= ⋯ = 9" in the notes
        // The nudge quotient is the derivative up to the second-order term (zero here: J is linear in each variable).
        Assert.Equal(3.0, (J(5.001, 3, 2) - 33) / 0.001, 9);
    }

    [Fact]
    public void LearningYEqualsTwoXReproducesTheNotesTables()
    {
        // Notes 000, "Learn output = 2 x input": model y = W·x with W = 3 on inputs 0..4, loss = Σ (W·x − 2x)².
        var x = Tensor.FromArray([0.0, 1, 2, 3, 4], 5, 1);
        var desired = Tensor.FromArray([0.0, 2, 4, 6, 8], 5, 1);
        var model = new Linear(1, 1, bias: false, new Generator(0)).To(DType.Float64);
        var sse = new MSE(Reduction.Sum); // one element per sample: the notes' "Total" column of squared errors

        double Loss(double w)
        {
            model.Parameters().Single().Data.CopyFrom(Tensor.FromArray([w], 1, 1));
            return sse.Forward(model.Forward(x), desired).Item();
        }

        // Step 2-3: outputs 0, 3, 6, 9, 12; absolute errors total 10, squared errors total 30.
        model.Parameters().Single().Data.CopyFrom(Tensor.FromArray([3.0], 1, 1));
        Assert.Equal(new[] { 0.0, 3, 6, 9, 12 }, model.Forward(x).ToDoubleArray());
        Assert.Equal(10.0, new MAE(Reduction.Sum).Forward(model.Forward(x), desired).Item());
        Assert.Equal(30.0, Loss(3));

        // Step 4: W = 3.0001 gives 30.006 (exactly 30.0060003), a rate of about 60 per unit of W …
        Assert.Equal(30.0060003, Loss(3.0001), 9);
        Assert.Equal(60.003, (Loss(3.0001) - Loss(3)) / 0.0001, 6);
        // … and the derivative itself is 60 = Σ 2x²(W − 2) (step 5, backpropagation).
        model.ZeroGrad();
        sse.Forward(model.Forward(x), desired).Backward();
        Assert.Equal(60.0, model.Parameters().Single().Grad!.Item());

        // Steps 6-7: "the loss is at 30 units; extrapolating the rate of 60, reduce W by 30/60 = 0.5", repeated with the
        // rate measured at W = 3: W ← W − L(W)/60. (Re-measuring the rate at each W would be Newton's method on L,
        // 3 → 2.5 → 2.25, which is not the table.) Exactly: L(W) = 30(W − 2)².
        double[] w = new double[5];
        w[0] = 3;
        for (int k = 1; k < 5; k++) w[k] = w[k - 1] - Loss(w[k - 1]) / 60;
        Assert.Equal(new[] { 3, 2.5, 2.375, 2.3046875, 2.258270263671875 }, w);
        // The table prints 8 decimals: its every entry is the exact value rounded.
        double[] printedW = [3, 2.5, 2.375, 2.3046875, 2.25827026];
        double[][] printedSquaredErrors =
        [
            [0, 1, 4, 9, 16],
            [0, 0.25, 1, 2.25, 4],
            [0, 0.140625, 0.5625, 1.265625, 2.25],
            [0, 0.09283447, 0.37133789, 0.83551025, 1.48535156],
            [0, 0.06670353, 0.26681412, 0.60033176, 1.06725647],
        ];
        double[] printedTotals = [30, 7.5, 4.21875, 2.78503418, 2.00110587];
        for (int k = 0; k < 5; k++)
        {
            Assert.Equal(printedW[k], w[k], 8);
            Assert.Equal(printedTotals[k], Loss(w[k]), 8);
            var perInput = new MSE(Reduction.None).Forward(model.Forward(x), desired).ToDoubleArray();
            for (int i = 0; i < 5; i++) Assert.Equal(printedSquaredErrors[k][i], perInput[i], 8);
            Assert.Equal(30 * (w[k] - 2) * (w[k] - 2), Loss(w[k]), tolerance: 1e-13);
        }
    }

    [Fact]
    public void GradientsOfTheSquaredNormOfWx()
    {
        // Notes 001, "Computing gradients": L(x, W) = ‖q‖², q = Wx: ∂L/∂qᵢ = 2qᵢ (the notes print 2qᵢ²),
        // ∇ₓL = 2Wᵀq and ∇_W L = 2qxᵀ.
        var w = Tensor.FromArray([1.0, -2, 0.5, 3, 0, -1], 3, 2);
        var x = Tensor.FromArray([2.0, -1], 2);
        w.RequiresGrad = true;
        x.RequiresGrad = true;
        var q = w.Matmul(x).RetainGrad();
        var l = (q * q).Sum();
        l.Backward();
        double[] qv = [1 * 2 + -2 * -1, 0.5 * 2 + 3 * -1, 0 * 2 + -1 * -1]; // [4, −2, 1]
        Assert.Equal(qv, q.ToDoubleArray());
        Assert.Equal(qv.Sum(v => v * v), l.Item());
        Assert.Equal(qv.Select(v => 2 * v), q.Grad!.ToDoubleArray());
        double[] wv = w.ToDoubleArray();
        Assert.Equal(new[] { 2 * (wv[0] * qv[0] + wv[2] * qv[1] + wv[4] * qv[2]), 2 * (wv[1] * qv[0] + wv[3] * qv[1] + wv[5] * qv[2]) }, x.Grad!.ToDoubleArray());
        Assert.Equal(new[] { 2 * qv[0] * 2, 2 * qv[0] * -1, 2 * qv[1] * 2, 2 * qv[1] * -1, 2 * qv[2] * 2, 2 * qv[2] * -1 }, w.Grad!.ToDoubleArray());
    }

    [Fact]
    public void ANetworkIsAFunction()
    {
        // Notes 004, "Example of Neural Network (3/3)": f([1, −1]) = [0.62, 0.83], f([0, 0]) = [0.51, 0.85] for a network of
        // three sigmoid layers of two neurons. The notes show the weights only in a figure; these (the lecture's figure)
        // reproduce all four printed outputs.
        var g = new Generator(0); // the weights are set below
        var net = new Sequential(new Linear(2, 2, generator: g), new Sigmoid(), new Linear(2, 2, generator: g), new Sigmoid(), new Linear(2, 2, generator: g), new Sigmoid());
        net.To(DType.Float64);
        double[][] weights = [[1, -2, -1, 1], [1, 0], [2, -1, -2, -1], [0, 0], [3, -1, -1, 4], [-2, 2]];
        int k = 0;
        foreach (var p in net.Parameters()) p.Data.CopyFrom(Tensor.FromArray(weights[k++], p.Shape.ToArray()));
        var y = net.Forward(Tensor.FromArray([1.0, -1, 0, 0], 2, 2)).ToDoubleArray();
        double[] printed = [0.62, 0.83, 0.51, 0.85];
        for (int i = 0; i < 4; i++) Assert.Equal(printed[i], y[i], 2);
        // Exactly, for the first input: σ(3·σ(σ(4)·2 − σ(−2)) − σ(−2σ(4) − σ(−2)) − 2), computed by hand.
        static double S(double z) => 1 / (1 + Math.Exp(-z));
        double h1 = S(4), h2 = S(-2), g1 = S(2 * h1 - h2), g2 = S(-2 * h1 - h2);
        Assert.Equal(S(3 * g1 - g2 - 2), y[0], tolerance: 1e-15);
        Assert.Equal(S(-g1 + 4 * g2 + 2), y[1], tolerance: 1e-15);
    }

    private sealed class FloatTol(float tol) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tol;
        public int GetHashCode(float obj) => 0;
    }
}
