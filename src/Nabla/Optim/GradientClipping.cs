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
    /// Rescales all gradients together so that their global norm ‖g‖ = √(Σ over every element of every gradient of g²)
    /// is at most <paramref name="maxNorm"/>: if ‖g‖ &gt; maxNorm, g ← g · maxNorm / ‖g‖ (the direction is kept).
    /// A non-finite norm (a NaN or infinite gradient) leaves the gradients unchanged, so that the caller can detect it.
    /// </summary>
    /// <returns>The global norm before clipping (each gradient's Σg² summed pairwise in its own precision by
    /// <see cref="Reductions.SumOfSquares{T}"/>, the total in double).</returns>
    public static double ClipByGlobalNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        OptionCheck.Positive(nameof(ClipByGlobalNorm), "max norm", maxNorm);
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToArray();
        double sum = 0;
        foreach (var g in grads) sum += DTypeDispatch.Run<SumOfSquaresFunc, double>(g.DType, new(g));
        double norm = Math.Sqrt(sum);
        if (!double.IsFinite(norm) || norm <= maxNorm) return norm;
        double scale = maxNorm / norm;
        foreach (var g in grads) DTypeDispatch.Run(g.DType, new ClipAction(g, scale, 0));
        return norm;
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
