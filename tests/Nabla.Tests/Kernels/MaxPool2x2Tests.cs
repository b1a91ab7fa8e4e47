using Nabla.Kernels;
using Xunit;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The AVX2 2×2/stride-2 max pool (<see cref="MaxPool2x2Avx2"/>) gives bit-for-bit the scalar loop's results, on
/// inputs full of ties and NaNs where the first-maximum and first-NaN rules decide, forward and backward.
/// </summary>
[Collection(SimdLevelCollection.Name)]
public class MaxPool2x2Tests
{
    [Theory]
    [InlineData(9, 37)]
    [InlineData(28, 28)]
    [InlineData(4, 33)]
    [InlineData(10, 10)] // LeNet's second pool: 5 outputs a row, all in the masked tail
    [InlineData(3, 3)]
    public void VectorPathEqualsScalarPathWithTiesAndNaNs(int h, int w)
    {
        var g = new Pool2dGeometry(2, 3, h, w, 2, 2, 2, 2);
        var r = new Random(h * 100 + w);
        // Few distinct values (many ties), about one NaN in twelve.
        float[] x = Enumerable.Range(0, g.InputLength).Select(_ => r.Next(12) == 0 ? float.NaN : r.Next(3)).ToArray();
        float[] dy = Enumerable.Range(0, g.OutputLength).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray();
        float[] dx0 = Enumerable.Range(0, g.InputLength).Select(_ => (float)r.NextDouble()).ToArray();

        (float[] Y, int[] Arg, float[] Dx, float[] DxAcc) Run(int level)
        {
            using var _ = K.AtLevel(level);
            var y = new float[g.OutputLength];
            var arg = new int[g.OutputLength];
            Pooling.MaxPool2dForward<float>(g, x, y, arg);
            var dx = Enumerable.Repeat(float.NaN, g.InputLength).ToArray();
            Pooling.MaxPool2dBackward<float>(g, dy, arg, dx, accumulate: false);
            var dxAcc = (float[])dx0.Clone();
            Pooling.MaxPool2dBackward<float>(g, dy, arg, dxAcc, accumulate: true);
            return (y, arg, dx, dxAcc);
        }

        var scalar = Run(0);
        var vector = Run(2);
        Assert.Equal(scalar.Arg, vector.Arg);
        Assert.Equal(scalar.Y, vector.Y);
        Assert.Equal(scalar.Dx, vector.Dx);
        Assert.Equal(scalar.DxAcc, vector.DxAcc);

        // And the rule itself, on the scalar result: each window's first NaN, else its first maximum.
        for (int plane = 0; plane < 6; plane++)
            for (int oh = 0; oh < g.OutHeight; oh++)
                for (int ow = 0; ow < g.OutWidth; ow++)
                {
                    int[] cells = [2 * oh * w + 2 * ow, 2 * oh * w + 2 * ow + 1, (2 * oh + 1) * w + 2 * ow, (2 * oh + 1) * w + 2 * ow + 1];
                    var v = cells.Select(c => x[plane * h * w + c]).ToArray();
                    int expected = Array.FindIndex(v, float.IsNaN);
                    if (expected < 0) expected = Array.IndexOf(v, v.Max());
                    Assert.Equal(cells[expected], scalar.Arg[(plane * g.OutHeight + oh) * g.OutWidth + ow]);
                }
        // Input gradients outside every window (odd last row or column) are 0 when overwriting.
        if (w % 2 == 1) Assert.Equal(0f, vector.Dx[w - 1]);
    }
}
