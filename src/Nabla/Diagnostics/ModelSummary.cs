using System.Globalization;
using System.Text;
using Nabla.Autograd;
using Nabla.Errors;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Diagnostics;

/// <summary>
/// A Keras-style model summary: every sub-module with its output shape, parameter count and multiply-accumulate
/// (MAC) count, and the totals. Built by <see cref="Summary"/> (or <c>model.Summary(…)</c>) from one forward pass on
/// zeros, in evaluation mode and without gradients; the model's modes and state are left as they were.
/// </summary>
/// <remarks>
/// Shapes are seen through <see cref="Module.ObserveForward"/>, so a module appears with a shape when its parent
/// calls it through <c>ForwardChild</c> (as <see cref="Sequential"/> and <see cref="Residual"/> do). Parameter counts
/// follow the lectures: a dense layer has (N_in + 1)·N_out, pooling and activations none.
/// </remarks>
public sealed class ModelSummary
{
    private ModelSummary(Module model, Shape inputShape, Shape outputShape, List<SummaryRow> rows)
    {
        Model = model;
        InputShape = inputShape;
        OutputShape = outputShape;
        Rows = rows;
        TotalParameters = model.ParameterCount();
        TrainableParameters = model.ParameterCount(trainableOnly: true);
        TotalMultiplyAccumulates = rows.Sum(r => r.MultiplyAccumulates);
    }

    /// <summary>The summarized model.</summary>
    public Module Model { get; }

    /// <summary>The input shape of the summary pass (batch axis included).</summary>
    public Shape InputShape { get; }

    /// <summary>The model's output shape.</summary>
    public Shape OutputShape { get; }

    /// <summary>One row per sub-module, depth first in declaration order (the model itself only if it has no sub-modules).</summary>
    public IReadOnlyList<SummaryRow> Rows { get; }

    /// <summary>The number of parameter elements (shared parameters counted once).</summary>
    public long TotalParameters { get; }

    /// <summary>The number of trainable (not frozen) parameter elements.</summary>
    public long TrainableParameters { get; }

    /// <summary>The number of frozen parameter elements.</summary>
    public long NonTrainableParameters => TotalParameters - TrainableParameters;

    /// <summary>The multiply-accumulates of one forward pass on <see cref="InputShape"/> (pass a batch of 1 for a per-sample count).</summary>
    public long TotalMultiplyAccumulates { get; }

    /// <summary>
    /// Runs <paramref name="model"/> on zeros of shape <paramref name="inputShape"/> (batch axis included, e.g. 1, 784)
    /// and collects the summary. The input has the element type of the model's parameters.
    /// </summary>
    public static ModelSummary Summary(Module model, params int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (inputShape is null || inputShape.Length == 0 || inputShape.Any(d => d <= 0))
            throw new ShapeException($"ModelSummary: the input shape must have positive dimensions (batch axis included, e.g. [1,784]), got [{string.Join(",", inputShape ?? [])}]");
        var dtype = model.Parameters().FirstOrDefault()?.Data.DType ?? DType.Float32;
        var input = Tensor.Zeros(inputShape, dtype);

        var calls = new Dictionary<Module, (Shape In, Shape Out, long Macs)>(ReferenceEqualityComparer.Instance);
        void Observe(Module m, Tensor x, Tensor y)
        {
            long macs = m.MultiplyAccumulates(x.Shape, y.Shape);
            if (calls.TryGetValue(m, out var prev)) macs += prev.Macs; // a module called twice does its work twice
            calls[m] = (x.Shape, y.Shape, macs);
        }

        var modes = model.NamedModules().Select(e => (e.Module, e.Module.IsTraining)).ToList();
        Tensor output;
        try
        {
            model.Eval();
            using (Module.ObserveForward(Observe))
            using (GradMode.NoGrad())
                output = model.Forward(input);
            Observe(model, input, output);
        }
        finally
        {
            // Pre-order: a parent's Train() resets its subtree, then each child restores its own flag.
            foreach (var (m, training) in modes) m.Train(training);
        }

        var rows = new List<SummaryRow>();
        var listed = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        void Visit(Module m, string name, int depth)
        {
            if (!listed.Add(m)) return;
            var children = m.NamedChildren().ToList();
            if (depth > 0 || children.Count == 0)
            {
                long pars = 0, trainable = 0;
                foreach (var (_, p) in m.OwnParameters())
                {
                    pars += p.Numel;
                    if (p.RequiresGrad) trainable += p.Numel;
                }
                bool seen = calls.TryGetValue(m, out var call);
                rows.Add(new SummaryRow(name.Length == 0 ? m.GetType().Name : name, depth, m, m.Describe(),
                    seen ? call.In : (Shape?)null, seen ? call.Out : (Shape?)null, pars, trainable, seen ? call.Macs : 0));
            }
            foreach (var (n, child) in children)
                Visit(child, name.Length == 0 ? n : $"{name}.{n}", depth + 1);
        }
        Visit(model, "", 0);
        return new ModelSummary(model, input.Shape, output.Shape, rows);
    }

    /// <summary>An aligned text table: one line per row, then the totals.</summary>
    public override string ToString()
    {
        var ci = CultureInfo.InvariantCulture;
        string[] head = ["Layer", "Type", "Output shape", "Params", "MACs"];
        var cells = Rows.Select(r => new[]
        {
            new string(' ', 2 * Math.Max(0, r.Depth - 1)) + r.Name,
            r.Description,
            r.OutputShape?.ToString() ?? "-",
            r.Parameters.ToString("N0", ci),
            r.MultiplyAccumulates.ToString("N0", ci),
        }).ToList();
        var width = new int[head.Length];
        for (int c = 0; c < head.Length; c++)
            width[c] = Math.Max(head[c].Length, cells.Count == 0 ? 0 : cells.Max(row => row[c].Length));
        int total = width.Sum() + 2 * (head.Length - 1);

        var sb = new StringBuilder();
        void Line(string[] row)
        {
            for (int c = 0; c < row.Length; c++)
            {
                bool numeric = c >= 3; // right-align the counts
                string cell = numeric ? row[c].PadLeft(width[c]) : row[c].PadRight(width[c]);
                sb.Append(cell);
                if (c < row.Length - 1) sb.Append("  ");
            }
            sb.Append('\n');
        }
        Line(head);
        sb.Append('-', total).Append('\n');
        foreach (var row in cells) Line(row);
        sb.Append('=', total).Append('\n');
        sb.Append(ci, $"Input shape: {InputShape}    Output shape: {OutputShape}\n");
        sb.Append(ci, $"Total params: {TotalParameters:N0}\n");
        sb.Append(ci, $"Trainable params: {TrainableParameters:N0}\n");
        sb.Append(ci, $"Non-trainable params: {NonTrainableParameters:N0}\n");
        sb.Append(ci, $"Total MACs: {TotalMultiplyAccumulates:N0}\n");
        return sb.ToString();
    }
}
