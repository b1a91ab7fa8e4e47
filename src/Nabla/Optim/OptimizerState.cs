namespace Nabla.Optim;

/// <summary>
/// A snapshot of an optimizer's state as plain data, enough to resume training bit-identically:
/// the base learning rate, the step counter and, per parameter, its own step count and state buffers.
/// </summary>
/// <remarks>
/// Parameters are keyed by <see cref="NN.Parameter.Name"/> (e.g. <c>features.0.weight</c>), or by
/// <c>param{i}</c> (their position in the optimizer) when unnamed. Buffers are keyed <c>{parameter}/{buffer}</c>,
/// with the buffer named after the symbol of the optimizer's update rule (<c>v</c>, <c>r</c>, <c>s</c>, <c>u</c>),
/// and stored flat in row-major order as float[] for Float32 parameters and double[] for Float64 ones.
/// The arrays are copies: changing them does not change the optimizer, and the optimizer does not change them.
/// </remarks>
internal sealed class OptimizerState
{
    /// <summary>The optimizer's type name (e.g. <c>Adam</c>); loading checks it.</summary>
    public required string Optimizer { get; init; }

    /// <summary>The base learning rate at the time of the snapshot.</summary>
    public double LearningRate { get; init; }

    /// <summary>The number of <see cref="Optim.Optimizer.Step"/> calls made.</summary>
    public long StepCount { get; init; }

    /// <summary>The shape of each parameter that has state.</summary>
    public Dictionary<string, int[]> Shapes { get; init; } = [];

    /// <summary>The number of updates each parameter has received (the t of bias corrections).</summary>
    public Dictionary<string, long> ParameterSteps { get; init; } = [];

    /// <summary>State buffers of Float32 parameters, keyed <c>{parameter}/{buffer}</c>.</summary>
    public Dictionary<string, float[]> Float32Buffers { get; init; } = [];

    /// <summary>State buffers of Float64 parameters, keyed <c>{parameter}/{buffer}</c>.</summary>
    public Dictionary<string, double[]> Float64Buffers { get; init; } = [];
}
