using System.Globalization;
using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN.Activations;

/// <summary>
/// Parametric ReLU: f(x) = max(0, x) + α·min(0, x), a leaky ReLU whose slope α is learned. One α shared by all
/// inputs, or one per channel (axis 1 of [N, C, …]). Initialized to 0.25 as in He et al. (2015).
/// </summary>
public sealed class PReLU : Module
{
    /// <summary>Creates the activation with <paramref name="numParameters"/> slopes (1 = shared, or the channel count).</summary>
    public PReLU(int numParameters = 1, double init = 0.25)
    {
        if (numParameters <= 0)
            throw new ValueException($"PReLU: the number of slopes must be positive, got {numParameters}");
        // He et al. apply no weight decay to α (it would pull the slope towards plain ReLU), hence isBias.
        Weight = new Parameter(Tensor.Full([numParameters], init), isBias: true);
    }

    /// <summary>The slopes α, [numParameters].</summary>
    public Parameter Weight { get; }

    /// <summary>The number of slopes.</summary>
    public int NumParameters => Weight.Numel;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        Tensor alpha = Weight;
        if (alpha.DType != input.DType)
            throw new ValueException($"PReLU: input is {input.DType} but the slopes are {alpha.DType}; convert the module with To({input.DType})");
        if (NumParameters > 1)
        {
            if (input.Rank < 2 || input.Shape[1] != NumParameters)
                throw new ShapeException($"PReLU({NumParameters}): expected input [N, {NumParameters}, …] (one slope per channel), got {input.Shape}");
            var dims = new int[input.Rank - 1];
            Array.Fill(dims, 1);
            dims[0] = NumParameters;
            alpha = alpha.Reshape(dims); // [C, 1, …] broadcasts over [N, C, …]
        }
        return input.ReLU() + alpha * input.Minimum(0);
    }

    /// <inheritdoc/>
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"PReLU({NumParameters})");
}
