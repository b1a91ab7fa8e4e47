namespace Nabla.Autograd;

/// <summary>
/// How far <see cref="GradCheck.Check"/> has got with its central differences, reported through the optional
/// <see cref="IProgress{T}"/> argument. Counts are of input elements (each costs two evaluations of the function).
/// </summary>
/// <param name="Input">Index into the checked inputs of the tensor being perturbed (the last one once finished).</param>
/// <param name="InputCount">Number of checked inputs.</param>
/// <param name="InputDone">Elements of input <paramref name="Input"/> already differenced.</param>
/// <param name="InputTotal">Elements of input <paramref name="Input"/>.</param>
/// <param name="Done">Elements of all inputs already differenced; never decreases from one report to the next.</param>
/// <param name="Total">Elements of all inputs; the last report has <paramref name="Done"/> equal to it.</param>
/// <param name="Elapsed">Time since the check started (including the backward pass).</param>
public readonly record struct GradCheckProgress(int Input, int InputCount, long InputDone, long InputTotal, long Done, long Total, TimeSpan Elapsed)
{
    /// <summary>The fraction of all elements done, in [0, 1] (1 when there are no elements).</summary>
    public double Fraction => Total == 0 ? 1 : (double)Done / Total;
}
