using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Onnx.Import;

/// <summary>
/// One node of an imported graph as a module: the summary lists it with its operator, attributes and parameters. The
/// parameters it lists are the ones its inputs read; <see cref="OnnxModule"/> lists them too, under their initializer names.
/// </summary>
internal sealed class OnnxNodeModule : Module
{
    readonly OpPlan _plan;
    readonly (string Name, Parameter Parameter)[] _parameters;
    readonly Generator? _generator;
    OnnxValue?[]? _pending;
    OnnxValue?[]? _last;

    public OnnxNodeModule(NodeContext context, OpPlan plan, (string Name, Parameter Parameter)[] parameters)
    {
        _plan = plan;
        _parameters = parameters;
        Where = context.Where;
        Inputs = context.Node.Input.ToArray();
        Outputs = context.Node.Output.ToArray();
        OpType = context.Node.OpType;
        if (!plan.Foldable) _generator = Generator.Default.Spawn();
    }

    public string Where { get; }
    public string OpType { get; }
    public string[] Inputs { get; }
    public string[] Outputs { get; }

    /// <summary>Runs the node; reports the call to a forward observer (the model summary) when its first input and output are float.</summary>
    public OnnxValue?[] Execute(OnnxValue?[] inputs, bool training)
    {
        if (IsForwardObserved && inputs.Length > 0 && inputs[0] is { IsFloat: true } first)
        {
            _pending = inputs;
            try
            {
                ForwardChild(this, first.F);
                return _last!;
            }
            finally { _pending = null; _last = null; }
        }
        return Compute(inputs, training);
    }

    OnnxValue?[] Compute(OnnxValue?[] inputs, bool training)
    {
        try { return _plan.Run(inputs, new NodeRun(training, _generator ?? Generator.Default)); }
        catch (Nabla.Errors.NablaException e) when (e is not OnnxException)
        {
            throw new OnnxException($"{Where}: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var outputs = Compute(_pending ?? [OnnxValue.Of(input)], IsTraining);
        if (_pending is not null) _last = outputs;
        var first = outputs.FirstOrDefault(o => o is not null)
                    ?? throw new OnnxException($"{Where}: the node produced no output");
        return first.Tensor ?? Values.Array(Array.ConvertAll(first.I, v => (double)v), first.Dims);
    }

    /// <inheritdoc/>
    public override long MultiplyAccumulates(Shape input, Shape output) => _plan.Macs?.Invoke(input, output) ?? 0;

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, Parameter Parameter)> LocalParameters() => _parameters;

    /// <inheritdoc/>
    public override string Describe() => _plan.Description.Length > 0 ? _plan.Description : OpType;
}
