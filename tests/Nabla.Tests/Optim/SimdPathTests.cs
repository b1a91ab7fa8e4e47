using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.Optim.OptimTestUtil;

namespace Nabla.Tests.Optim;

/// <summary>
/// The update rules run as SIMD loops with a padded tail. Each element's update depends only on that element, so a
/// 37-element parameter (whole vectors and a tail) must match, bit for bit, 37 one-element parameters updated alone
/// (pure tail path); and the Float32 path must match the Float64 one to float precision.
/// </summary>
public class SimdPathTests
{
    private static double Grad(int i, int step, double theta) => (i % 7 - 3) * 0.3 + theta * (1 + i % 3) + 0.1 * step;

    public static TheoryData<string> Names() => [.. All().Select(o => o.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void VectorLanesMatchScalarTails(string name)
    {
        var create = All().Single(o => o.Name == name).Create;
        var init = Enumerable.Range(0, 37).Select(i => Math.Sin(i) * 2).ToArray();
        var big = Param(init);
        var singles = init.Select(v => Param(v)).ToArray();
        var optBig = create([big], 0.05);
        optBig.WeightDecay = 0.1;
        optBig.L1 = 0.01;
        var optSingles = singles.Select(s => { var o = create([s], 0.05); o.WeightDecay = 0.1; o.L1 = 0.01; return o; }).ToArray();
        for (int step = 0; step < 3; step++)
        {
            var v = Values(big);
            SetGrad(big, [.. v.Select((t, i) => Grad(i, step, t))]);
            optBig.Step();
            for (int i = 0; i < 37; i++)
            {
                SetGrad(singles[i], Grad(i, step, Values(singles[i])[0]));
                optSingles[i].Step();
            }
        }
        var result = Values(big);
        for (int i = 0; i < 37; i++) Assert.Equal(Values(singles[i])[0], result[i]);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Float32MatchesFloat64(string name)
    {
        var create = All().Single(o => o.Name == name).Create;
        var init = Enumerable.Range(0, 37).Select(i => Math.Cos(i)).ToArray();
        var p64 = Param(init);
        var p32 = new Parameter(Tensor.FromArray(init).ToDType(DType.Float32));
        var o64 = create([p64], 0.01);
        var o32 = create([p32], 0.01);
        for (int step = 0; step < 3; step++)
        {
            var v = Values(p64);
            var g = v.Select((t, i) => Grad(i, step, t)).ToArray();
            SetGrad(p64, g);
            SetGrad(p32, g);
            o64.Step();
            o32.Step();
        }
        var a = Values(p64);
        var b = p32.Data.ToDoubleArray();
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) < 1e-5, $"{name} element {i}: {a[i]} vs {b[i]}");
    }
}
