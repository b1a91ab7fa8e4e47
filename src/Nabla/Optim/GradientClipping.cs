using System.Numerics;
using System.Runtime.InteropServices;
using Nabla.NN;
using Nabla.Tensors;
using static Nabla.Optim.VectorOps;

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
    /// <returns>The global norm before clipping (accumulated in double).</returns>
    public static double ClipByGlobalNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        OptionCheck.Positive(nameof(ClipByGlobalNorm), "max norm", maxNorm);
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToArray();
        double sum = 0;
        foreach (var g in grads)
            sum += g.DType == DType.Float32 ? SumOfSquares(g.AsSpan<float>()) : SumOfSquares(g.AsSpan<double>());
        double norm = Math.Sqrt(sum);
        if (!double.IsFinite(norm) || norm <= maxNorm) return norm;
        double scale = maxNorm / norm;
        foreach (var g in grads)
        {
            if (g.DType == DType.Float32) Scale(g.AsSpan<float>(), scale);
            else Scale(g.AsSpan<double>(), scale);
        }
        return norm;
    }

    /// <summary>Clamps every gradient element to [−c, c]: g ← min(max(g, −c), c). This can change the gradient's direction.</summary>
    public static void ClipByValue(IEnumerable<Parameter> parameters, double clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        OptionCheck.Positive(nameof(ClipByValue), "clip value", clipValue);
        foreach (var p in parameters)
        {
            if (p.Grad is not { } g) continue;
            if (g.DType == DType.Float32) Clamp(g.AsSpan<float>(), clipValue);
            else Clamp(g.AsSpan<double>(), clipValue);
        }
    }

    private static double SumOfSquares(ReadOnlySpan<float> x)
    {
        var acc = Vector<double>.Zero;
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(x);
        foreach (var v in vectors)
        {
            Vector.Widen(v, out var lo, out var hi);
            acc += lo * lo + hi * hi;
        }
        double sum = Vector.Sum(acc);
        for (int i = vectors.Length * Vector<float>.Count; i < x.Length; i++) sum += (double)x[i] * x[i];
        return sum;
    }

    private static double SumOfSquares(ReadOnlySpan<double> x)
    {
        var acc = Vector<double>.Zero;
        for (int i = 0; i < x.Length; i += Vector<double>.Count)
        {
            var v = Load(x, i);
            acc += v * v;
        }
        return Vector.Sum(acc);
    }

    private static void Scale<T>(Span<T> x, double scale) where T : unmanaged, INumberBase<T>
    {
        var s = Splat<T>(scale);
        for (int i = 0; i < x.Length; i += Vector<T>.Count) Store(x, i, Load<T>(x, i) * s);
    }

    private static void Clamp<T>(Span<T> x, double c) where T : unmanaged, INumberBase<T>
    {
        var hi = Splat<T>(c);
        var lo = Splat<T>(-c);
        for (int i = 0; i < x.Length; i += Vector<T>.Count) Store(x, i, Vector.Min(Vector.Max(Load<T>(x, i), lo), hi));
    }
}
