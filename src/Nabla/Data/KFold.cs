using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// K-fold cross-validation splits: the rows are divided into k folds of sizes differing by at most one; each fold
/// serves once as the validation set while the other k−1 train. Every row is validated exactly once.
/// </summary>
public sealed class KFold
{
    /// <summary>Creates the splitter.</summary>
    /// <param name="k">The number of folds (at least 2).</param>
    /// <param name="shuffle">Assign rows to folds at random (seeded) rather than in order.</param>
    /// <param name="seed">Seed of the shuffle.</param>
    /// <param name="stratified">Give every fold the same class proportions (needs labels).</param>
    public KFold(int k, bool shuffle = true, ulong seed = 0, bool stratified = false)
    {
        if (k < 2) throw new ValueException($"KFold: k must be at least 2, got {k}");
        K = k; Shuffle = shuffle; Seed = seed; Stratified = stratified;
    }

    /// <summary>The number of folds.</summary>
    public int K { get; }

    /// <summary>Whether rows are shuffled before being assigned.</summary>
    public bool Shuffle { get; }

    /// <summary>The shuffle seed.</summary>
    public ulong Seed { get; }

    /// <summary>Whether folds keep the class proportions.</summary>
    public bool Stratified { get; }

    /// <summary>The k folds of <paramref name="dataset"/> (its labels are used when stratified).</summary>
    public IReadOnlyList<Fold> Split(TensorDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return Stratified
            ? Split(dataset.Labels ?? throw new ValueException("KFold: stratified folds need a dataset with labels"))
            : Split(dataset.Count);
    }

    /// <summary>The k folds of <paramref name="n"/> rows (not stratified).</summary>
    public IReadOnlyList<Fold> Split(int n)
    {
        if (Stratified) throw new ValueException("KFold: stratified folds need labels; call Split(labels) or Split(dataset)");
        return Build(n, [Enumerable.Range(0, n).ToArray()]);
    }

    /// <summary>The k folds of rows with the given <paramref name="labels"/>, stratified when <see cref="Stratified"/>.</summary>
    public IReadOnlyList<Fold> Split(int[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        foreach (int l in labels) if (l < 0) throw new ValueException($"KFold: labels must be 0..K-1, found {l}");
        return Build(labels.Length, Stratified ? Data.Split.GroupByClass(labels) : [Enumerable.Range(0, labels.Length).ToArray()]);
    }

    private IReadOnlyList<Fold> Build(int n, int[][] groups)
    {
        if (n < K) throw new ValueException($"KFold: {K} folds need at least {K} rows, got {n}");
        var g = new Generator(Seed);
        // Lay the groups end to end (each shuffled) and deal positions round-robin: every group is spread evenly over
        // the folds, and fold sizes differ by at most one. Unstratified, one group: plain contiguous chunks instead.
        var fold = new int[n];
        if (groups.Length == 1)
        {
            var order = (int[])groups[0].Clone();
            if (Shuffle) g.Shuffle<int>(order);
            for (int f = 0, pos = 0; f < K; f++)
            {
                int size = n / K + (f < n % K ? 1 : 0);
                for (int i = 0; i < size; i++) fold[order[pos++]] = f;
            }
        }
        else
        {
            int pos = 0;
            foreach (var grp in groups)
            {
                var order = (int[])grp.Clone();
                if (Shuffle) g.Shuffle<int>(order);
                foreach (int i in order) fold[i] = pos++ % K;
            }
        }
        var folds = new Fold[K];
        for (int f = 0; f < K; f++)
        {
            var val = new List<int>(); var train = new List<int>();
            for (int i = 0; i < n; i++) (fold[i] == f ? val : train).Add(i);
            folds[f] = new Fold(f, [.. train], [.. val]);
        }
        return folds;
    }
}
