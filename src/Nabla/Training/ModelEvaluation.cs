using Nabla.Autograd;
using Nabla.Data;
using Nabla.Errors;
using Nabla.Losses;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>
/// Evaluating and using a trained model needs no optimizer and no trainer: <c>model.Evaluate(test, new CrossEntropy())</c>
/// measures loss, accuracy and the confusion matrix; <c>model.Predict(x, OutputActivation.Softmax)</c> (or with the loss
/// it was trained with, which names its output activation) gives probabilities and classes. Both run in evaluation
/// mode without recording, batch by batch, and leave the model's mode as they found it.
/// </summary>
public static class ModelEvaluation
{
    /// <summary>The default number of rows evaluated at once (it bounds the memory activations take, not the result).</summary>
    public const int DefaultBatchSize = 256;

    /// <summary>Mean loss over the dataset, accuracy and confusion matrix (for labeled data), in evaluation mode without recording.</summary>
    /// <param name="model">The model.</param>
    /// <param name="data">Examples with labels or targets.</param>
    /// <param name="loss">The loss to report (it also turns labels into its targets).</param>
    /// <param name="batchSize">Rows per forward pass (at least 1).</param>
    /// <exception cref="ValueException">An empty dataset, non-finite data, or a batch size below 1.</exception>
    public static Evaluation Evaluate(this Module model, TensorDataset data, Loss loss, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(loss);
        if (batchSize < 1) throw new ValueException($"Evaluate: the batch size must be at least 1, got {batchSize}");
        if (data.Count == 0) throw new ValueException("Evaluate: the dataset is empty");
        if (data.Labels is null && data.Targets is null) throw new ValueException("Evaluate: the dataset has neither labels nor targets");
        data.EnsureFinite("Evaluate");
        bool wasTraining = model.IsTraining;
        model.Eval();
        try
        {
            using var _ = GradMode.NoGrad();
            double lossSum = 0;
            var predicted = new List<int>(data.Count);
            int classes = 0;
            var loader = new DataLoader(data, batchSize, shuffle: false, seed: 0, prefetch: false);
            // Every batch reuses the previous batch's storage: without it each batch's activations (hundreds of MB
            // for a CNN) would pile up as large-object garbage until a full collection.
            // Not while a forward observer is installed: it may keep the activations it sees.
            var arena = Module.IsForwardObserved ? null : new TensorArena { MaxRetainedBytes = long.MaxValue };
            foreach (var batch in loader)
            {
                using (arena?.Enter() ?? default)
                {
                    var output = model.Forward(batch.Features);
                    var l = batch.Targets is { } targets ? loss.Forward(output, targets) : loss.Forward(output, batch.Labels!);
                    lossSum += l.Item() * batch.Count;
                    if (batch.Labels is not null && output.Rank == 2)
                    {
                        predicted.AddRange(Classes(output, loss.DecisionThreshold));
                        classes = Math.Max(2, output.Shape[1]);
                    }
                }
            }
            double mean = lossSum / data.Count;
            if (data.Labels is null || predicted.Count != data.Count) return new Evaluation(mean, double.NaN, null, data.Count);
            classes = Math.Max(classes, data.NumClasses);
            var cm = new ConfusionMatrix(predicted.ToArray(), data.Labels, classes);
            return new Evaluation(mean, cm.Accuracy, cm, data.Count);
        }
        finally { model.Train(wasTraining); }
    }

    /// <summary>
    /// Probabilities and most likely classes for <paramref name="features"/> [N, ...] of a model trained with
    /// <paramref name="trainedWith"/>, whose <see cref="Loss.OutputActivation"/> turns outputs into probabilities.
    /// </summary>
    public static Prediction Predict(this Module model, Tensor features, Loss trainedWith, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(trainedWith);
        return model.Predict(features, trainedWith.OutputActivation, batchSize, trainedWith.DecisionThreshold);
    }

    /// <summary>
    /// Probabilities (outputs after <paramref name="activation"/>) and most likely classes for <paramref name="features"/>
    /// [N, ...]: the arg-max of each row, or for a single output whether it exceeds 0.5 (after a sigmoid) or
    /// <paramref name="threshold"/> (a raw output). Thread-safe when the model is in evaluation mode
    /// (<c>model.Eval()</c> first): nothing shared is written.
    /// </summary>
    /// <exception cref="ShapeException">The features are not a batch [N, ...] with N ≥ 1.</exception>
    public static Prediction Predict(this Module model, Tensor features, OutputActivation activation, int batchSize = DefaultBatchSize, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(features);
        if (batchSize < 1) throw new ValueException($"Predict: the batch size must be at least 1, got {batchSize}");
        if (features.Rank == 0 || features.Shape[0] == 0) throw new ShapeException($"Predict: expected a batch [N, ...] with N ≥ 1, got {features.Shape}");
        // A model already in evaluation mode is not touched, so many threads may call Predict at once.
        bool wasTraining = model.IsTraining;
        if (wasTraining) model.Eval();
        try
        {
            using var _ = GradMode.NoGrad();
            var parts = new List<Tensor>();
            for (int start = 0; start < features.Shape[0]; start += batchSize)
            {
                var x = features.Rows(start, Math.Min(batchSize, features.Shape[0] - start));
                parts.Add(Activate(model.Forward(x), activation));
            }
            var probs = parts.Count == 1 ? parts[0] : Tensor.Concat(parts);
            int[] classes = probs.Rank == 2 ? Classes(probs, activation == OutputActivation.Sigmoid ? 0.5 : threshold) : [];
            return new Prediction(probs, classes);
        }
        finally { if (wasTraining) model.Train(); }
    }

    /// <summary>The arg-max of each row of <paramref name="output"/> [N, K]; for K = 1 whether the output exceeds <paramref name="threshold"/>.</summary>
    internal static int[] Classes(Tensor output, double threshold)
    {
        if (output.Shape[1] > 1) return output.ArgMaxRows();
        var r = new int[output.Shape[0]];
        for (int i = 0; i < r.Length; i++) r[i] = output.GetFlat(i) > threshold ? 1 : 0;
        return r;
    }

    private static Tensor Activate(Tensor output, OutputActivation activation) => activation switch
    {
        OutputActivation.Softmax => output.Softmax(-1),
        OutputActivation.Sigmoid => output.Sigmoid(),
        _ => output,
    };
}
