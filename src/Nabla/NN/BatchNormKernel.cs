using System.Numerics;

namespace Nabla.NN;

/// <summary>
/// Batch-normalization forward and backward over spans, for an input viewed as [N, C, S] (S = 1 for [N, C],
/// L for [N, C, L], H·W for [N, C, H, W]); statistics are per channel c over the M = N·S values. Sums run in double.
/// </summary>
internal static class BatchNormKernel
{
    /// <summary>Per-channel mean and biased variance of x (N, C, S).</summary>
    public static void Statistics<T>(ReadOnlySpan<T> x, int n, int c, int s, Span<double> mean, Span<double> variance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double m = (double)n * s;
        for (int ch = 0; ch < c; ch++)
        {
            double sum = 0;
            for (int b = 0; b < n; b++)
                foreach (var v in x.Slice((b * c + ch) * s, s)) sum += double.CreateTruncating(v);
            double mu = sum / m, sq = 0;
            for (int b = 0; b < n; b++)
                foreach (var v in x.Slice((b * c + ch) * s, s)) { double d = double.CreateTruncating(v) - mu; sq += d * d; }
            mean[ch] = mu;
            variance[ch] = sq / m; // two passes: no cancellation for large means
        }
    }

    /// <summary>y = γ·(x − μ)·invStd + β per channel.</summary>
    public static void Normalize<T>(ReadOnlySpan<T> x, Span<T> y, int n, int c, int s,
        ReadOnlySpan<double> mean, ReadOnlySpan<double> invStd, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int ch = 0; ch < c; ch++)
        {
            // y = a·x + b with a = γ·invStd, b = β − a·μ.
            double a = double.CreateTruncating(gamma[ch]) * invStd[ch];
            double bias = double.CreateTruncating(beta[ch]) - a * mean[ch];
            for (int b = 0; b < n; b++)
            {
                int o = (b * c + ch) * s;
                for (int i = 0; i < s; i++) y[o + i] = T.CreateTruncating(a * double.CreateTruncating(x[o + i]) + bias);
            }
        }
    }

    /// <summary>
    /// Gradients from dy. With x̂ = (x − μ)·invStd: dβ = Σ dy, dγ = Σ dy·x̂, and
    /// dx = γ·invStd/M · (M·dy − Σ dy − x̂·Σ dy·x̂) when μ and σ² are the batch's own statistics (they depend on x),
    /// or dx = γ·invStd·dy when they are fixed running statistics (evaluation).
    /// </summary>
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, int n, int c, int s,
        ReadOnlySpan<double> mean, ReadOnlySpan<double> invStd, ReadOnlySpan<T> gamma, bool batchStatistics,
        Span<T> dx, Span<T> dGamma, Span<T> dBeta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double m = (double)n * s;
        for (int ch = 0; ch < c; ch++)
        {
            double mu = mean[ch], inv = invStd[ch], sumG = 0, sumGX = 0;
            for (int b = 0; b < n; b++)
            {
                int o = (b * c + ch) * s;
                for (int i = 0; i < s; i++)
                {
                    double g = double.CreateTruncating(dy[o + i]);
                    sumG += g;
                    sumGX += g * (double.CreateTruncating(x[o + i]) - mu) * inv;
                }
            }
            if (!dGamma.IsEmpty) dGamma[ch] = T.CreateTruncating(sumGX);
            if (!dBeta.IsEmpty) dBeta[ch] = T.CreateTruncating(sumG);
            if (dx.IsEmpty) continue;
            double scale = double.CreateTruncating(gamma[ch]) * inv;
            for (int b = 0; b < n; b++)
            {
                int o = (b * c + ch) * s;
                for (int i = 0; i < s; i++)
                {
                    double g = double.CreateTruncating(dy[o + i]);
                    if (batchStatistics)
                    {
                        double xh = (double.CreateTruncating(x[o + i]) - mu) * inv;
                        g = (m * g - sumG - xh * sumGX) / m;
                    }
                    dx[o + i] = T.CreateTruncating(scale * g);
                }
            }
        }
    }
}
