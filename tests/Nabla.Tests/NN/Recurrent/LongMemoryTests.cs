using System.Diagnostics;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Recurrent;
using Nabla.Optim;
using Nabla.Tensors;
using Xunit;
using Xunit.Abstractions;

namespace Nabla.Tests.NN.Recurrent;

/// <summary>
/// The memory task of the lectures' "feedback + storage" remark: the sign of the first input must be reported after
/// <c>steps</c> steps of noise. A cell state with a forget gate near 1 carries it; a plain RNN's state and gradient fade.
/// </summary>
public class LongMemoryTests(ITestOutputHelper output)
{
    /// <summary>
    /// Batch of sequences [n, steps, 2]: feature 0 is the value (±1 at step 0, uniform noise in ±1 afterwards),
    /// feature 1 marks step 0. Label 1 when the first value is positive.
    /// </summary>
    private static (Tensor X, int[] Labels) Batch(int n, int steps, Generator gen)
    {
        var x = new float[n * steps * 2];
        var labels = new int[n];
        for (int b = 0; b < n; b++)
        {
            labels[b] = gen.NextDouble() < 0.5 ? 0 : 1;
            x[b * steps * 2] = labels[b] == 1 ? 1 : -1;
            x[b * steps * 2 + 1] = 1;
            for (int t = 1; t < steps; t++) x[(b * steps + t) * 2] = (float)(2 * gen.NextDouble() - 1);
        }
        return (Tensor.FromArray(x, n, steps, 2), labels);
    }

    private static double TrainAndTest(RecurrentLayer rnn, int steps, int iterations, double lr, int seed)
    {
        var model = new Sequential(rnn, new SequenceHead(rnn.HiddenSize, 2, generator: new Generator((ulong)seed)));
        var opt = new Adam(model.Parameters(), lr);
        var loss = new CrossEntropy();
        var gen = new Generator((ulong)seed + 100);
        for (int it = 0; it < iterations; it++)
        {
            var (x, y) = Batch(32, steps, gen);
            opt.ZeroGrad();
            loss.Forward(model.Forward(x), y).Backward();
            GradientClipping.ClipByGlobalNorm(model.Parameters(), 1.0);
            opt.Step();
        }
        var (tx, ty) = Batch(500, steps, new Generator(12345));
        int[] predicted;
        using (Nabla.Autograd.GradMode.NoGrad()) predicted = model.Forward(tx).ArgMaxRows();
        return predicted.Zip(ty).Count(p => p.First == p.Second) / 500.0;
    }

    [Fact]
    public void LstmRemembersTheFirstSignOverSixtyStepsWhereAPlainRnnFails()
    {
        // 60 steps, 300 Adam steps (lr 0.01, batch 32, global-norm clipping at 1) for each network, hidden 16, ~4 s.
        // Honest note on the budget: the LSTM's forget bias starts at 5 (f ≈ 0.993, so 0.993⁵⁹ ≈ 0.7 of the signal
        // reaches step 0 at initialization). With the default 1 (f ≈ 0.73, 0.73⁵⁹ ≈ 10⁻⁸) 300 steps are not enough:
        // seed 1 stayed at chance; with 3, 3 of 4 seeds learned. With 5, seeds 1, 2, 3, 5, 6 reached 96–100 %, while the
        // RNN stayed at 48–51 % for every seed tried, and after 1,500 steps too. The RNN has no such knob: its state is
        // rewritten through tanh(W_hh·h + …) at every step, which is the point of the comparison.
        const int steps = 60;
        var sw = Stopwatch.StartNew();
        double lstm = TrainAndTest(new LSTM(2, 16, forgetGateBias: 5, generator: new Generator(1)), steps, 300, 0.01, 1);
        double rnn = TrainAndTest(new RNN(2, 16, generator: new Generator(1)), steps, 300, 0.01, 1);
        output.WriteLine($"accuracy after 300 steps: LSTM {lstm:P1}, RNN {rnn:P1} ({sw.Elapsed.TotalSeconds:F1} s)");
        Assert.True(lstm >= 0.9, $"LSTM accuracy {lstm:P1}");
        Assert.True(rnn <= 0.70, $"RNN accuracy {rnn:P1}: expected near chance");
    }
}
