namespace Nabla.Training;

/// <summary>What <see cref="Trainer.Evaluate"/> returns: the mean loss, and for classifiers accuracy and the confusion matrix.</summary>
public sealed record Evaluation(double Loss, double Accuracy, ConfusionMatrix? Confusion, int Count)
{
    /// <summary>One line: loss and accuracy.</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"loss {Loss:F4}  accuracy {Accuracy:F4}  ({Count} samples)");
}
