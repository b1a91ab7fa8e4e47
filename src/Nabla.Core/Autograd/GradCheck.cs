using System.Diagnostics;
using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Numerical gradient checking, as the lectures prescribe: compare the backpropagated gradient with the
/// central difference (f(x+h) − f(x−h)) / 2h, in float64. Also the Jacobian of a vector function.
/// </summary>
public static class GradCheck
{
    /// <summary>
    /// Checks the gradient of <paramref name="f"/> with respect to every tensor in <paramref name="inputs"/>
    /// (all Float64 with RequiresGrad; parameters that <paramref name="f"/> closes over may be listed too).
    /// A non-scalar output is reduced to L = Σ yᵢ·wᵢ with fixed pseudo-random weights wᵢ, so every output
    /// element's gradient is checked in one backward pass. <paramref name="f"/> must be deterministic.
    /// </summary>
    /// <param name="f">The function; it is called 2·(number of input elements) + 1 times.</param>
    /// <param name="inputs">The tensors to differentiate with respect to; they are perturbed in place and restored.</param>
    /// <param name="step">The finite-difference step h.</param>
    /// <param name="absTolerance">Absolute tolerance of the pass criterion.</param>
    /// <param name="relTolerance">Relative tolerance of the pass criterion (1e-4 catches a 1% error in any single element).</param>
    /// <param name="progress">
    /// Optional: told how many input elements have been differenced, synchronously on the calling thread: once before
    /// the first element, then whenever a quarter second has passed since the previous report, and once when every element is done
    /// (<see cref="GradCheckProgress.Done"/> = <see cref="GradCheckProgress.Total"/>). Note that
    /// <see cref="Progress{T}"/> hands each report to the thread pool, where reports may run out of order;
    /// a console caller should implement <see cref="IProgress{T}"/> directly.
    /// </param>
    public static GradCheckResult Check(Func<Tensor> f, IReadOnlyList<Tensor> inputs, double step = 1e-6, double absTolerance = 1e-6, double relTolerance = 1e-4,
        IProgress<GradCheckProgress>? progress = null)
        => CheckCore(f, inputs, step, absTolerance, relTolerance, progress, TimeSpan.FromMilliseconds(250));

    /// <summary><see cref="Check"/> with the least time between two progress reports (tests use zero: a report per element).</summary>
    internal static GradCheckResult CheckCore(Func<Tensor> f, IReadOnlyList<Tensor> inputs, double step, double absTolerance, double relTolerance,
        IProgress<GradCheckProgress>? progress, TimeSpan reportInterval)
    {
        long started = Stopwatch.GetTimestamp();
        for (int t = 0; t < inputs.Count; t++)
        {
            if (inputs[t].DType != DType.Float64)
                throw new ValueException($"gradcheck: input {inputs[t].Name ?? "input" + t} is {inputs[t].DType}; gradient checks need Float64 (use ToDType(DType.Float64))");
            if (!inputs[t].RequiresGrad)
                throw new ValueException($"gradcheck: input {inputs[t].Name ?? "input" + t} does not require grad");
        }
        Tensor? weights = null;
        double Loss()
        {
            using (GradMode.NoGrad())
            {
                var y = f();
                weights ??= ProjectionWeights(y);
                return Dot(y, weights);
            }
        }

        // Analytical.
        foreach (var x in inputs) x.Grad = null;
        var y0 = f();
        weights ??= ProjectionWeights(y0);
        if (!y0.RequiresGrad) throw new ValueException("gradcheck: the function's result does not depend on any input that requires grad");
        y0.Backward(weights.ToDType(y0.DType));
        var analytical = new double[inputs.Count][];
        for (int t = 0; t < inputs.Count; t++)
            analytical[t] = inputs[t].Grad?.ToDoubleArray() ?? new double[inputs[t].Numel];

        // Numerical.
        long total = 0, done = 0;
        foreach (var x in inputs) total += x.Numel;
        long lastReport = Stopwatch.GetTimestamp();
        progress?.Report(new GradCheckProgress(0, inputs.Count, 0, inputs.Count > 0 ? inputs[0].Numel : 0, 0, total, Stopwatch.GetElapsedTime(started)));
        var numerical = new double[inputs.Count][];
        for (int t = 0; t < inputs.Count; t++)
        {
            var x = inputs[t];
            var num = numerical[t] = new double[x.Numel];
            for (int i = 0; i < x.Numel; i++)
            {
                double orig = x.GetFlat(i);
                x.SetFlat(i, orig + step);
                double plus = Loss();
                x.SetFlat(i, orig - step);
                double minus = Loss();
                x.SetFlat(i, orig);
                num[i] = (plus - minus) / (2 * step);
                done++;
                if (progress != null && done < total && Stopwatch.GetElapsedTime(lastReport) >= reportInterval)
                {
                    lastReport = Stopwatch.GetTimestamp();
                    progress.Report(new GradCheckProgress(t, inputs.Count, i + 1, x.Numel, done, total, Stopwatch.GetElapsedTime(started)));
                }
            }
        }
        if (total > 0)
        {
            int last = inputs.Count - 1;
            progress?.Report(new GradCheckProgress(last, inputs.Count, inputs[last].Numel, inputs[last].Numel, done, total, Stopwatch.GetElapsedTime(started)));
        }
        var names = new string[inputs.Count];
        for (int t = 0; t < names.Length; t++) names[t] = inputs[t].Name ?? "input" + t;
        foreach (var x in inputs) x.Grad = null;
        return new GradCheckResult(names, analytical, numerical, absTolerance, relTolerance);
    }

    /// <summary>
    /// The Jacobian J[i, j] = ∂f(x)ᵢ / ∂xⱼ of a vector function, as an [m, d] Float64 tensor (m outputs, d inputs,
    /// both flattened), computed by one backward pass per output. The lectures write ∂f/∂x as its d×m transpose.
    /// </summary>
    public static Tensor Jacobian(Func<Tensor, Tensor> f, Tensor x)
    {
        var xin = x.Detach().ToDType(DType.Float64).Clone();
        xin.RequiresGrad = true;
        var y = f(xin);
        int m = y.Numel, d = xin.Numel;
        var j = Tensor.Zeros([m, d], DType.Float64);
        for (int i = 0; i < m; i++)
        {
            xin.Grad = null;
            var g = Tensor.Zeros(y.Shape.ToArray(), y.DType);
            g.SetFlat(i, 1);
            if (y.RequiresGrad) y.Backward(g, retainGraph: true);
            var grad = xin.Grad;
            for (int k = 0; k < d; k++) j.SetFlat(i * d + k, grad?.GetFlat(k) ?? 0);
        }
        return j;
    }

    /// <summary>The Jacobian by central differences, [m, d] as in <see cref="Jacobian"/>.</summary>
    public static Tensor NumericalJacobian(Func<Tensor, Tensor> f, Tensor x, double step = 1e-6)
    {
        var xin = x.Detach().ToDType(DType.Float64).Clone();
        Tensor Eval() { using (GradMode.NoGrad()) return f(xin); }
        int d = xin.Numel, m = Eval().Numel;
        var j = Tensor.Zeros([m, d], DType.Float64);
        for (int k = 0; k < d; k++)
        {
            double orig = xin.GetFlat(k);
            xin.SetFlat(k, orig + step);
            var plus = Eval();
            xin.SetFlat(k, orig - step);
            var minus = Eval();
            xin.SetFlat(k, orig);
            for (int i = 0; i < m; i++) j.SetFlat(i * d + k, (plus.GetFlat(i) - minus.GetFlat(i)) / (2 * step));
        }
        return j;
    }

    private static Tensor ProjectionWeights(Tensor y)
    {
        var gen = new Generator(12345);
        var w = Tensor.Zeros(y.Shape.ToArray(), DType.Float64);
        for (int i = 0; i < w.Numel; i++) w.SetFlat(i, 0.5 + gen.NextDouble()); // in [0.5, 1.5): no cancellation to zero
        return w;
    }

    private static double Dot(Tensor y, Tensor w)
    {
        double s = 0;
        for (int i = 0; i < y.Numel; i++) s += y.GetFlat(i) * w.GetFlat(i);
        return s;
    }
}
