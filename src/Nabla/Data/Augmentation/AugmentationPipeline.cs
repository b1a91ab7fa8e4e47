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

    /// <summary>The steps' states, step i under <c>i.</c>.</summary>
    public StateDict StateDict()
    {
        var state = new StateDict();
        for (int i = 0; i < _steps.Length; i++) state.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture), _steps[i].StateDict());
        return state;
    }

    /// <summary>Restores every step's state; checked whole before any step changes.</summary>
    public void LoadStateDict(StateDict state)
    {
        var before = _steps.Select(s => s.StateDict()).ToArray();
        try
        {
            for (int i = 0; i < _steps.Length; i++) _steps[i].LoadStateDict(state.Sub(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        catch
        {
            for (int i = 0; i < _steps.Length; i++) _steps[i].LoadStateDict(before[i]);
            throw;
        }
    }
}
