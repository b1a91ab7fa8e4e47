using Nabla.Kernels;
using Xunit;

namespace Nabla.Tests.Kernels;

[Collection(SimdLevelCollection.Name)]
public class SoftmaxTests
{
    public static TheoryData<int> Levels => K.Levels();

    private static double[] RefSoftmax(ReadOnlySpan<float> row)
    {
        double m = double.NegativeInfinity;
        foreach (float v in row) m = Math.Max(m, v);
        double[] e = new double[row.Length];
        double s = 0;
        for (int i = 0; i < row.Length; i++) s += e[i] = Math.Exp(row[i] - m);
        for (int i = 0; i < row.Length; i++) e[i] /= s;
        return e;
    }

    [Theory, MemberData(nameof(Levels))]
    public void HugeLogitsGiveExactFiniteResults(int level)
    {
        using var _ = K.AtLevel(level);
        float[] x = [1000, 0, -1000];
        float[] y = new float[3];
        Softmax.Forward(x, y, 1, 3);
        Assert.Equal([1f, 0f, 0f], y);
        Softmax.LogForward(x, y, 1, 3);
        Assert.Equal([0f, -1000f, -2000f], y);
        double[] yd = new double[3];
        Softmax.Forward([1000.0, 0, -1000], yd, 1, 3);
        Assert.Equal([1.0, 0, 0], yd);
        Softmax.LogForward([1000.0, 0, -1000], yd, 1, 3);
        Assert.Equal([0.0, -1000, -2000], yd);
        Softmax.Forward([1000f, 1000f, -1000f], y, 1, 3);
        Assert.Equal([0.5f, 0.5f, 0f], y);
        Softmax.Forward([-1000f, -1000f], y.AsSpan(0, 2), 1, 2);
        Assert.Equal([0.5f, 0.5f], y[..2]);
    }

    [Theory, MemberData(nameof(Levels))]
    public void ForwardMatchesReferenceAndInPlaceAgrees(int level)
    {
        using var _ = K.AtLevel(level);
        foreach (var (rows, cols) in new[] { (0, 4), (1, 1), (3, 5), (4, 67), (2, 3000) })
        {
            float[] x = K.Uniform(rows * cols, 3, -30, 30);
            float[] y = new float[x.Length], ly = new float[x.Length];
            Softmax.Forward(x, y, rows, cols);
            Softmax.LogForward(x, ly, rows, cols);
            for (int r = 0; r < rows; r++)
            {
                // float rounds x − max (up to 60 here: half an ulp is 1.9e-6), so a relative 5e-6
                double[] p = RefSoftmax(x.AsSpan(r * cols, cols));
                K.Close(y.AsSpan(r * cols, cols), p, 5e-6, 1e-30, $"softmax {rows}x{cols}");
                K.Close(ly.AsSpan(r * cols, cols), Array.ConvertAll(p, Math.Log), 1e-6, 1e-5, $"log-softmax {rows}x{cols}");
                Assert.Equal(1.0, y.AsSpan(r * cols, cols).ToArray().Sum(v => (double)v), 1e-5);
            }
            float[] inPlace = (float[])x.Clone();
            Softmax.Forward(inPlace, inPlace, rows, cols);
            Assert.Equal(y, inPlace);
            inPlace = (float[])x.Clone();
            Softmax.LogForward(inPlace, inPlace, rows, cols);
            K.Close(inPlace, K.ToDouble(ly), 1e-6, 1e-6, "in-place log-softmax");
        }
    }

    [Theory, MemberData(nameof(Levels))]
    public void BackwardsPassGradientCheckAndFloatMatchesDouble(int level)
    {
        const int rows = 3, cols = 7;
        double[] x = K.ToDouble(K.Uniform(rows * cols, 4, -3, 3)), w = K.ToDouble(K.Uniform(rows * cols, 5, -1, 1));
        double[] dx0 = K.ToDouble(K.Uniform(rows * cols, 6, -1, 1));
        // loss = Σ w ⊙ f(x), so dy = w; check dx − dx0 against central differences of the loss.
        foreach (bool log in new[] { false, true })
        {
            double Loss(double[] v)
            {
                double[] y = new double[v.Length];
                if (log) Softmax.LogForward(v, y, rows, cols); else Softmax.Forward(v, y, rows, cols);
                return y.Zip(w, (a, b) => a * b).Sum();
            }
            double[] yd = new double[x.Length], dx = (double[])dx0.Clone();
            if (log) { Softmax.LogForward(x, yd, rows, cols); Softmax.LogBackward(yd, w, dx, rows, cols); }
            else { Softmax.Forward(x, yd, rows, cols); Softmax.Backward(yd, w, dx, rows, cols); }
            double[] expected = new double[x.Length];
            for (int i = 0; i < x.Length; i++)
            {
                double[] p = (double[])x.Clone(), m = (double[])x.Clone();
                p[i] += 1e-6; m[i] -= 1e-6;
                expected[i] = dx0[i] + (Loss(p) - Loss(m)) / 2e-6;
            }
            K.Close(dx, expected, 1e-6, 1e-8, log ? "log-softmax gradient check" : "softmax gradient check");

            using var _ = K.AtLevel(level);
            foreach (var (r, c) in new[] { (1, 1), (2, 9), (3, 67), (1, 2000) })
            {
                float[] xf = K.Uniform(r * c, 7, -5, 5), dyf = K.Uniform(r * c, 8, -1, 1), dxf = K.Uniform(r * c, 9, -1, 1);
                float[] yf = new float[r * c];
                if (log) Softmax.LogForward(xf, yf, r, c); else Softmax.Forward(xf, yf, r, c);
                double[] dxd = K.ToDouble(dxf);
                if (log) { Softmax.LogBackward(yf, dyf, dxf, r, c); Softmax.LogBackward(K.ToDouble(yf), K.ToDouble(dyf), dxd, r, c); }
                else { Softmax.Backward(yf, dyf, dxf, r, c); Softmax.Backward(K.ToDouble(yf), K.ToDouble(dyf), dxd, r, c); }
                K.Close(dxf, dxd, 1e-5, 1e-5, $"{(log ? "log-" : "")}softmax backward float {r}x{c}");
            }
        }
    }
}
