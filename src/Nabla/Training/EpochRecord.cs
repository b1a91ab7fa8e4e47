using System.Globalization;

namespace Nabla.Training;

/// <summary>The figures of one epoch: training loss and accuracy, validation loss and accuracy (NaN when there is no validation set), learning rate, time.</summary>
public sealed record EpochRecord(int Epoch, double Loss, double Accuracy, double ValidationLoss, double ValidationAccuracy,
    double LearningRate, double Seconds, double SamplesPerSecond)
{
    /// <summary>A metric by its Keras-style name: loss, accuracy, val_loss, val_accuracy, lr, seconds.</summary>
    public double Get(string metric) => metric switch
    {
        "loss" => Loss,
        "accuracy" => Accuracy,
        "val_loss" => ValidationLoss,
        "val_accuracy" => ValidationAccuracy,
        "lr" => LearningRate,
        "seconds" => Seconds,
        _ => throw new Errors.ValueException($"unknown metric '{metric}'; known: loss, accuracy, val_loss, val_accuracy, lr, seconds"),
    };

    /// <summary>One line for logs: <c>epoch 3 loss 0.0812 acc 0.9751 val_loss 0.0744 val_acc 0.9779 lr 1E-3 4.1s</c> (under 80 characters).</summary>
    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        // Fits an 80-column terminal: samples per second are in the live progress line and the history.
        string val = double.IsNaN(ValidationLoss) ? "" : string.Create(inv, $" val_loss {ValidationLoss:F4} val_acc {ValidationAccuracy:F4}");
        return string.Create(inv, $"epoch {Epoch} loss {Loss:F4} acc {Accuracy:F4}{val} lr {LearningRate:0.##E+0} {Seconds:F1}s");
    }
}
