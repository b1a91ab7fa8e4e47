namespace Nabla.Autograd;

/// <summary>The scope returned by <see cref="GradMode.NoGrad"/>; disposing it turns recording back on.</summary>
public readonly struct NoGradScope : IDisposable
{
    /// <summary>Ends the scope.</summary>
    public void Dispose() => GradMode.Exit();
}
