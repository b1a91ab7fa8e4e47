using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Nabla.NN;
using static Nabla.Optim.VectorOps;

namespace Nabla.Optim;

/// <summary>
/// Adam, adaptive moments (the lectures' algorithm, element-wise), with t the parameter's update count from 1:
/// s ← ρ₁s + (1 − ρ₁) g;  r ← ρ₂r + (1 − ρ₂) g ⊙ g;  ŝ = s / (1 − ρ₁ᵗ);  r̂ = r / (1 − ρ₂ᵗ);
/// Δθ = −α ŝ / (√r̂ + δ);  θ ← θ + Δθ,
/// with s, r starting at 0 and the defaults α = 0.001, ρ₁ = 0.9, ρ₂ = 0.999, δ = <see cref="Epsilon"/> = 1e-8.
/// g is the gradient plus the optional penalties λ₂θ (<see cref="Optimizer.WeightDecay"/>, coupled L2) and λ₁·sign(θ);
/// see <see cref="AdamW"/> for decoupled weight decay. Moments below the smallest normal number are stored as 0 (they
/// change no weight, and subnormal arithmetic is slow: <c>FlushSubnormal</c>).
/// <para>AMSGrad (<c>amsgrad: true</c>, Reddi et al., PyTorch's <c>amsgrad=True</c>): the largest second moment so far,
/// r_max ← max(r_max, r), replaces r in the step, Δθ = −α ŝ / (√(r_max / (1 − ρ₂ᵗ)) + δ), so the effective rate of an
/// element never grows.</para>
/// </summary>
public class Adam : Optimizer
{
    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <param name="learningRate">The step size α, finite and ≥ 0.</param>
    /// <param name="beta1">ρ₁ (β₁) in [0, 1), decay of the first moment.</param>
    /// <param name="beta2">ρ₂ (β₂) in [0, 1), decay of the second moment.</param>
    /// <param name="epsilon">epsilon (the lectures' δ) &gt; 0, added to √r̂ for numerical stability.</param>
    /// <param name="weightDecay">The L2 weight decay λ₂ ≥ 0 (<see cref="Optimizer.WeightDecay"/>, coupled): g ← g + λ₂θ; 0 for none.</param>
    /// <param name="amsgrad">True for AMSGrad: the step divides by the largest second moment so far.</param>
    public Adam(IEnumerable<Parameter> parameters, double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : this([new ParamGroup(parameters)], learningRate, beta1, beta2, epsilon, weightDecay, amsgrad) { }

    /// <summary>Creates the optimizer over parameter groups.</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">The step size α, finite and ≥ 0.</param>
    /// <param name="beta1">ρ₁ (β₁) in [0, 1), decay of the first moment.</param>
    /// <param name="beta2">ρ₂ (β₂) in [0, 1), decay of the second moment.</param>
    /// <param name="epsilon">epsilon (the lectures' δ) &gt; 0, added to √r̂ for numerical stability.</param>
    /// <param name="weightDecay">The L2 weight decay λ₂ ≥ 0 (<see cref="Optimizer.WeightDecay"/>, coupled): g ← g + λ₂θ; 0 for none.</param>
    /// <param name="amsgrad">True for AMSGrad: the step divides by the largest second moment so far.</param>
    public Adam(IEnumerable<ParamGroup> groups, double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999,
        double epsilon = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : base(groups, learningRate, weightDecay)
    {
        Beta1 = OptionCheck.UnitInterval(Name, "beta1", beta1);
        Beta2 = OptionCheck.UnitInterval(Name, "beta2", beta2);
        Epsilon = OptionCheck.Positive(Name, "epsilon (δ)", epsilon);
        AmsGrad = amsgrad;
        StateNames = amsgrad ? ["s", "r", "rmax"] : ["s", "r"];
    }

    /// <summary>ρ₁ (β₁), the decay rate of the first moment s.</summary>
    public double Beta1 { get; }

    /// <summary>ρ₂ (β₂), the decay rate of the second moment r.</summary>
    public double Beta2 { get; }

    /// <summary>The stabilizing constant epsilon (the lectures' δ).</summary>
    public double Epsilon { get; }

    /// <summary>Whether the step uses the largest second moment so far (AMSGrad).</summary>
    public bool AmsGrad { get; }

    /// <summary>True for AdamW: weight decay shrinks θ directly instead of entering g.</summary>
    private protected virtual bool DecoupledWeightDecay => false;

    private protected override string[] StateNames { get; }

    private protected override void Update<T>(in StepContext ctx, Span<T> theta, ReadOnlySpan<T> grad, SlotWindow slot)
    {
        bool decoupled = DecoupledWeightDecay;
        var k = new Coefficients<T>
        {
            Alpha = Splat<T>(ctx.LearningRate),
            L2 = Splat<T>(decoupled ? 0 : ctx.WeightDecay),
            Decay = Splat<T>(decoupled ? ctx.LearningRate * ctx.WeightDecay : 0),
            L1 = Splat<T>(ctx.L1),
            B1 = Splat<T>(Beta1),
            OneMinusB1 = Splat<T>(1 - Beta1),
            B2 = Splat<T>(Beta2),
            OneMinusB2 = Splat<T>(1 - Beta2),
            Correct1 = Splat<T>(1 / (1 - Math.Pow(Beta1, ctx.T))),
            Correct2 = Splat<T>(1 / (1 - Math.Pow(Beta2, ctx.T))),
            Epsilon = Splat<T>(Epsilon),
        };
        Span<T> s = slot.Buffer<T>(0), r = slot.Buffer<T>(1);
        if (AmsGrad)
        {
            // AMSGrad: the same lane with r_max ← max(r_max, r) in the denominator
            Span<T> rmax = slot.Buffer<T>(2);
            for (int j = 0; j < theta.Length; j += Vector<T>.Count)
            {
                var th = Load<T>(theta, j);
                var g = Penalized(Load(grad, j), th, k.L2, k.L1);
                var m1 = FlushSubnormal(k.B1 * Load<T>(s, j) + k.OneMinusB1 * g);
                var m2 = FlushSubnormal(k.B2 * Load<T>(r, j) + k.OneMinusB2 * g * g);
                var top = Vector.Max(Load<T>(rmax, j), m2);
                Store(s, j, m1);
                Store(r, j, m2);
                Store(rmax, j, top);
                Store(theta, j, th - k.Decay * th - k.Alpha * (m1 * k.Correct1) / (Vector.SquareRoot(top * k.Correct2) + k.Epsilon));
            }
            return;
        }
        int n = theta.Length, w = Vector<T>.Count, i = 0;
        // Whole vectors without tail checks (no calls in the loop, so the constants stay in registers), then the tail.
        ref T th0 = ref MemoryMarshal.GetReference(theta), s0 = ref MemoryMarshal.GetReference(s), r0 = ref MemoryMarshal.GetReference(r);
        ref T g0 = ref MemoryMarshal.GetReference(grad);
        if (ctx.L1 == 0 && ctx.WeightDecay == 0)
        {
            // No penalty and no decay (the usual case): the plain update, without their zero terms.
            for (; i <= n - w; i += w)
            {
                ref var m1 = ref Unsafe.As<T, Vector<T>>(ref Unsafe.Add(ref s0, i));
                ref var m2 = ref Unsafe.As<T, Vector<T>>(ref Unsafe.Add(ref r0, i));
                var g = Vector.LoadUnsafe(ref g0, (nuint)i);
                m1 = FlushSubnormal(k.B1 * m1 + k.OneMinusB1 * g);
                m2 = FlushSubnormal(k.B2 * m2 + k.OneMinusB2 * g * g);
                var th = Vector.LoadUnsafe(ref th0, (nuint)i);
                (th - k.Alpha * (m1 * k.Correct1) / (Vector.SquareRoot(m2 * k.Correct2) + k.Epsilon)).StoreUnsafe(ref th0, (nuint)i);
            }
        }
        for (; i <= n - w; i += w)
        {
            var th = Vector.LoadUnsafe(ref th0, (nuint)i);
            var next = Lane(k, th, Vector.LoadUnsafe(ref g0, (nuint)i), ref Unsafe.As<T, Vector<T>>(ref Unsafe.Add(ref s0, i)),
                ref Unsafe.As<T, Vector<T>>(ref Unsafe.Add(ref r0, i)));
            next.StoreUnsafe(ref th0, (nuint)i);
        }
        if (i < n)
        {
            var m1 = Load<T>(s, i);
            var m2 = Load<T>(r, i);
            var next = Lane(k, Load<T>(theta, i), Load(grad, i), ref m1, ref m2);
            Store(s, i, m1);
            Store(r, i, m2);
            Store(theta, i, next);
        }
    }

    /// <summary>One vector of the update: moments <paramref name="m1"/> and <paramref name="m2"/> updated in place, the new θ returned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Lane<T>(in Coefficients<T> k, Vector<T> th, Vector<T> grad, ref Vector<T> m1, ref Vector<T> m2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = Penalized(grad, th, k.L2, k.L1);
        m1 = FlushSubnormal(k.B1 * m1 + k.OneMinusB1 * g);
        m2 = FlushSubnormal(k.B2 * m2 + k.OneMinusB2 * g * g);
        var update = k.Alpha * (m1 * k.Correct1) / (Vector.SquareRoot(m2 * k.Correct2) + k.Epsilon);
        return th - k.Decay * th - update;
    }

    /// <summary>The step's constants, each broadcast to a vector.</summary>
    private struct Coefficients<T> where T : unmanaged
    {
        public Vector<T> Alpha, L2, Decay, L1, B1, OneMinusB1, B2, OneMinusB2, Correct1, Correct2, Epsilon;
    }
}
