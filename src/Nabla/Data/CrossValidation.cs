using Nabla.Errors;

namespace Nabla.Data;

/// <summary>
/// K-fold cross-validation of a training procedure: for each fold, train on the other folds and evaluate on it,
/// then summarize every metric by its mean and standard deviation across folds.
/// </summary>
public static class CrossValidation
{
    /// <summary>Runs <paramref name="trainAndEvaluate"/> once per fold of <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The data to cross-validate on (normally the training set; keep the test set apart).</param>
    /// <param name="k">The number of folds (at least 2).</param>
    /// <param name="trainAndEvaluate">Trains a fresh model on its first argument and returns metrics (name → value) measured on its second. Fit any preprocessing inside it, on the training fold only.</param>
    /// <param name="seed">Seed of the fold assignment.</param>
    /// <param name="stratified">Keep class proportions in every fold.</param>
    public static CrossValidationResult Run(TensorDataset dataset, int k,
        Func<TensorDataset, TensorDataset, IReadOnlyDictionary<string, double>> trainAndEvaluate, ulong seed = 0, bool stratified = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(trainAndEvaluate);
        var folds = new KFold(k, shuffle: true, seed, stratified).Split(dataset);
        var results = new List<IReadOnlyDictionary<string, double>>();
        foreach (var f in folds)
        {
            var m = trainAndEvaluate(dataset.Subset(f.TrainIndices), dataset.Subset(f.ValidationIndices))
                ?? throw new ValueException($"CrossValidation: fold {f.Index} returned no metrics");
            if (m.Count == 0) throw new ValueException($"CrossValidation: fold {f.Index} returned no metrics");
            if (results.Count > 0 && (m.Count != results[0].Count || m.Keys.Any(key => !results[0].ContainsKey(key))))
                throw new ValueException($"CrossValidation: fold {f.Index} returned metrics {string.Join(", ", m.Keys)}, fold 0 returned {string.Join(", ", results[0].Keys)}");
            results.Add(new Dictionary<string, double>(m));
        }
        return new CrossValidationResult(results);
    }
}
