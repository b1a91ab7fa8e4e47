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
            return;
        }
        root.Node.EnsureNotFreed();

        var order = TopologicalOrder(root);
        root.PendingGrad = null;
        root.AccumulateGrad(gradOutput);
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            var node = t.Node!;
            var g = t.PendingGrad;
            t.PendingGrad = null;
            if (g is null) continue;
            if (t.RetainsGrad) t.Grad = t.Grad is null ? g.Clone() : t.Grad.AddInPlace(g);
            node.EnsureNotFreed();
            using (GradMode.NoGrad()) node.Backward(g);
            TensorArena.ReleaseEarly(g); // consumed: closures never keep their gradient (see Tensor.Record)
            if (GradMode.IsAnomalyDetectionEnabled) CheckFinite(node);
            if (!retainGraph)
            {
                node.Backward = null;
                node.Inputs = [];
            }
        }
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
