using Nabla.Tensors;

namespace Nabla.Data.Augmentation;

/// <summary>Several augmentations applied one after another, in the given order (like <c>transforms.Compose</c>).</summary>
public sealed class AugmentationPipeline : IAugmentation
{
    private readonly IAugmentation[] _steps;

    /// <summary>Creates the pipeline.</summary>
    public AugmentationPipeline(params IAugmentation[] steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        foreach (var s in steps) ArgumentNullException.ThrowIfNull(s, nameof(steps));
        _steps = (IAugmentation[])steps.Clone();
    }

    /// <summary>The steps, in order.</summary>
    public IReadOnlyList<IAugmentation> Steps => _steps;

    /// <inheritdoc/>
    public void Apply(Tensor images)
    {
        foreach (var s in _steps) s.Apply(images);
    }
}
