using Nabla.Losses;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Losses;

/// <summary>
/// Notes 004, "Cross-Entropy, Example (2/2)": entropies and cross-entropies of the distributions d1 = (1/3, 1/2, 1/6) and
/// d2 = (1/4, 1/2, 1/4) with base-10 logarithms, computed with Nabla's cross-entropy (natural logarithms, divided by
/// ln 10) and checked against the exact values in closed form. The notes print 0.439, 0.452, 0.456 and 0.464; the
/// third is wrong: −Σ d1·log₁₀ d2 = (1/3 + 1/6)·log₁₀ 4 + (1/2)·log₁₀ 2 = 1.5·log₁₀ 2 = 0.451545, not 0.456.
/// </summary>
public class EntropyExampleTests
{
    private static readonly double[] D1 = [1.0 / 3, 0.5, 1.0 / 6];
    private static readonly double[] D2 = [0.25, 0.5, 0.25];

    // −Σ p·log₁₀ q with Nabla: the cross-entropy of prediction q against target distribution p, in nats, over ln 10.
    private static double CrossEntropy10(Loss loss, double[] p, double[] q) =>
        loss.Forward(Tensor.FromArray(q, 1, 3), Tensor.FromArray(p, 1, 3)).Item() / Math.Log(10);

    public static TheoryData<string> Losses => ["CrossEntropy", "CategoricalCrossEntropy"];

    [Theory]
    [MemberData(nameof(Losses))]
    public void EntropiesAndCrossEntropiesInBaseTen(string name)
    {
        Loss loss = name == "CrossEntropy" ? new CrossEntropy(fromLogits: false) : new CategoricalCrossEntropy();
        double log2 = Math.Log10(2), log3 = Math.Log10(3);
        // Closed forms: H(d1) = 1/3·log 3 + 1/2·log 2 + 1/6·(log 2 + log 3) = 1/2·log 3 + 2/3·log 2;
        // H(d2) = 3 · 1/4·log 4 … = 1.5·log 2; H(d1, d2) = 1/3·log 4 + 1/2·log 2 + 1/6·log 4 = 1.5·log 2;
        // H(d2, d1) = 1/4·log 3 + 1/2·log 2 + 1/4·(log 2 + log 3) = 1/2·log 3 + 3/4·log 2.
        double h1 = 0.5 * log3 + 2.0 / 3 * log2, h2 = 1.5 * log2, h12 = 1.5 * log2, h21 = 0.5 * log3 + 0.75 * log2;
        Assert.Equal(h1, CrossEntropy10(loss, D1, D1), tolerance: 1e-15);
        Assert.Equal(h2, CrossEntropy10(loss, D2, D2), tolerance: 1e-15);
        Assert.Equal(h12, CrossEntropy10(loss, D1, D2), tolerance: 1e-15);
        Assert.Equal(h21, CrossEntropy10(loss, D2, D1), tolerance: 1e-15);
        Assert.Equal(0.4515449934959717, h12, tolerance: 1e-15);

        // The notes' printed values, to their three decimals: right for three, wrong for H(d1, d2).
        Assert.Equal(0.439, h1, 3);
        Assert.Equal(0.452, h2, 3);
        Assert.Equal(0.464, h21, 3);
        Assert.NotEqual(0.456, h12, 3);
        Assert.Equal(0.452, h12, 3);

        // "Cross-entropy is greater than entropy": by the KL divergence, H(p, q) − H(p) = KL(p ‖ q) > 0.
        Assert.True(h12 > h1 && h21 > h2);
        double kl12 = new KLDivergence().Forward(Tensor.FromArray(D2, 1, 3), Tensor.FromArray(D1, 1, 3)).Item() / Math.Log(10);
        Assert.Equal(h12 - h1, kl12, tolerance: 1e-15);
    }
}
