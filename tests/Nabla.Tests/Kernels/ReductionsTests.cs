using Nabla.Kernels;
using Xunit;

namespace Nabla.Tests.Kernels;

[Collection(SimdLevelCollection.Name)]
public class ReductionsTests
{
    public static TheoryData<int> Levels => K.Levels();

    private static double ExactSum(IEnumerable<double> terms)
    {
        // Neumaier-compensated double sum: exact enough to judge a float sum.
        double s = 0, c = 0;
        foreach (double t in terms)
        {
            double u = s + t;
            c += Math.Abs(s) >= Math.Abs(t) ? (s - u) + t : (t - u) + s;
            s = u;
        }
        return s + c;
    }

    [Theory, MemberData(nameof(Levels))]
    public void SumsMatchExactSumsOnEveryLength(int level)
    {
        using var _ = K.AtLevel(level);
        foreach (int n in K.Lengths.Append(30_011))
        {
            float[] a = K.Uniform(n, 1, -1, 3), b = K.Uniform(n, 2, -2, 2);
            double scale = ExactSum(a.Select(v => (double)Math.Abs(v))) + 1e-30;
            // pairwise summation: error ≲ (log2(n/1024) + 32) ulp of Σ|x|; 1e-6 relative to Σ|x| is ample and catches any wrong element
            Assert.True(Math.Abs(Reductions.Sum(a) - ExactSum(a.Select(v => (double)v))) <= 1e-6 * scale, $"Sum n={n}");
            double sq = ExactSum(a.Select(v => (double)v * v));
            Assert.True(Math.Abs(Reductions.SumOfSquares(a) - sq) <= 1e-6 * sq + 1e-30, $"SumOfSquares n={n}");
            double dotScale = ExactSum(a.Zip(b, (x, y) => Math.Abs((double)x * y))) + 1e-30;
            Assert.True(Math.Abs(Reductions.Dot(a, b) - ExactSum(a.Zip(b, (x, y) => (double)x * y))) <= 1e-6 * dotScale, $"Dot n={n}");

            double[] ad = K.ToDouble(a), bd = K.ToDouble(b);
            Assert.True(Math.Abs(Reductions.Sum(ad) - ExactSum(ad)) <= 1e-14 * scale, $"Sum double n={n}");
            Assert.True(Math.Abs(Reductions.Dot(ad, bd) - ExactSum(ad.Zip(bd, (x, y) => x * y))) <= 1e-14 * dotScale, $"Dot double n={n}");

            if (n == 0)
            {
                Assert.Throws<ArgumentException>(() => Reductions.Max(a));
                continue;
            }
            Assert.Equal(a.Max(), Reductions.Max(a));
            Assert.Equal(a.Min(), Reductions.Min(a));
            Assert.Equal(Array.IndexOf(a, a.Max()), Reductions.ArgMax(a));
            Assert.Equal(ad.Max(), Reductions.Max(ad));
            Assert.Equal(Array.IndexOf(ad, ad.Max()), Reductions.ArgMax(ad));
        }
    }

    [Fact]
    public void FloatSumIsAccurateAndDeterministicOnAMillionElements()
    {
        // 1,000,000 copies of 0.1f: a naive float loop drifts by about 1%; pairwise must be within 1e-6.
        float[] x = Enumerable.Repeat(0.1f, 1_000_000).ToArray();
        double exact = 1_000_000 * (double)0.1f;
        foreach (int level in K.LevelInts())
        {
            using var _ = K.AtLevel(level);
            float s = Reductions.Sum(x);
            Assert.True(Math.Abs(s - exact) <= 1e-6 * exact, $"level {level}: {s} vs {exact}");
            Assert.Equal(s, Reductions.Sum(x));
        }
    }

    [Fact]
    public void MaxAndArgMaxPropagateNaNAndPickTheFirstMaximum()
    {
        foreach (int level in K.LevelInts())
        {
            using var _ = K.AtLevel(level);
            float[] x = new float[37];
            x[5] = 3; x[20] = 3;
            Assert.Equal(5, Reductions.ArgMax(x));
            x[30] = float.NaN; x[33] = float.NaN;
            Assert.True(float.IsNaN(Reductions.Max(x)));
            Assert.True(float.IsNaN(Reductions.Min(x)));
            Assert.Equal(30, Reductions.ArgMax(x));
            float[] neg = [-5, -1, -3, -1, -7, -2, -9, -8, -1.5f];
            Assert.Equal(1, Reductions.ArgMax(neg));
            Assert.Equal(-9, Reductions.Min(neg));
        }
    }

    [Theory, MemberData(nameof(Levels))]
    public void RowReductionsMatchPerRowResults(int level)
    {
        using var _ = K.AtLevel(level);
        foreach (var (rows, cols) in new[] { (0, 3), (1, 1), (4, 7), (9, 67), (3, 1030) })
        {
            float[] x = K.Uniform(rows * cols, 9, -5, 5);
            float[] sums = new float[rows], maxes = new float[rows];
            int[] idx = new int[rows];
            Reductions.SumRows(x, sums, rows, cols);
            Reductions.MaxRows(x, maxes, rows, cols);
            Reductions.ArgMaxRows(x, idx, rows, cols);
            for (int r = 0; r < rows; r++)
            {
                float[] row = x[(r * cols)..((r + 1) * cols)];
                Assert.Equal(Reductions.Sum(row), sums[r]);
                Assert.Equal(row.Max(), maxes[r]);
                Assert.Equal(Array.IndexOf(row, row.Max()), idx[r]);
            }
            double[] xd = K.ToDouble(x), sd = new double[rows];
            Reductions.SumRows(xd, sd, rows, cols);
            for (int r = 0; r < rows; r++) Assert.Equal(ExactSum(xd[(r * cols)..((r + 1) * cols)]), sd[r], 1e-12);
        }
        Assert.Throws<ArgumentException>(() => Reductions.SumRows(new float[6], new float[3], 2, 3));
    }
}
