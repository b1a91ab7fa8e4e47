using System.Numerics;
using Nabla.Kernels;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>
/// Gradient clipping, applied between <c>loss.Backward()</c> and <c>optimizer.Step()</c> to the gradients in place.
/// Parameters without a gradient are ignored.
/// </summary>
public static class GradientClipping
{
    /// <summary>
    /// Rescales all gradients together so that their global p-norm is at most <paramref name="maxNorm"/>, as PyTorch's
    /// <c>clip_grad_norm_(parameters, max_norm, norm_type=p)</c>: with ‖g‖ₚ = (Σ |g|ᵖ)^(1/p) over every element of every
    /// gradient (‖g‖∞ = max |g| for p = ∞, ‖g‖₂ = √(Σ g²) by default), g ← g · min(1, maxNorm / (‖g‖ₚ + 10⁻⁶)).
    /// The 10⁻⁶ is PyTorch's: it keeps the division finite for a zero gradient, and makes a norm of exactly maxNorm
    /// shrink by the factor maxNorm/(maxNorm + 10⁻⁶). The direction is kept.
    /// </summary>
    /// <remarks>
    /// A non-finite norm (a NaN or infinite gradient) leaves the gradients unchanged, so that the caller can detect it
    /// (PyTorch 1.13 multiplies them by the NaN or zero factor; its <c>error_if_nonfinite</c> raises instead).
    /// </remarks>
    /// <param name="parameters">The parameters whose gradients are clipped; those without a gradient are ignored.</param>
    /// <param name="maxNorm">The largest norm allowed, finite and &gt; 0.</param>
    /// <param name="p">The order of the norm: finite and &gt; 0 (PyTorch's <c>norm_type</c>; 2 by default, 1 for the sum
    /// of magnitudes), or <see cref="double.PositiveInfinity"/> for the largest magnitude.</param>
    /// <returns>The global norm before clipping (accumulated in double).</returns>
    public static double ClipByGlobalNorm(IEnumerable<Parameter> parameters, double maxNorm, double p = 2)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        OptionCheck.Positive(nameof(ClipByGlobalNorm), "max norm", maxNorm);
        if (!(p > 0))
            throw new Errors.ValueException($"{nameof(ClipByGlobalNorm)}: the norm's order p must be > 0 (or infinity), got {p}");
        var grads = parameters.Select(x => x.Grad).OfType<Tensor>().ToArray();
        double norm = GlobalNorm(grads, p);
        if (!double.IsFinite(norm)) return norm;
        double scale = maxNorm / (norm + 1e-6);
        if (scale >= 1) return norm;
        foreach (var g in grads) DTypeDispatch.Run(g.DType, new ClipAction(g, scale, 0));
        return norm;
    }

    /// <summary>The p-norm of all the gradients' elements together, in double.</summary>
    private static double GlobalNorm(Tensor[] grads, double p)
    {
        if (p == 2)
        {
            double sum = 0;
            foreach (var g in grads) sum += DTypeDispatch.Run<SumOfSquaresFunc, double>(g.DType, new(g));
            return Math.Sqrt(sum);
        }
        if (double.IsPositiveInfinity(p))
        {
            double max = 0;
            foreach (var g in grads)
                for (int i = 0; i < g.Numel; i++)
                {
                    double a = Math.Abs(g.GetFlat(i));
                    if (double.IsNaN(a)) return a;
                    if (a > max) max = a;
                }
            return max;
        }
        double total = 0;
        foreach (var g in grads)
            for (int i = 0; i < g.Numel; i++)
            {
                double a = Math.Abs(g.GetFlat(i));
                total += p == 1 ? a : Math.Pow(a, p);
            }
        return p == 1 ? total : Math.Pow(total, 1 / p);
    }

    /// <summary>Clamps every gradient element to [−c, c]: g ← min(max(g, −c), c). This can change the gradient's direction.</summary>
    public static void ClipByValue(IEnumerable<Parameter> parameters, double clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        OptionCheck.Positive(nameof(ClipByValue), "clip value", clipValue);
        foreach (var p in parameters)
            if (p.Grad is { } g) DTypeDispatch.Run(g.DType, new ClipAction(g, 0, clipValue));
    }

    private readonly struct SumOfSquaresFunc(Tensor g) : IDTypeFunc<double>
    {
        public double Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => double.CreateTruncating(Reductions.SumOfSquares<T>(g.AsSpan<T>()));
    }

    /// <summary>g ← scale·g, or with a clip value c &gt; 0, g ← min(max(g, −c), c), in place.</summary>
    private readonly struct ClipAction(Tensor g, double scale, double clipValue) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
        {
            Span<T> x = g.AsSpan<T>();
            if (clipValue > 0) Elementwise.Clamp<T>(x, T.CreateTruncating(-clipValue), T.CreateTruncating(clipValue), x);
            else Elementwise.MulScalar<T>(x, T.CreateTruncating(scale), x);
        }
    }
}
