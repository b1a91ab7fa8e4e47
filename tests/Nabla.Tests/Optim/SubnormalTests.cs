using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.Optim.OptimTestUtil;

namespace Nabla.Tests.Optim;

/// <summary>
/// A moment whose gradient has gone to zero decays by β at every step. In float32 it would sink into the subnormal
/// range and stay there (round to nearest keeps β·s at the smallest subnormals), where arithmetic is slow; optimizers
/// store such moments as 0 instead. That must change no weight: float32 training matches float64 training, which has
/// no subnormals in that range.
/// </summary>
public class SubnormalTests
{
    public static TheoryData<string> Names() => [.. All().Select(o => o.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void DecayedStateIsNeverSubnormalAndWeightsMatchFloat64(string name)
    {
        var create = All().Single(o => o.Name == name).Create;
        var init = Enumerable.Range(0, 37).Select(i => 0.5 + 0.01 * i).ToArray();
        var p32 = new Parameter(Tensor.FromArray(init).ToDType(DType.Float32));
        var p64 = Param(init);
        var o32 = create([p32], 0.01);
        var o64 = create([p64], 0.01);
        // One step with a gradient, then 1,500 without: 0.9^1500 is about 1e-69, far below float's smallest normal.
        for (int step = 0; step < 1501; step++)
        {
            var g = Enumerable.Range(0, 37).Select(i => step == 0 ? 1e-3 * (i + 1) : 0.0).ToArray();
            SetGrad(p32, g);
            SetGrad(p64, g);
            o32.Step();
            o64.Step();
        }
        foreach (var (key, state) in o32.StateDict().Tensors)
        {
            if (state.DType != DType.Float32) continue;
            var values = state.ToArray();
            int subnormal = values.Count(float.IsSubnormal);
            Assert.True(subnormal == 0, $"{name}: {subnormal} of {values.Length} elements of {key} are subnormal");
        }
        AssertValues(Values(p64), p32, tol: 1e-6);
    }

    [Fact]
    public void AdamFirstMomentGoesToExactlyZero()
    {
        var p = new Parameter(Tensor.FromArray(new[] { 1.0, 2.0, 3.0 }).ToDType(DType.Float32));
        var adam = new Adam([p], 0.01);
        SetGrad(p, 1, 1, 1);
        adam.Step();
        for (int step = 0; step < 1000; step++)
        {
            SetGrad(p, 0, 0, 0);
            adam.Step();
        }
        var s = adam.StateDict().Tensors.Single(kv => kv.Key.EndsWith("/s", StringComparison.Ordinal)).Value.ToArray();
        // 0.1 · 0.9^1000 ≈ 2e-47 is below even the smallest subnormal's half, but without the flush the moment sticks at
        // a few smallest subnormals (β·s rounds back up); the second moment (0.999^1000 · 0.001) is still normal.
        Assert.Equal(new float[] { 0, 0, 0 }, s);
        var r = adam.StateDict().Tensors.Single(kv => kv.Key.EndsWith("/r", StringComparison.Ordinal)).Value.ToArray();
        Assert.All(r, v => Assert.InRange(v, 3.6e-4f, 3.8e-4f));
    }
}
