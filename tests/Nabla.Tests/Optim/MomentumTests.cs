using Nabla.Optim;
using Xunit;
using static Nabla.Tests.Optim.OptimTestUtil;

namespace Nabla.Tests.Optim;

/// <summary>
/// The lectures' exercise: gradient descent against momentum 0.5 and 0.9 on the ill-conditioned quadratic
/// f = ½(x² + 50y²) from (10, 1).
/// </summary>
public class MomentumTests
{
    private static readonly double[] A = [1, 50];

    private static (List<double> Y, List<double> Loss, double X) Run(double lr, double momentum, int steps)
    {
        var p = Param(10, 1);
        var opt = new SGD([p], lr, momentum);
        var ys = new List<double>();
        var losses = new List<double>();
        for (int t = 0; t < steps; t++)
        {
            losses.Add(QuadraticBackward(p, A));
            opt.Step();
            ys.Add(Values(p)[1]);
        }
        return (ys, losses, Values(p)[0]);
    }

    private static int SignChanges(List<double> y) => y.Zip(y.Skip(1)).Count(z => Math.Sign(z.First) != Math.Sign(z.Second));

    [Fact]
    public void MomentumDampsTheZigzagAcrossTheValleyAtTheSameEffectiveRate()
    {
        // Same effective rate η/(1 − λ) = 0.036 along the shallow x axis; along the steep y axis (a = 50) plain GD has
        // 1 − ηa = 1 − 1.8 = −0.8: y changes sign at every step. With momentum, y follows the roots of
        // z² − (1 + λ − ηa)z + λ, which turn by φ = arccos((1 + λ − ηa)/(2√λ)) per step, so y changes sign about
        // 100·φ/180° times in 100 steps:
        //   λ = 0.5, η = 0.018 (ηa = 0.9):  φ = arccos(0.6/1.41421)  = 64.90° → about 36 sign changes
        //   λ = 0.9, η = 0.0036 (ηa = 0.18): φ = arccos(1.72/1.89737) = 24.97° → about 14 sign changes
        var gd = Run(0.036, 0, 100);
        var m5 = Run(0.018, 0.5, 100);
        var m9 = Run(0.0036, 0.9, 100);
        Assert.Equal(99, SignChanges(gd.Y));
        Assert.InRange(SignChanges(m5.Y), 34, 38);
        Assert.InRange(SignChanges(m9.Y), 12, 16);
        // All three still move along x: after 100 steps x = 10·0.964¹⁰⁰ ≈ 0.26 for GD, the momentum runs comparable.
        Assert.Equal(10 * Math.Pow(1 - 0.036, 100), gd.X, 9);
        Assert.InRange(m5.X, 0, 1);
        Assert.InRange(m9.X, -1, 1);
    }

    [Fact]
    public void AtTheSameRateLargerMomentumMakesTheLossOscillate()
    {
        // The lectures' Q2: with one η = 0.018 (ηa = 0.9 on y), GD's loss falls at every step (both factors 1 − ηa lie
        // in (−1, 1) and the loss is a sum of squares of them); momentum overshoots, more so with λ = 0.9.
        static int Rises(List<double> loss) => loss.Zip(loss.Skip(1)).Count(z => z.Second > z.First);
        int gd = Rises(Run(0.018, 0, 60).Loss), m5 = Rises(Run(0.018, 0.5, 60).Loss), m9 = Rises(Run(0.018, 0.9, 60).Loss);
        Assert.Equal(0, gd);
        Assert.True(m9 > m5 && m9 > 0, $"loss rises: GD {gd}, λ=0.5 {m5}, λ=0.9 {m9}");
    }
}
