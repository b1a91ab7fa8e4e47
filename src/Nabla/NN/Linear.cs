using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>
/// A fully connected layer: y = x·Wᵀ + b, one neuron per output (weighted sum of all inputs plus a bias).
/// W is [out, in], b is [out]; (in + 1)·out parameters. Initialized as PyTorch does: W and b uniform in ±1/√in
/// (Kaiming-uniform with a = √5).
/// </summary>
public sealed class Linear : Module
{
    /// <summary>Creates the layer.</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new Errors.ValueException($"Linear: feature counts must be positive, got in={inFeatures}, out={outFeatures}");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        double bound = 1.0 / Math.Sqrt(inFeatures);
        Weight = new Parameter(Tensor.Uniform([outFeatures, inFeatures], -bound, bound, generator));
        if (bias) Bias = new Parameter(Tensor.Uniform([outFeatures], -bound, bound, generator), isBias: true);
    }

    /// <summary>Number of inputs per sample.</summary>
    public int InFeatures { get; }

    /// <summary>Number of outputs (neurons).</summary>
    public int OutFeatures { get; }

    /// <summary>The weights, [out, in].</summary>
    public Parameter Weight { get; }

    /// <summary>The biases, [out], or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank == 0 || input.Shape[-1] != InFeatures)
            throw new Errors.ShapeException($"Linear({InFeatures} → {OutFeatures}): expected input [.., {InFeatures}], got {input.Shape}");
        return Tensor.Linear(input, Weight, Bias?.Data);
    }

    /// <summary>in·out multiply-accumulates per sample (the bias additions are not counted).</summary>
    public override long MultiplyAccumulates(Shape input, Shape output) => (long)InFeatures * output.Numel;

    /// <inheritdoc/>
    public override string Describe() => $"Linear({InFeatures} → {OutFeatures})";
}
