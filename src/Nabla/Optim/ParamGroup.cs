using Nabla.NN;

namespace Nabla.Optim;

/// <summary>
/// A set of parameters that share optimizer options: a learning rate of their own and their own weight decay,
/// L1 penalty and bias handling. An option left null takes the optimizer's value.
/// </summary>
/// <remarks>
/// A group's learning rate is kept as a ratio to the optimizer's base rate given at construction, so a schedule
/// that sets <see cref="Optimizer.LearningRate"/> scales every group alike:
/// <code>
/// var opt = new SGD([new ParamGroup(body.Parameters()), new ParamGroup(head.Parameters(), learningRate: 0.1)], learningRate: 0.01);
/// // body uses 0.01, head 0.1; after opt.LearningRate = 0.005 the head uses 0.05.
/// </code>
/// </remarks>
public sealed class ParamGroup
{
    /// <summary>Creates a group.</summary>
    /// <param name="parameters">The parameters of the group.</param>
    /// <param name="learningRate">The group's rate at the optimizer's initial base rate; null: the base rate.</param>
    /// <param name="weightDecay">The group's L2 weight decay λ; null: the optimizer's <see cref="Optimizer.WeightDecay"/>.</param>
    /// <param name="l1">The group's L1 penalty λ₁; null: the optimizer's <see cref="Optimizer.L1"/>.</param>
    /// <param name="regularizeBiases">Whether the group's bias parameters are penalized too; null: the optimizer's <see cref="Optimizer.RegularizeBiases"/>.</param>
    public ParamGroup(IEnumerable<Parameter> parameters, double? learningRate = null, double? weightDecay = null,
        double? l1 = null, bool? regularizeBiases = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
        LearningRate = learningRate;
        WeightDecay = weightDecay;
        L1 = l1;
        RegularizeBiases = regularizeBiases;
    }

    /// <summary>The parameters of the group, in a stable order.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The group's learning rate at the optimizer's initial base rate, or null to use the base rate.</summary>
    public double? LearningRate { get; }

    /// <summary>The group's L2 weight decay, or null to use the optimizer's.</summary>
    public double? WeightDecay { get; }

    /// <summary>The group's L1 penalty, or null to use the optimizer's.</summary>
    public double? L1 { get; }

    /// <summary>Whether the group's biases are penalized, or null to use the optimizer's setting.</summary>
    public bool? RegularizeBiases { get; }

    /// <summary>The group's rate divided by the optimizer's base rate (1 for a group without a rate of its own). Set by the optimizer.</summary>
    public double LearningRateFactor { get; internal set; } = 1.0;
}
