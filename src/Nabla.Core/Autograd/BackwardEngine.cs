using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Runs backward: a topological sort of the recorded graph from the root, then one pass in reverse
/// order in which each node hands its output gradient to its inputs (gradients accumulate with +=).
/// </summary>
internal static class BackwardEngine
{
    private static int _stamp;

    public static void Run(Tensor root, Tensor gradOutput, bool retainGraph)
    {
        if (root.Node is null)
        {
            root.AccumulateGrad(gradOutput);
            root.GradReadyHook?.Invoke(root);
            return;
        }
        root.Node.EnsureNotFreed();

        var order = TopologicalOrder(root);
        var ready = Tensor.AnyGradReadyHook ? HookedLeavesReady(order) : null;
        root.PendingGrad = null;
        root.AccumulateGrad(gradOutput);
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            var node = t.Node!;
            var g = t.PendingGrad;
            t.PendingGrad = null;
            if (g is null)
            {
                if (ready?[i] is { } skipped) foreach (var leaf in skipped) leaf.GradReadyHook?.Invoke(leaf);
                continue;
            }
            if (t.RetainsGrad) t.Grad = t.Grad is null ? g.Clone() : t.Grad.AddInPlace(g);
            node.EnsureNotFreed();
            using (GradMode.NoGrad()) node.Backward(g);
            TensorArena.ReleaseEarly(g); // consumed: closures never keep their gradient (see Tensor.Record)
            if (GradMode.IsAnomalyDetectionEnabled) CheckFinite(node);
            if (ready?[i] is { } leaves) foreach (var leaf in leaves) leaf.GradReadyHook?.Invoke(leaf);
            if (!retainGraph)
            {
                node.Backward = null;
                node.Inputs = [];
            }
        }
    }

    /// <summary>
    /// For each node of <paramref name="order"/>, the hooked leaves whose gradient is complete once it has run: the pass
    /// goes from the end of the order to the start, so a leaf is done after its consumer nearest the start.
    /// </summary>
    private static List<Tensor>[]? HookedLeavesReady(List<Tensor> order)
    {
        List<Tensor>[]? ready = null;
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < order.Count; i++)
            foreach (var input in order[i].Node!.Inputs)
                if (input.IsLeaf && input.RequiresGrad && input.GradReadyHook is not null && seen.Add(input))
                    ((ready ??= new List<Tensor>[order.Count])[i] ??= []).Add(input);
        return ready;
    }

    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        int stamp = Interlocked.Increment(ref _stamp);
        var order = new List<Tensor>();
        var stack = new Stack<(Tensor t, int next)>();
        root.Node!.Stamp = stamp;
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.Node!.Inputs;
            if (next < inputs.Length)
            {
                stack.Push((t, next + 1));
                var child = inputs[next];
                if (child.Node is { } cn && cn.Stamp != stamp)
                {
                    cn.EnsureNotFreed();
                    cn.Stamp = stamp;
                    stack.Push((child, 0));
                }
            }
            else order.Add(t);
        }
        return order;
    }

    private static void CheckFinite(GradNode node)
    {
        foreach (var input in node.Inputs)
        {
            var g = input.IsLeaf ? input.Grad : input.PendingGrad;
            if (g is null) continue;
            for (int i = 0; i < g.Numel; i++)
            {
                double v = g.GetFlat(i);
                if (!double.IsFinite(v))
                    throw new AutogradException($"anomaly: backward of '{node.Op}' produced a non-finite gradient ({v}) at flat index {i} for its input of shape {input.Shape}{input.NameSuffix}");
            }
        }
    }
}
