using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>
/// Unpacked GEMM for tiny products and single rows (the batch-1 MLP): no packing, no threads.
/// Rows of C accumulate as axpys over rows of B, or as dot products when B is transposed.
/// </summary>
internal static unsafe class GemmSmall
{
    [ThreadStatic] private static PackBuffer? t_scratch;

    /// <summary>C = alpha·op(A)·op(B) + beta·C (see <see cref="Gemm"/>); requires m, n, k ≥ 1.</summary>
    /// <remarks>Always fully optimized, so that results never change when the method is recompiled.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T>(bool transA, bool transB, int m, int n, int k, T alpha,
        T* a, nint lda, T* b, nint ldb, T beta, T* c, nint ldc) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var buffer = t_scratch ??= new PackBuffer();
        T* scratch = (T*)buffer.Get((nint)sizeof(T) * Math.Max(n, k));
        T* sums = stackalloc T[4];
        for (int i = 0; i < m; i++)
        {
            T* ci = c + i * ldc;
            if (!transB)
            {
                // acc[0:n] = Σ_p A(i,p) · B[p, 0:n]
                new Span<T>(scratch, n).Clear();
                for (int p = 0; p < k; p++)
                {
                    T aip = transA ? a[p * lda + i] : a[i * lda + p];
                    Axpy(aip, b + p * ldb, scratch, n);
                }
                for (int j = 0; j < n; j++) ci[j] = Store(scratch[j], alpha, beta, ci[j]);
            }
            else
            {
                T* ai = a + i * lda;
                if (transA)
                {
                    for (int p = 0; p < k; p++) scratch[p] = a[p * lda + i];
                    ai = scratch;
                }
                if (m == 1 && (long)n * k >= ParallelDotWork && n >= 8 && Parallelism.MaxThreads > 1)
                {
                    // One row against a large B (a batch-1 Linear layer): the rows of B split between threads, so
                    // each core streams half the weights through its own cache. Every output is still one Dots call.
                    var job = DotsJob<T>.ForThisThread ??= new DotsJob<T>();
                    job.Set(ai, b, ldb, c, k, n, alpha, beta);
                    Parallelism.For(DotsJob<T>.Parts, job, static (jb, part) => jb.Run(part));
                    job.Set(null, null, 0, null, 0, 0, T.Zero, T.Zero);
                }
                else Dots(ai, b, ldb, ci, 0, n, k, alpha, beta, sums);
            }
        }
    }

    // Below this many multiply-adds a single row stays on the calling thread (handing half to a worker costs a few µs).
    private const long ParallelDotWork = 1L << 14;

    // C[j] = alpha · dot(a, B row j) + beta · C[j] for j in [j0, j1): four rows of B at a time (eight independent
    // accumulator chains instead of two), each row summed in exactly the order of Dot.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dots<T>(T* a, T* b, nint ldb, T* c, int j0, int j1, int k, T alpha, T beta, T* sums)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int j = j0;
        for (; j + 4 <= j1; j += 4)
        {
            Dot4(a, b + j * ldb, ldb, k, sums);
            for (int r = 0; r < 4; r++) c[j + r] = Store(sums[r], alpha, beta, c[j + r]);
        }
        for (; j < j1; j++) c[j] = Store(Dot(a, b + j * ldb, k), alpha, beta, c[j]);
    }

    // The state of a threaded single-row product; parts split the rows of B at multiples of four, so the grouping
    // into Dot4 calls (and every result) is the same whatever the thread count.
    private sealed class DotsJob<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public const int Parts = 2;
        [ThreadStatic] public static DotsJob<T>? ForThisThread;
        private T* _a, _b, _c;
        private nint _ldb;
        private int _k, _n;
        private T _alpha, _beta;

        public void Set(T* a, T* b, nint ldb, T* c, int k, int n, T alpha, T beta)
        {
            _a = a; _b = b; _ldb = ldb; _c = c; _k = k; _n = n; _alpha = alpha; _beta = beta;
        }

        public void Run(int part)
        {
            int split = _n / 8 * 4; // rows [0, split) and [split, n)
            T* sums = stackalloc T[4];
            if (part == 0) Dots(_a, _b, _ldb, _c, 0, split, _k, _alpha, _beta, sums);
            else Dots(_a, _b, _ldb, _c, split, _n, _k, _alpha, _beta, sums);
        }
    }

    private static T Store<T>(T acc, T alpha, T beta, T old) where T : unmanaged, IFloatingPointIeee754<T>
        => beta == T.Zero ? alpha * acc : alpha * acc + beta * old;

    // y[0:n] += s · x[0:n]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpy<T>(T s, T* x, T* y, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var vs = new Vector<T>(s);
            for (; j <= n - Vector<T>.Count; j += Vector<T>.Count)
            {
                var vy = Vector.Load(y + j);
                (vy + vs * Vector.Load(x + j)).Store(y + j);
            }
        }
        for (; j < n; j++) y[j] += s * x[j];
    }

    // Dot(x, y + r·ldy, k) for r = 0..3 into sums, each summed exactly as Dot sums it: two fused multiply-add chains
    // per row (a last single vector into the first), their sum reduced across lanes by the pairwise tree of LaneSums,
    // then the scalar tail.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Dot4<T>(T* x, T* y, nint ldy, int k, T* sums) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector<T>.Count;
        if (!Vector.IsHardwareAccelerated || k < 2 * w)
        {
            for (int r = 0; r < 4; r++) sums[r] = Dot(x, y + r * ldy, k);
            return;
        }
        T* y0 = y, y1 = y + ldy, y2 = y + 2 * ldy, y3 = y + 3 * ldy;
        Vector<T> a0 = Vector<T>.Zero, a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        int p = 0;
        for (; p <= k - 2 * w; p += 2 * w)
        {
            var xv0 = Vector.Load(x + p);
            var xv1 = Vector.Load(x + p + w);
            a0 = MulAdd(xv0, Vector.Load(y0 + p), a0); a1 = MulAdd(xv1, Vector.Load(y0 + p + w), a1);
            b0 = MulAdd(xv0, Vector.Load(y1 + p), b0); b1 = MulAdd(xv1, Vector.Load(y1 + p + w), b1);
            c0 = MulAdd(xv0, Vector.Load(y2 + p), c0); c1 = MulAdd(xv1, Vector.Load(y2 + p + w), c1);
            d0 = MulAdd(xv0, Vector.Load(y3 + p), d0); d1 = MulAdd(xv1, Vector.Load(y3 + p + w), d1);
        }
        if (p <= k - w)
        {
            var xv = Vector.Load(x + p);
            a0 = MulAdd(xv, Vector.Load(y0 + p), a0); b0 = MulAdd(xv, Vector.Load(y1 + p), b0);
            c0 = MulAdd(xv, Vector.Load(y2 + p), c0); d0 = MulAdd(xv, Vector.Load(y3 + p), d0);
            p += w;
        }
        LaneSums.Four(a0 + a1, b0 + b1, c0 + c1, d0 + d1, sums);
        if (p < k)
            for (int r = 0; r < 4; r++) sums[r] = Tail(sums[r], x, y + r * ldy, p, k);
    }

    // a·b + c, fused where the hardware has FMA (FMA3, NEON): one instruction instead of two per element, and one
    // rounding. Callers are AggressiveOptimization, so tier-0 code never computes it unfused.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> MulAdd<T>(Vector<T> a, Vector<T> b, Vector<T> c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
            return Vector.MultiplyAddEstimate(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector.MultiplyAddEstimate(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        return a * b + c;
    }

    // s + x[p..k)·y[p..k), in order: the end of Dot.
    private static T Tail<T>(T s, T* x, T* y, int p, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (; p < k; p++) s += x[p] * y[p];
        return s;
    }

    // Σ_p x[p] · y[p], in a fixed order (two fused multiply-add chains, a last single vector into the first, their
    // lanes summed by LaneSums' pairwise tree, then the tail).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T Dot<T>(T* x, T* y, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int p = 0;
        T sum = T.Zero;
        if (Vector.IsHardwareAccelerated && k >= 2 * Vector<T>.Count)
        {
            int w = Vector<T>.Count;
            Vector<T> s0 = Vector<T>.Zero, s1 = Vector<T>.Zero;
            for (; p <= k - 2 * w; p += 2 * w)
            {
                s0 = MulAdd(Vector.Load(x + p), Vector.Load(y + p), s0);
                s1 = MulAdd(Vector.Load(x + p + w), Vector.Load(y + p + w), s1);
            }
            if (p <= k - w)
            {
                s0 = MulAdd(Vector.Load(x + p), Vector.Load(y + p), s0);
                p += w;
            }
            sum = LaneSums.One(s0 + s1);
        }
        return Tail(sum, x, y, p, k);
    }
}
