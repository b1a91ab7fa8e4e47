using System.Numerics;
using Nabla.Kernels;

namespace Nabla.NN;

/// <summary>
/// Batch-normalization forward and backward over spans, for an input viewed as [N, C, S] (S = 1 for [N, C],
/// L for [N, C, L], H·W for [N, C, H, W]); statistics are per channel c over the M = N·S values.
/// </summary>
/// <remarks>
/// Each (sample, channel) plane of S values is summed in SIMD vectors of T, and the planes' sums are added in double;
/// the elementwise passes are one multiply-add per vector. Channels are spread over the kernel threads, each channel
/// wholly on one thread in a fixed order, so results do not depend on the thread count.
/// </remarks>
internal static class BatchNormKernel
{
    /// <summary>Per-channel mean and biased variance of x (N, C, S), in two passes (no cancellation for large means).</summary>
    public static unsafe void Statistics<T>(ReadOnlySpan<T> x, int n, int c, int s, Span<double> mean, Span<double> variance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* px = x)
        {
            var job = new Job<T>(px, null, null, n, c, s) { Mean = new double[c], Variance = new double[c] };
            Parallelism.For(c, (long)n * s, ch => job.Statistics(ch));
            job.Mean.CopyTo(mean);
            job.Variance.CopyTo(variance);
        }
    }

    /// <summary>y = γ·(x − μ)·invStd + β per channel.</summary>
    public static unsafe void Normalize<T>(ReadOnlySpan<T> x, Span<T> y, int n, int c, int s,
        ReadOnlySpan<double> mean, ReadOnlySpan<double> invStd, ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // y = a·x + b with a = γ·invStd, b = β − a·μ.
        var a = new T[c];
        var b = new T[c];
        for (int ch = 0; ch < c; ch++)
        {
            double scale = double.CreateTruncating(gamma[ch]) * invStd[ch];
            a[ch] = T.CreateTruncating(scale);
            b[ch] = T.CreateTruncating(double.CreateTruncating(beta[ch]) - scale * mean[ch]);
        }
        fixed (T* px = x, py = y)
        {
            var job = new Job<T>(px, py, null, n, c, s);
            Parallelism.For(c, (long)n * s, ch => job.Affine(ch, a[ch], T.Zero, b[ch], accumulate: false));
        }
    }

    /// <summary>
    /// Gradients from dy. With x̂ = (x − μ)·invStd: dβ = Σ dy, dγ = Σ dy·x̂, and
    /// dx = γ·invStd/M · (M·dy − Σ dy − x̂·Σ dy·x̂) when μ and σ² are the batch's own statistics (they depend on x),
    /// or dx = γ·invStd·dy when they are fixed running statistics (evaluation). dx is written, or added to when
    /// <paramref name="accumulate"/> is true; it may be empty (no input gradient wanted).
    /// </summary>
    public static unsafe void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, int n, int c, int s,
        ReadOnlySpan<double> mean, ReadOnlySpan<double> invStd, ReadOnlySpan<T> gamma, bool batchStatistics,
        Span<T> dx, Span<T> dGamma, Span<T> dBeta, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double m = (double)n * s;
        var sumG = new double[c];
        var sumGX = new double[c];
        fixed (T* px = x, pdy = dy)
        {
            var sums = new Job<T>(px, null, pdy, n, c, s) { Mean = mean.ToArray(), Variance = sumG, Extra = sumGX };
            Parallelism.For(c, (long)n * s, ch => sums.GradientSums(ch));
        }
        var a = new T[c];
        var bx = new T[c];
        var b = new T[c];
        for (int ch = 0; ch < c; ch++)
        {
            double inv = invStd[ch], mu = mean[ch], dGammaCh = sumGX[ch] * inv; // Σ dy·(x − μ)·invStd
            if (!dGamma.IsEmpty) dGamma[ch] = T.CreateTruncating(dGammaCh);
            if (!dBeta.IsEmpty) dBeta[ch] = T.CreateTruncating(sumG[ch]);
            // dx = A·dy + B·x + C: A = γ·invStd; with batch statistics B = −A·invStd·dγ/M, C = −A·Σdy/M − B·μ.
            double scale = double.CreateTruncating(gamma[ch]) * inv;
            double slope = batchStatistics ? -scale * inv * dGammaCh / m : 0;
            double shift = batchStatistics ? -scale * sumG[ch] / m - slope * mu : 0;
            a[ch] = T.CreateTruncating(scale);
            bx[ch] = T.CreateTruncating(slope);
            b[ch] = T.CreateTruncating(shift);
        }
        if (dx.IsEmpty) return;
        fixed (T* px = x, pdy = dy, pdx = dx)
        {
            var job = new Job<T>(pdy, pdx, px, n, c, s);
            Parallelism.For(c, (long)n * s, ch => job.Affine(ch, a[ch], bx[ch], b[ch], accumulate));
        }
    }

    /// <summary>
    /// One call's pinned spans as pointers (the closures that spread channels over threads cannot capture spans):
    /// every public method above pins them and runs its job to the end inside the pin.
    /// </summary>
    private sealed unsafe class Job<T>(T* src, T* dst, T* other, int n, int c, int s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T* _src = src, _dst = dst, _other = other;
        public double[] Mean = [], Variance = [], Extra = [];

        private T* Plane(T* p, int b, int ch) => p + ((long)b * c + ch) * s;

        // Mean and biased variance of channel ch of src.
        public void Statistics(int ch)
        {
            double sum = 0;
            for (int b = 0; b < n; b++) sum += Sum(Plane(_src, b, ch), s);
            double mu = sum / ((double)n * s), sq = 0;
            T muT = T.CreateTruncating(mu);
            for (int b = 0; b < n; b++) sq += SumSquaredDeviations(Plane(_src, b, ch), s, muT);
            Mean[ch] = mu;
            Variance[ch] = sq / ((double)n * s);
        }

        // Σ dy and Σ dy·(x − μ) of channel ch (src = x, other = dy), into Variance and Extra.
        public void GradientSums(int ch)
        {
            double sumG = 0, sumGX = 0;
            T mu = T.CreateTruncating(Mean[ch]);
            for (int b = 0; b < n; b++)
            {
                var (g, gx) = SumProducts(Plane(_other, b, ch), Plane(_src, b, ch), s, mu);
                sumG += g;
                sumGX += gx;
            }
            Variance[ch] = sumG;
            Extra[ch] = sumGX;
        }

        // dst = a·src + bx·other + b over channel ch (other only when bx ≠ 0), or dst += that.
        public void Affine(int ch, T a, T bx, T bias, bool accumulate)
        {
            bool two = bx != T.Zero;
            for (int b = 0; b < n; b++)
            {
                T* x = Plane(_src, b, ch), y = Plane(_dst, b, ch), z = two ? Plane(_other, b, ch) : null;
                int i = 0, w = Vector<T>.Count;
                if (Vector.IsHardwareAccelerated)
                {
                    var va = new Vector<T>(a);
                    var vbx = new Vector<T>(bx);
                    var vb = new Vector<T>(bias);
                    for (; i <= s - w; i += w)
                    {
                        var v = va * Vector.Load(x + i) + vb;
                        if (two) v += vbx * Vector.Load(z + i);
                        if (accumulate) v += Vector.Load(y + i);
                        v.Store(y + i);
                    }
                }
                for (; i < s; i++)
                {
                    T v = a * x[i] + bias;
                    if (two) v += bx * z[i];
                    y[i] = accumulate ? y[i] + v : v;
                }
            }
        }

        private static double Sum(T* p, int len)
        {
            int i = 0, w = Vector<T>.Count;
            T tail = T.Zero;
            var acc0 = Vector<T>.Zero;
            var acc1 = Vector<T>.Zero;
            if (Vector.IsHardwareAccelerated)
            {
                for (; i <= len - 2 * w; i += 2 * w)
                {
                    acc0 += Vector.Load(p + i);
                    acc1 += Vector.Load(p + i + w);
                }
            }
            for (; i < len; i++) tail += p[i];
            return double.CreateTruncating(Vector.Sum(acc0 + acc1)) + double.CreateTruncating(tail);
        }

        private static double SumSquaredDeviations(T* p, int len, T mu)
        {
            int i = 0, w = Vector<T>.Count;
            T tail = T.Zero;
            var acc = Vector<T>.Zero;
            if (Vector.IsHardwareAccelerated)
            {
                var vmu = new Vector<T>(mu);
                for (; i <= len - w; i += w)
                {
                    var d = Vector.Load(p + i) - vmu;
                    acc += d * d;
                }
            }
            for (; i < len; i++) { T d = p[i] - mu; tail += d * d; }
            return double.CreateTruncating(Vector.Sum(acc)) + double.CreateTruncating(tail);
        }

        // (Σ g, Σ g·(x − μ)) over one plane.
        private static (double G, double GX) SumProducts(T* g, T* x, int len, T mu)
        {
            int i = 0, w = Vector<T>.Count;
            T tailG = T.Zero, tailGX = T.Zero;
            var accG = Vector<T>.Zero;
            var accGX = Vector<T>.Zero;
            if (Vector.IsHardwareAccelerated)
            {
                var vmu = new Vector<T>(mu);
                for (; i <= len - w; i += w)
                {
                    var vg = Vector.Load(g + i);
                    accG += vg;
                    accGX += vg * (Vector.Load(x + i) - vmu);
                }
            }
            for (; i < len; i++) { tailG += g[i]; tailGX += g[i] * (x[i] - mu); }
            return (double.CreateTruncating(Vector.Sum(accG)) + double.CreateTruncating(tailG),
                double.CreateTruncating(Vector.Sum(accGX)) + double.CreateTruncating(tailGX));
        }
    }
}
