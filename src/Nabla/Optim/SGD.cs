using System.Numerics;
using Nabla.Errors;
using Nabla.NN;
using static Nabla.Optim.VectorOps;

namespace Nabla.Optim;

/// <summary>
/// Stochastic gradient descent, optionally with momentum or Nesterov momentum.
/// <list type="bullet">
/// <item>Plain: θ ← θ − η·g.</item>
/// <item>Momentum (λ = <see cref="Momentum"/>): v ← λv − η·g; θ ← θ + v (v starts at 0).</item>
/// <item>Nesterov momentum: the gradient is taken at the interim point θ̃ = θ + λv; then v ← λv − η·g; θ ← θ + v.
/// The parameter holds the interim point θ̃ itself, so the gradient the training loop computes is the lectures'
/// ∇L(θ̃); the update of θ̃ is then v ← λv − η·g; θ̃ ← θ̃ + λv − η·g (with the new v), which is
/// θ ← θ + v followed by θ̃ = θ + λv. Since v starts at 0, θ̃ starts at θ.</item>
/// </list>
/// g is the gradient of the loss plus the optional penalties λ₂θ (<see cref="Optimizer.WeightDecay"/>) and
/// λ₁·sign(θ) (<see cref="Optimizer.L1"/>).
/// The velocity v is stored as 0 when it falls below the smallest normal number: such a v changes no weight, and
/// subnormal arithmetic is slow.
/// </summary>
/// <remarks>
/// Which gradient descent this is depends only on the data the gradient is computed from: over the whole training
/// set it is full-batch gradient descent, over one example the lectures' SGD, over a mini-batch of B examples
/// (the data loader's batch size, with the loss averaged over the batch) mini-batch SGD.
/// The velocity form v ← λv − η·g follows the lectures; for a constant η it gives the same iterates as the
/// PyTorch form v ← λv + g; θ ← θ − ηv, and when η changes the new rate applies to the new gradient only.
/// </remarks>
public sealed class SGD : Optimizer
{
    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters to train (e.g. <c>model.Parameters()</c>).</param>
    /// <param name="learningRate">η, finite and ≥ 0.</param>
    /// <param name="momentum">λ in [0, 1); 0 for plain SGD.</param>
    /// <param name="nesterov">Nesterov momentum (needs λ &gt; 0).</param>
    /// <param name="weightDecay">The L2 weight decay λ₂ ≥ 0 (<see cref="Optimizer.WeightDecay"/>): g ← g + λ₂θ; 0 for none.</param>
    public SGD(IEnumerable<Parameter> parameters, double learningRate = 0.01, double momentum = 0, bool nesterov = false,
        double weightDecay = 0)
        : this([new ParamGroup(parameters)], learningRate, momentum, nesterov, weightDecay) { }

    /// <summary>Creates the optimizer over parameter groups.</summary>
    /// <param name="groups">The parameter groups.</param>
    /// <param name="learningRate">η, finite and ≥ 0.</param>
    /// <param name="momentum">λ in [0, 1); 0 for plain SGD.</param>
    /// <param name="nesterov">Nesterov momentum (needs λ &gt; 0).</param>
    /// <param name="weightDecay">The L2 weight decay λ₂ ≥ 0 (<see cref="Optimizer.WeightDecay"/>): g ← g + λ₂θ; 0 for none.</param>
    public SGD(IEnumerable<ParamGroup> groups, double learningRate = 0.01, double momentum = 0, bool nesterov = false,
        double weightDecay = 0)
        : base(groups, learningRate, weightDecay)
    {
        Momentum = OptionCheck.UnitInterval(Name, "momentum", momentum);
        if (nesterov && momentum == 0)
            throw new ValueException($"{Name}: nesterov needs momentum > 0, got momentum {momentum}");
        Nesterov = nesterov;
        StateNames = momentum > 0 ? ["v"] : [];
    }

    /// <summary>The momentum coefficient λ (0: plain SGD).</summary>
    public double Momentum { get; }

    /// <summary>Whether the momentum is Nesterov's.</summary>
    public bool Nesterov { get; }

    private protected override string[] StateNames { get; }

    private protected override void Update<T>(in StepContext ctx, Span<T> theta, ReadOnlySpan<T> grad, SlotWindow slot)
    {
        var eta = Splat<T>(ctx.LearningRate);
        var l2 = Splat<T>(ctx.WeightDecay);
        var l1 = Splat<T>(ctx.L1);
        int n = theta.Length, w = Vector<T>.Count;
        if (Momentum == 0)
        {
            for (int i = 0; i < n; i += w)
            {
                var th = Load<T>(theta, i);
                var g = Penalized(Load(grad, i), th, l2, l1);
                Store(theta, i, th - eta * g);
            }
            return;
        }
        var lambda = Splat<T>(Momentum);
        var v = slot.Buffer<T>(0);
        for (int i = 0; i < n; i += w)
        {
            var th = Load<T>(theta, i);
            var g = Penalized(Load(grad, i), th, l2, l1);
            var step = eta * g;
            var vel = FlushSubnormal(lambda * Load<T>(v, i) - step);
            Store(v, i, vel);
            Store(theta, i, Nesterov ? th + lambda * vel - step : th + vel);
        }
    }
}
