using Nabla.NN;
using Nabla.Optim;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.Optim.OptimTestUtil;

namespace Nabla.Tests.Optim;

/// <summary>
/// The first three steps of every optimizer on f(θ) = ½ Σ aᵢθᵢ² with a = [1, 4], θ₀ = [1, −2] (gradient aᵢθᵢ by autograd),
/// against values worked out from the update rule written in each test (in the lectures' form, independently of the code).
/// </summary>
public class UpdateRuleTests
{
    private static readonly double[] A = [1, 4];

    [Fact]
    public void SgdIsThetaMinusEtaG()
    {
        var p = Param(1, -2);
        var opt = new SGD([p], learningRate: 0.1);
        // θ ← θ − η g, g = aθ:  θ₁ = [1 − 0.1·1, −2 − 0.1·(−8)] = [0.9, −1.2]
        QuadraticBackward(p, A); opt.Step(); AssertValues([0.9, -1.2], p);
        // g = [0.9, −4.8]:  θ₂ = [0.81, −0.72]
        QuadraticBackward(p, A); opt.Step(); AssertValues([0.81, -0.72], p);
        // g = [0.81, −2.88]:  θ₃ = [0.729, −0.432]
        QuadraticBackward(p, A); opt.Step(); AssertValues([0.729, -0.432], p);
    }

    [Fact]
    public void MomentumIsTheLecturesVelocityRule()
    {
        var p = Param(1, -2);
        var opt = new SGD([p], learningRate: 0.1, momentum: 0.9);
        // v ← λv − ηg;  θ ← θ + v   (λ = 0.9, η = 0.1, v₀ = 0)
        // g = [1, −8]:  v = [−0.1, 0.8];  θ = [0.9, −1.2]
        QuadraticBackward(p, A); opt.Step(); AssertValues([0.9, -1.2], p);
        // g = [0.9, −4.8]:  v = 0.9·[−0.1, 0.8] − 0.1·[0.9, −4.8] = [−0.18, 1.2];  θ = [0.72, 0]
        QuadraticBackward(p, A); opt.Step(); AssertValues([0.72, 0.0], p);
        // g = [0.72, 0]:  v = [−0.162 − 0.072, 1.08] = [−0.234, 1.08];  θ = [0.486, 1.08]
        QuadraticBackward(p, A); opt.Step(); AssertValues([0.486, 1.08], p);
        Assert.Equal([-0.234, 1.08], opt.GetState().Float64Buffers["param0/v"], new Tol(1e-12));
    }

    [Fact]
    public void NesterovTakesTheGradientAtTheInterimPoint()
    {
        var p = Param(1, -2);
        var opt = new SGD([p], learningRate: 0.1, momentum: 0.9, nesterov: true);
        // The lectures' form: θ̃ = θ + λv;  g = ∇L(θ̃);  v ← λv − ηg;  θ ← θ + v. The parameter holds θ̃.
        // step 1: θ̃ = [1, −2], g = [1, −8];  v = [−0.1, 0.8];  θ = [0.9, −1.2];  θ̃ = θ + 0.9v = [0.81, −0.48]
        QuadraticBackward(p, A); opt.Step(); AssertValues([0.81, -0.48], p);
        // step 2: g = aθ̃ = [0.81, −1.92];  v = [−0.09 − 0.081, 0.72 + 0.192] = [−0.171, 0.912];
        //         θ = [0.729, −0.288];  θ̃ = [0.729 − 0.1539, −0.288 + 0.8208] = [0.5751, 0.5328]
        QuadraticBackward(p, A); opt.Step(); AssertValues([0.5751, 0.5328], p);
        // step 3: g = [0.5751, 2.1312];  v = [−0.1539 − 0.05751, 0.8208 − 0.21312] = [−0.21141, 0.60768];
        //         θ = [0.51759, 0.31968];  θ̃ = [0.51759 − 0.190269, 0.31968 + 0.546912] = [0.327321, 0.866592]
        QuadraticBackward(p, A); opt.Step(); AssertValues([0.327321, 0.866592], p);
    }

    [Fact]
    public void AdaGradContrastExampleOfTheNotes()
    {
        // Notes 004, "Intuitive Reason — how surprising it is": two parameters with the gradients
        //   g⁰..g⁴ = 0.001, 0.001, 0.003, 0.002, 0.1   (a large last gradient after small ones)
        //   g⁰..g⁴ = 10.8, 20.9, 31.7, 12.1, 0.1       (a small last gradient after large ones)
        // AdaGrad's fifth step is η·g⁴/√Σᵢ(gⁱ)²: almost η for the first, a tiny fraction of it for the second.
        double[] first = [0.001, 0.001, 0.003, 0.002, 0.1], second = [10.8, 20.9, 31.7, 12.1, 0.1];
        const double eta = 0.5, delta = 1e-10;
        var p = new Parameter(Tensor.Zeros([2], DType.Float64));
        var opt = new AdaGrad([p], eta, epsilon: delta);
        double[] before = [0, 0];
        for (int t = 0; t < 5; t++)
        {
            before = p.Data.ToDoubleArray();
            opt.ZeroGrad();
            // L = g·θ puts exactly the given gradient g on θ.
            ((Tensor)p * Tensor.FromArray([first[t], second[t]])).Sum().Backward();
            opt.Step();
        }
        double[] step = [before[0] - p.Data.ToDoubleArray()[0], before[1] - p.Data.ToDoubleArray()[1]];
        double sum1 = first.Sum(g => g * g), sum2 = second.Sum(g => g * g); // 0.010015 and 1704.76
        Assert.Equal(eta * 0.1 / (delta + Math.Sqrt(sum1)), step[0], 1e-15);
        Assert.Equal(eta * 0.1 / (delta + Math.Sqrt(sum2)), step[1], 1e-15);
        Assert.Equal(0.99925, step[0] / eta, 5);   // 0.1/√0.010015
        Assert.Equal(0.002422, step[1] / eta, 6);  // 0.1/√1704.76

        // The notes' derivation: with ηᵗ = η/√(t+1) (InverseSqrtDecay) and σᵗ the root mean square of the gradients so far,
        // ηᵗ/σᵗ = η/√Σ(gⁱ)²: the 1/√(t+1) cancels.
        var decay = new InverseSqrtDecay(eta);
        double sigma = Math.Sqrt(sum2 / 5);
        Assert.Equal(eta / Math.Sqrt(sum2), decay.Rate(4) / sigma, 1e-15);
    }

    [Fact]
    public void AdaGradDividesByTheRootOfTheSumOfSquares()
    {
        const double alpha = 0.1, delta = 1e-7;
        var p = Param(1, -2);
        var opt = new AdaGrad([p], alpha);
        // r ← r + g⊙g;  θ ← θ − α/(δ + √r) ⊙ g
        // step 1: g = [1, −8], r = [1, 64]: θ = [1 − 0.1/(δ+1), −2 + 0.8/(δ+8)] ≈ [0.9, −1.9]
        double x = 1 - alpha / (delta + 1) * 1, y = -2 - alpha / (delta + 8) * -8;
        QuadraticBackward(p, A); opt.Step(); AssertValues([x, y], p);
        AssertValues([0.9, -1.9], p, 1e-6);
        double rx = 1, ry = 64;
        for (int step = 2; step <= 3; step++)
        {
            double gx = 1 * x, gy = 4 * y;
            rx += gx * gx; ry += gy * gy;
            x -= alpha / (delta + Math.Sqrt(rx)) * gx;
            y -= alpha / (delta + Math.Sqrt(ry)) * gy;
            QuadraticBackward(p, A); opt.Step(); AssertValues([x, y], p);
        }
    }

    [Fact]
    public void RmsPropUsesAMovingAverageOfSquares()
    {
        const double alpha = 0.01, rho = 0.9, delta = 1e-6;
        var p = Param(1, -2);
        var opt = new RMSProp([p], alpha, rho, delta);
        // r ← ρr + (1−ρ) g⊙g;  θ ← θ − α/√(δ + r) ⊙ g
        // step 1: g = [1, −8], r = [0.1, 6.4]: θ = [1 − 0.01/√0.100001, −2 + 0.08/√6.400001] ≈ [0.968377, −1.968377]
        double x = 1 - alpha / Math.Sqrt(delta + 0.1) * 1, y = -2 - alpha / Math.Sqrt(delta + 6.4) * -8;
        QuadraticBackward(p, A); opt.Step(); AssertValues([x, y], p);
        Assert.Equal(0.968377, x, 6);
        double rx = 0.1, ry = 6.4;
        for (int step = 2; step <= 3; step++)
        {
            double gx = x, gy = 4 * y;
            rx = rho * rx + (1 - rho) * gx * gx; ry = rho * ry + (1 - rho) * gy * gy;
            x -= alpha / Math.Sqrt(delta + rx) * gx;
            y -= alpha / Math.Sqrt(delta + ry) * gy;
            QuadraticBackward(p, A); opt.Step(); AssertValues([x, y], p);
        }
    }

    [Fact]
    public void RmsPropWithMomentumAccumulatesTheScaledStep()
    {
        const double alpha = 0.01, rho = 0.9, delta = 1e-6, mu = 0.5;
        var p = Param(1, -2);
        var opt = new RMSProp([p], alpha, rho, delta, momentum: mu);
        // r ← ρr + (1−ρ) g⊙g;  v ← μv − α/√(δ + r) ⊙ g;  θ ← θ + v
        double[] th = [1, -2], v = [0, 0], r = [0, 0];
        for (int step = 1; step <= 3; step++)
        {
            for (int i = 0; i < 2; i++)
            {
                double g = A[i] * th[i];
                r[i] = rho * r[i] + (1 - rho) * g * g;
                v[i] = mu * v[i] - alpha / Math.Sqrt(delta + r[i]) * g;
                th[i] += v[i];
            }
            QuadraticBackward(p, A); opt.Step(); AssertValues(th, p);
        }
    }

    [Fact]
    public void RmsPropNesterovFollowsTheLecturesAlgorithm()
    {
        const double alpha = 0.01, rho = 0.9, delta = 1e-6, mu = 0.9;
        var p = Param(1, -2);
        var opt = new RMSPropNesterov([p], alpha, rho, mu, delta);
        // θ̃ ← θ + μv;  g = ∇L(θ̃);  r ← ρr + (1−ρ) g⊙g;  v ← μv − α/√(δ + r) ⊙ g;  θ ← θ + v.   The parameter holds θ̃.
        // step 1 (v = 0, θ̃ = θ): g = [1, −8], r = [0.1, 6.4], v ≈ [−0.0316, 0.0316], θ̃ = θ + 1.9v ≈ [0.93992, −1.93992]
        double[] th = [1, -2], v = [0, 0], r = [0, 0], tilde = [1, -2];
        for (int step = 1; step <= 3; step++)
        {
            for (int i = 0; i < 2; i++)
            {
                double g = A[i] * tilde[i];
                r[i] = rho * r[i] + (1 - rho) * g * g;
                v[i] = mu * v[i] - alpha / Math.Sqrt(delta + r[i]) * g;
                th[i] += v[i];
                tilde[i] = th[i] + mu * v[i];
            }
            QuadraticBackward(p, A); opt.Step(); AssertValues(tilde, p);
            if (step == 1) Assert.Equal(1 - 1.9 * 0.01 / Math.Sqrt(0.100001), tilde[0], 12);
        }
    }

    [Fact]
    public void AdaDeltaScalesByTheRatioOfRootMeanSquares()
    {
        const double rho = 0.95, eps = 1e-6;
        var p = Param(1, -2);
        var opt = new AdaDelta([p], learningRate: 1.0, rho, eps);
        // r ← ρr + (1−ρ) g⊙g;  Δθ = −√(u + ε)/√(r + ε) ⊙ g;  u ← ρu + (1−ρ) Δθ⊙Δθ;  θ ← θ + Δθ
        // step 1: r = 0.05 g² = [0.05, 3.2];  Δθ = −√ε/√(r + ε)·g ≈ −0.001·sign(g)/√0.05 ≈ [−0.0044721, 0.0044721]
        double[] th = [1, -2], r = [0, 0], u = [0, 0];
        for (int step = 1; step <= 3; step++)
        {
            for (int i = 0; i < 2; i++)
            {
                double g = A[i] * th[i];
                r[i] = rho * r[i] + (1 - rho) * g * g;
                double d = -Math.Sqrt(u[i] + eps) / Math.Sqrt(r[i] + eps) * g;
                u[i] = rho * u[i] + (1 - rho) * d * d;
                th[i] += d;
            }
            QuadraticBackward(p, A); opt.Step(); AssertValues(th, p);
            if (step == 1) AssertValues([1 - 0.0044721, -2 + 0.0044721], p, 1e-6);
        }
    }

    [Fact]
    public void AdamCorrectsTheBiasOfBothMoments()
    {
        const double alpha = 0.1, b1 = 0.9, b2 = 0.999, delta = 1e-8;
        var p = Param(1, -2);
        var opt = new Adam([p], alpha);
        Assert.Equal((0.001, 0.9, 0.999, 1e-8), (new Adam([Param(0)]).LearningRate, opt.Beta1, opt.Beta2, opt.Epsilon));
        // t ← t+1;  s ← ρ₁s + (1−ρ₁)g;  r ← ρ₂r + (1−ρ₂)g⊙g;  ŝ = s/(1−ρ₁ᵗ);  r̂ = r/(1−ρ₂ᵗ);  θ ← θ − α ŝ/(√r̂ + δ)
        // step 1: ŝ = g, r̂ = g², so θ₁ = θ₀ − α g/(|g| + δ) ≈ θ₀ − 0.1·sign(g) = [0.9, −1.9]
        double[] th = [1, -2], s = [0, 0], r = [0, 0];
        for (int t = 1; t <= 3; t++)
        {
            for (int i = 0; i < 2; i++)
            {
                double g = A[i] * th[i];
                s[i] = b1 * s[i] + (1 - b1) * g;
                r[i] = b2 * r[i] + (1 - b2) * g * g;
                double sHat = s[i] / (1 - Math.Pow(b1, t)), rHat = r[i] / (1 - Math.Pow(b2, t));
                th[i] -= alpha * sHat / (Math.Sqrt(rHat) + delta);
            }
            QuadraticBackward(p, A); opt.Step(); AssertValues(th, p);
            if (t == 1) AssertValues([0.9, -1.9], p, 1e-7);
        }
    }

    [Theory]
    [InlineData(0.0)]  // the plain update (no penalty terms at all)
    [InlineData(0.05)] // with coupled L2: g ← g + λθ
    public void AdamOnWholeVectorsFollowsTheFormula(double lambda)
    {
        // 37 values: whole SIMD vectors (8 or 16 floats) and a tail, so both the vector loop and the tail are checked.
        const double alpha = 0.01, b1 = 0.9, b2 = 0.999, delta = 1e-8;
        var rng = new Random(11);
        double[] th = new double[37], s = new double[37], r = new double[37];
        for (int i = 0; i < th.Length; i++) th[i] = (float)(rng.NextDouble() * 2 - 1);
        var p = new Parameter(Tensor.FromArray(Array.ConvertAll(th, v => (float)v), [37]));
        var opt = new Adam([p], alpha, weightDecay: lambda);
        for (int t = 1; t <= 4; t++)
        {
            var g = new float[37];
            for (int i = 0; i < g.Length; i++) g[i] = (float)(rng.NextDouble() * 2 - 1) * (i % 5 == 0 ? 1e-3f : 1f);
            p.Grad = Tensor.FromArray(g, [37]);
            opt.Step();
            for (int i = 0; i < th.Length; i++)
            {
                double gi = g[i] + lambda * th[i];
                s[i] = b1 * s[i] + (1 - b1) * gi;
                r[i] = b2 * r[i] + (1 - b2) * gi * gi;
                th[i] -= alpha * (s[i] / (1 - Math.Pow(b1, t))) / (Math.Sqrt(r[i] / (1 - Math.Pow(b2, t))) + delta);
            }
            var actual = p.Data.AsSpan<float>().ToArray();
            for (int i = 0; i < th.Length; i++)
                Assert.True(Math.Abs(actual[i] - th[i]) <= 2e-6, $"step {t}, θ[{i}] = {actual[i]}, expected {th[i]}");
        }
    }

    [Fact]
    public void AdamWDecaysTheWeightsOutsideTheMoments()
    {
        const double alpha = 0.1, b1 = 0.9, b2 = 0.999, delta = 1e-8, lambda = 0.1;
        var p = Param(1, -2);
        var opt = new AdamW([p], alpha, weightDecay: lambda);
        Assert.Equal(0.01, new AdamW([Param(0)]).WeightDecay);
        // moments of the plain gradient g = aθ;  θ ← θ − αλθ − α ŝ/(√r̂ + δ)
        // step 1: θ₁ ≈ θ₀ − 0.01·θ₀ − 0.1·sign(g) = [1 − 0.01 − 0.1, −2 + 0.02 + 0.1] = [0.89, −1.88]
        double[] th = [1, -2], s = [0, 0], r = [0, 0];
        for (int t = 1; t <= 3; t++)
        {
            for (int i = 0; i < 2; i++)
            {
                double g = A[i] * th[i];
                s[i] = b1 * s[i] + (1 - b1) * g;
                r[i] = b2 * r[i] + (1 - b2) * g * g;
                double sHat = s[i] / (1 - Math.Pow(b1, t)), rHat = r[i] / (1 - Math.Pow(b2, t));
                th[i] = th[i] - alpha * lambda * th[i] - alpha * sHat / (Math.Sqrt(rHat) + delta);
            }
            QuadraticBackward(p, A); opt.Step(); AssertValues(th, p);
            if (t == 1) AssertValues([0.89, -1.88], p, 1e-7);
        }
    }

    /// <summary>Element-wise double comparison with an absolute tolerance.</summary>
    private sealed class Tol(double tol) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tol;
        public int GetHashCode(double obj) => 0;
    }
}
