namespace Nabla.Data;

/// <summary>The images of an image folder loaded by <see cref="ImageFolder.Load"/>, with their class names and files.</summary>
/// <param name="Dataset">Features float32 [N, C, H, W] in [0, 1] and labels 0..K−1 (rows class by class, in <see cref="Files"/> order).</param>
/// <param name="ClassNames">The name of each label 0..K−1: the class subfolder names in ordinal order.</param>
/// <param name="Files">The path of the image of each row (the root joined with the class folder and the file name).</param>
public sealed record ImageFolderData(TensorDataset Dataset, IReadOnlyList<string> ClassNames, IReadOnlyList<string> Files);
