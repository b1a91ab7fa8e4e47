using Nabla.Lessons.Svg;
using Nabla.Losses;
using Nabla.NN;
using Nabla.NN.Recurrent;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Lessons.Pages;

/// <summary>Lesson 11: vanishing gradients through time in an RNN against an LSTM; a memory task; sine-wave prediction.</summary>
public sealed class RecurrentLesson : Lesson
{
    /// <inheritdoc/>
    public override string Slug => "11-rnn-lstm";

    /// <inheritdoc/>
    public override string Title => "11. Recurrent networks: RNN and LSTM";

    /// <inheritdoc/>
    public override string Summary => "How far back a gradient reaches in an RNN and in an LSTM; a memory task for an RNN and an LSTM; predicting a sine wave.";

    /// <inheritdoc/>
    public override void Build(LessonPage page, LessonContext context)
    {
        page.Text("A recurrent network reads a sequence one step at a time and carries a hidden state forward (the notes: 'feedback'); the " +
                  "LSTM adds a cell state, 'feedback + storage', that gates can keep unchanged for many steps. Backpropagation through time " +
                  "multiplies one Jacobian per step, so in a plain RNN the gradient from a distant step vanishes.");
        page.Heading("Gradient against time distance");
        // <snippet distance>
        const int steps = 60;
        double[] GradientByDistance(Func<RecurrentLayer> make)
        {
            var norms = new double[steps];
            for (int seed = 0; seed < 4; seed++)
            {
                Generator.ManualSeed((ulong)seed);
                var layer = make();
                var x = Tensor.Randn([1, steps, 4]);
                x.RequiresGrad = true;
                var output = layer.Forward(x);                          // [1, steps, hidden]
                output.Narrow(1, steps - 1, 1).Sum().Backward();        // d(last output)/d(every input)
                var g = x.Grad!.ToDoubleArray();
                for (int t = 0; t < steps; t++)
                    norms[steps - 1 - t] += Math.Sqrt(g.Skip(4 * t).Take(4).Sum(v => v * v)) / 4;  // indexed by distance
            }
            return norms;
        }
        var rnn = GradientByDistance(() => new RNN(4, 32));
        var lstm = GradientByDistance(() => new LSTM(4, 32));
        // </snippet>
        page.Code("distance");
        var d = Enumerable.Range(0, steps).Select(i => (double)i).ToArray();
        page.Figure(new Plot("‖∂h_T / ∂x_(T−k)‖ against the distance k (untrained, mean of 4 seeds)", "time distance k (steps back)", "gradient norm (log scale)") { LogY = true, Width = 620 }
            .Line("RNN (tanh)", d, rnn).Line("LSTM", d, lstm).ToSvg(),
            $"Twenty steps back the RNN's gradient is {Fmt.G(rnn[20] / rnn[0])} of its size at the last step; the LSTM's is {Fmt.G(lstm[20] / lstm[0])}.");

        page.Heading("A memory task");
        const int length = 40;
        page.Text($"Each sequence has two input channels: a value and a marker. At the first step the value is +1 or −1 and the marker is 1; " +
                  $"for the next {length - 1} steps the value is noise and the marker 0. After the whole sequence the network must say which " +
                  "sign came first: the answer depends on a step far back. The LSTM is tried with its usual forget-gate bias of 1 (the gate " +
                  "starts about 73% open, so its memory also fades over 40 steps) and with a bias of 3 (95% open), a common setting for long memories.");
        // <snippet memory>
        (Tensor X, int[] Y) Sequences(int n, Generator g)
        {
            var x = Tensor.Randn([n, length, 2], g) * 0.3;
            var labels = new int[n];
            for (int i = 0; i < n; i++)
            {
                labels[i] = g.NextInt(2);
                x.SetFlat(i * length * 2, labels[i] == 1 ? 1 : -1);             // the sign to remember
                for (int t = 0; t < length; t++) x.SetFlat((i * length + t) * 2 + 1, t == 0 ? 1 : 0);  // the marker
            }
            return (x, labels);
        }
        List<double> Learn(Func<RecurrentLayer> make)
        {
            Generator.ManualSeed(8);
            var layer = make();
            var head = new Linear(32, 2);
            var adam = new Adam(layer.Parameters().Concat(head.Parameters()), 0.01);
            var data = new Generator(9);
            var (testX, testY) = Sequences(512, new Generator(10));
            var accuracy = new List<double>();
            for (int step = 0; step <= 200; step++)
            {
                var (x, y) = Sequences(64, data);
                var loss = new CrossEntropy().Forward(head.Forward(layer.Forward(x).Narrow(1, length - 1, 1).Squeeze(1)), y);
                adam.ZeroGrad();
                loss.Backward();
                adam.Step();
                if (step % 10 == 0)
                {
                    var guess = head.Forward(layer.Forward(testX).Narrow(1, length - 1, 1).Squeeze(1)).ArgMaxRows();
                    accuracy.Add(guess.Zip(testY).Count(p => p.First == p.Second) / 512.0);
                }
            }
            return accuracy;
        }
        var learners = new (string Name, List<double> Accuracy)[]
        {
            ("RNN (tanh)", Learn(() => new RNN(2, 32))),
            ("LSTM, forget bias 1", Learn(() => new LSTM(2, 32))),
            ("LSTM, forget bias 3", Learn(() => new LSTM(2, 32, forgetGateBias: 3.0))),
        };
        // </snippet>
        page.Code("memory");
        var at = Enumerable.Range(0, learners[0].Accuracy.Count).Select(i => i * 10.0).ToArray();
        var memory = new Plot($"Remember the first sign over {length} steps", "training step", "test accuracy") { Width = 620, YRange = (0.3, 1.02) };
        foreach (var (name, accuracy) in learners) memory.Line(name, at, accuracy.ToArray());
        page.Figure(memory.ToSvg(), "Final test accuracy: " + string.Join(", ", learners.Select(l => $"{l.Name} {Fmt.F(l.Accuracy[^1], 3)}")) + " (0.5 is guessing).");
        var solved = learners.Where(l => l.Accuracy[^1] > 0.9).Select(l => l.Name).ToList();
        page.Text(solved.Count == 0 ? "In this run no network learned the task in the steps given." :
            $"Solved (over 90% on unseen sequences) in this run: {string.Join(", ", solved)}. The cell state lets the LSTM carry the sign " +
            "unchanged when its forget gate stays open; the RNN must push it through the same squashing map at every step, and the " +
            "gradient plot above shows how little of the first step's gradient survives that.");

        page.Heading("Predicting a sine wave");
        // <snippet sine>
        const int window = 40;
        double Signal(int t) => Math.Sin(0.3 * t) + 0.3 * Math.Sin(0.11 * t);
        (Tensor X, Tensor Y) Windows(int[] starts) =>
            (Tensor.FromArray(starts.SelectMany(s => Enumerable.Range(s, window).Select(t => (float)Signal(t))).ToArray(), starts.Length, window, 1),
             Tensor.FromArray(starts.SelectMany(s => Enumerable.Range(s + 1, window).Select(t => (float)Signal(t))).ToArray(), starts.Length, window, 1));
        Generator.ManualSeed(12);
        var predictor = new Sequential(new LSTM(1, 32), new Linear(32, 1));   // the Linear acts on every step
        var optimizer = new Adam(predictor.Parameters(), 0.01);
        var pick = new Generator(13);
        for (int step = 0; step < context.Pick(150, 500); step++)
        {
            var (x, y) = Windows(Enumerable.Range(0, 32).Select(_ => pick.NextInt(2000)).ToArray());
            var loss = new MSE().Forward(predictor.Forward(x), y);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
        }
        var (testInput, testTarget) = Windows([3000]);                    // a stretch never used in training
        var prediction = predictor.Forward(testInput).ToDoubleArray();
        // </snippet>
        page.Code("sine");
        var truth = testTarget.ToDoubleArray();
        double mse = truth.Zip(prediction).Average(p => (p.First - p.Second) * (p.First - p.Second));
        double naive = truth.Zip(testInput.ToDoubleArray()).Average(p => (p.First - p.Second) * (p.First - p.Second));
        var ts = Enumerable.Range(3001, window).Select(t => (double)t).ToArray();
        page.Figure(new Plot("One-step-ahead prediction on unseen time steps", "time step t", "signal") { Width = 620 }
            .Line("true signal", ts, truth, color: "#222", width: 3).Line("LSTM prediction", ts, prediction, color: Plot.Color(1), dashed: true).ToSvg(),
            $"Mean squared error {Fmt.G(mse)}, against {Fmt.G(naive)} for 'next = last value'. The first few steps are worse: the state is still warming up.");
        page.Implements("src/Nabla/NN/Recurrent/RNN.cs", "src/Nabla/NN/Recurrent/LSTM.cs", "src/Nabla/NN/Recurrent/RecurrentKernel.cs");
    }
}
