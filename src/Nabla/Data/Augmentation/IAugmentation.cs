using Nabla.Tensors;

namespace Nabla.Data.Augmentation;

/// <summary>
/// A random transformation of a batch of images [N, C, H, W], applied in place, one independent draw per image
/// (all channels of an image move together). Implementations own a seeded <see cref="Generator"/>, so the same
/// seed and the same sequence of batches give the same output, and save its state through <see cref="IStateful"/>
/// (a resumed run draws the same transformations).
/// </summary>
public interface IAugmentation : IStateful
{
    /// <summary>Transforms <paramref name="images"/> [N, C, H, W] in place.</summary>
    void Apply(Tensor images);
}
