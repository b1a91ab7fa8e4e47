using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>Random splits of a dataset into training, validation and test parts, optionally stratified by class.</summary>
public static class Split
{
    /// <summary>
    /// Cuts <paramref name="dataset"/> into training, validation and test parts of the given fractions (each at least 0,
    /// summing to 1). Rows are assigned at random (seeded); with <paramref name="stratified"/>, each class is divided
    /// in the same proportions, so every part keeps the class balance. Part sizes are the fractions of N rounded, the
    /// training part taking the remainder. Rows keep their original relative order within each part.
    /// </summary>
    public static TrainValidationTestSplit TrainValidationTest(TensorDataset dataset, (double Train, double Validation, double Test) fractions,
        ulong seed = 0, bool stratified = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var (ft, fv, fs) = fractions;
        foreach (var (name, f) in new[] { ("train", ft), ("validation", fv), ("test", fs) })
            if (!(f >= 0 && f <= 1)) throw new ValueException($"Split: the {name} fraction must be in [0, 1], got {f}");
        if (Math.Abs(ft + fv + fs - 1) > 1e-9) throw new ValueException($"Split: the fractions must sum to 1, got {ft} + {fv} + {fs} = {ft + fv + fs}");
        var (train, val, test) = Indices(dataset.Count, stratified ? dataset.Labels ?? throw new ValueException("Split: stratified splitting needs a dataset with labels") : null, fv, fs, seed);
        return new TrainValidationTestSplit(dataset.Subset(train), dataset.Subset(val), dataset.Subset(test), train, val, test);
    }

    /// <summary>Cuts <paramref name="dataset"/> into a training and a held-out part (<paramref name="holdoutFraction"/> of the rows).</summary>
    public static (TensorDataset Train, TensorDataset Holdout) TrainTest(TensorDataset dataset, double holdoutFraction, ulong seed = 0, bool stratified = false)
    {
        var s = TrainValidationTest(dataset, (1 - holdoutFraction, 0, holdoutFraction), seed, stratified);
        return (s.Train, s.Test);
    }

    /// <summary>Index-level split of <paramref name="n"/> rows (stratified when <paramref name="labels"/> is given).</summary>
    internal static (int[] Train, int[] Validation, int[] Test) Indices(int n, int[]? labels, double fv, double fs, ulong seed)
    {
        var g = new Generator(seed);
        var groups = labels is null ? [Enumerable.Range(0, n).ToArray()] : GroupByClass(labels);
        int targetVal = (int)Math.Round(n * fv), targetTest = (int)Math.Round(n * fs);
        if (targetVal + targetTest > n) targetTest = n - targetVal;
        // Per group: floor of its share, then hand the remaining rows to the groups with the largest fractional parts,
        // so the totals hit the targets exactly.
        var nv = Allocate(groups, fv, targetVal, null);
        var ns = Allocate(groups, fs, targetTest, nv);
        var train = new List<int>(); var val = new List<int>(); var test = new List<int>();
        for (int c = 0; c < groups.Length; c++)
        {
            var idx = (int[])groups[c].Clone();
            g.Shuffle<int>(idx);
            val.AddRange(idx[..nv[c]]);
            test.AddRange(idx[nv[c]..(nv[c] + ns[c])]);
            train.AddRange(idx[(nv[c] + ns[c])..]);
        }
        return ([.. train.Order()], [.. val.Order()], [.. test.Order()]);
    }

    private static int[] Allocate(int[][] groups, double fraction, int target, int[]? taken)
    {
        var count = new int[groups.Length];
        var rem = new double[groups.Length];
        int total = 0;
        for (int c = 0; c < groups.Length; c++)
        {
            double exact = groups[c].Length * fraction;
            count[c] = Math.Min((int)Math.Floor(exact), groups[c].Length - (taken?[c] ?? 0));
            rem[c] = exact - Math.Floor(exact);
            total += count[c];
        }
        foreach (int c in Enumerable.Range(0, groups.Length).OrderByDescending(c => rem[c]).ThenBy(c => c).ToArray())
        {
            if (total >= target) break;
            if (count[c] + (taken?[c] ?? 0) < groups[c].Length) { count[c]++; total++; }
        }
        // Rounding can still leave a few rows when fractional parts run out; take them from the largest groups.
        for (int c = 0; total < target && c < groups.Length; c++)
            while (total < target && count[c] + (taken?[c] ?? 0) < groups[c].Length) { count[c]++; total++; }
        return count;
    }

    internal static int[][] GroupByClass(int[] labels)
    {
        int k = labels.Length == 0 ? 0 : labels.Max() + 1;
        var lists = new List<int>[k];
        for (int c = 0; c < k; c++) lists[c] = [];
        for (int i = 0; i < labels.Length; i++) lists[labels[i]].Add(i);
        return lists.Where(l => l.Count > 0).Select(l => l.ToArray()).ToArray();
    }
}
