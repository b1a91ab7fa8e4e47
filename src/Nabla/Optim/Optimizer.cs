using System.Numerics;
using Nabla.Errors;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>
/// The base of every optimizer: it holds parameter groups, the base learning rate, the L2/L1 penalty options and
/// per-parameter state, and applies an update rule to each trainable parameter that has a gradient.
/// </summary>
/// <remarks>
/// <para>The training loop: <c>opt.ZeroGrad(); loss = ...; loss.Backward(); opt.Step();</c>.
/// Frozen parameters (<see cref="Parameter.RequiresGrad"/> false) and parameters without a gradient are skipped.</para>
/// <para>Regularization, written into the gradient before the update rule sees it (coupled):
/// L2 weight decay g ← g + λθ (the gradient of λ/2·‖θ‖², the lectures' D = (1/n)Δ + λΘ) and
/// L1 g ← g + λ₁·sign(θ) (the gradient of λ₁‖θ‖₁). Biases (<see cref="Parameter.IsBias"/>) are not penalized
/// unless <see cref="RegularizeBiases"/> is set: the lectures' sum over j ≠ 0. <see cref="AdamW"/> instead decays
/// the weights directly (decoupled). The gradient tensors themselves are never modified.</para>
/// <para>Update rules are single SIMD loops over the parameter, gradient and state spans (float32 or float64);
/// state buffers are allocated once per parameter at its first update, so a step allocates nothing afterwards.</para>
/// </remarks>
public abstract class Optimizer : IStateful
{
    private readonly ParamGroup[] _groups;
    private readonly ParamSlot?[][] _slots;
    private double _learningRate, _weightDecay, _l1;

    /// <summary>
    /// Sets up the groups, the base rate and the weight decay; <paramref name="learningRate"/> and
    /// <paramref name="weightDecay"/> must be finite and ≥ 0.
    /// </summary>
    private protected Optimizer(IEnumerable<ParamGroup> groups, double learningRate, double weightDecay)
    {
        ArgumentNullException.ThrowIfNull(groups);
        _groups = groups.ToArray();
        _learningRate = OptionCheck.NonNegative(Name, "learning rate", learningRate);
        _weightDecay = OptionCheck.NonNegative(Name, "weight decay", weightDecay);
        if (_groups.Length == 0 || _groups.All(g => g.Parameters.Count == 0))
            throw new ValueException($"{Name}: the parameter list is empty; pass the model's Parameters()");
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        for (int g = 0; g < _groups.Length; g++)
        {
            var group = _groups[g];
            foreach (var p in group.Parameters)
            {
                if (p is null) throw new ValueException($"{Name}: parameter group {g} contains a null parameter");
                if (!seen.Add(p)) throw new ValueException($"{Name}: parameter '{p.Name}' appears more than once");
            }
            if (group.LearningRate is double lr)
            {
                OptionCheck.NonNegative(Name, $"learning rate of group {g}", lr);
                if (learningRate == 0 && lr != 0)
                    throw new ValueException($"{Name}: group {g} has learning rate {lr} but the base learning rate is 0; group rates are kept as ratios to the base rate, which must then be > 0");
                group.LearningRateFactor = learningRate == 0 ? 1.0 : lr / learningRate;
            }
            if (group.WeightDecay is double wd) OptionCheck.NonNegative(Name, $"weight decay of group {g}", wd);
            if (group.L1 is double l1) OptionCheck.NonNegative(Name, $"L1 penalty of group {g}", l1);
        }
        _slots = _groups.Select(g => new ParamSlot?[g.Parameters.Count]).ToArray();
    }

    /// <summary>The optimizer's name in messages and in <see cref="OptimizerState.Optimizer"/>.</summary>
    public string Name => GetType().Name;

    /// <summary>The parameter groups.</summary>
    public IReadOnlyList<ParamGroup> ParamGroups => _groups;

    /// <summary>Every parameter of every group, in group order (a method, like <see cref="Module.Parameters()"/>).</summary>
    public IEnumerable<Parameter> Parameters() => _groups.SelectMany(g => g.Parameters);

    /// <summary>The base learning rate η (α). Schedules set it; each group uses it times its <see cref="ParamGroup.LearningRateFactor"/>. Finite and ≥ 0.</summary>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = OptionCheck.NonNegative(Name, "learning rate", value);
    }

    /// <summary>
    /// The L2 weight decay λ (every optimizer's constructor takes it as <c>weightDecay</c>; default 0, 0.01 for
    /// <see cref="AdamW"/>; 0 means none): g ← g + λθ; for <see cref="AdamW"/> the decoupled decay θ ← θ − ηλθ.
    /// Groups may override it.
    /// </summary>
    public double WeightDecay
    {
        get => _weightDecay;
        set => _weightDecay = OptionCheck.NonNegative(Name, "weight decay", value);
    }

    /// <summary>The L1 penalty λ₁ (default 0): g ← g + λ₁·sign(θ). Groups may override it.</summary>
    public double L1
    {
        get => _l1;
        set => _l1 = OptionCheck.NonNegative(Name, "L1 penalty", value);
    }

    /// <summary>Whether bias parameters are penalized too (default false: the lectures' j ≠ 0). Groups may override it.</summary>
    public bool RegularizeBiases { get; set; }

    /// <summary>The number of <see cref="Step"/> calls made (restored by <see cref="LoadStateDict"/>).</summary>
    public long StepCount { get; private set; }

    /// <summary>The learning rate a group uses now: <see cref="LearningRate"/> × its factor.</summary>
    public double GroupLearningRate(int group) => _learningRate * _groups[group].LearningRateFactor;

    /// <summary>Names of the per-parameter state buffers of the update rule, e.g. <c>["s", "r"]</c> for Adam; empty when stateless.</summary>
    private protected abstract string[] StateNames { get; }

    /// <summary>
    /// Applies the update rule, element by element, to a parameter or to a contiguous slice of one (large parameters
    /// are updated in chunks on several threads). <paramref name="theta"/> and <paramref name="grad"/> have the same
    /// length, as does every state buffer of <paramref name="slot"/>.
    /// </summary>
    private protected abstract void Update<T>(in StepContext ctx, Span<T> theta, ReadOnlySpan<T> grad, SlotWindow slot)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// Called once per parameter update, before <see cref="Update{T}"/> (which may run on several threads for one
    /// parameter): the place to compute scalars of the step that the update rule then only reads.
    /// </summary>
    private protected virtual void Prepare(in StepContext ctx) { }

    // Parameters at least this large are updated in chunks of ChunkSize elements spread over the kernel threads; the
    // update rules are elementwise, so the result does not depend on the split.
    private const int ChunkSize = 16384;
    private ChunkedUpdate? _chunked;

    private void UpdateParameter(in StepContext ctx, Tensor data, Tensor grad, ParamSlot slot)
    {
        int n = data.Numel;
        if (n >= 2 * ChunkSize && Threads.Max > 1)
        {
            var job = _chunked ??= new ChunkedUpdate(this);
            job.Set(ctx, data, grad, slot);
            Kernels.Parallelism.For((n + ChunkSize - 1) / ChunkSize, job, static (j, c) => j.Run(c));
            job.Clear();
        }
        else DTypeDispatch.Run(data.DType, new UpdateAction(this, ctx, data, grad, new SlotWindow(slot, 0, n), 0, n));
    }

    /// <summary>The update rule on elements [start, start + length) of one parameter, at its element type.</summary>
    private readonly struct UpdateAction(Optimizer optimizer, StepContext ctx, Tensor data, Tensor grad, SlotWindow window, int start, int length) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
            => optimizer.Update(ctx, data.AsSpan<T>().Slice(start, length), grad.AsSpan<T>().Slice(start, length), window);
    }

    /// <summary>The state of a chunked update, reused from step to step so that stepping allocates nothing.</summary>
    private sealed class ChunkedUpdate(Optimizer optimizer)
    {
        private StepContext _ctx;
        private Tensor? _data, _grad;
        private ParamSlot? _slot;

        public void Set(in StepContext ctx, Tensor data, Tensor grad, ParamSlot slot) => (_ctx, _data, _grad, _slot) = (ctx, data, grad, slot);

        public void Clear() => (_data, _grad, _slot) = (null, null, null);

        public void Run(int chunk)
        {
            int start = chunk * ChunkSize, length = Math.Min(ChunkSize, _data!.Numel - start);
            DTypeDispatch.Run(_data.DType, new UpdateAction(optimizer, _ctx, _data, _grad!, new SlotWindow(_slot!, start, length), start, length));
        }
    }

    /// <summary>Updates every trainable parameter that has a gradient, once.</summary>
    public void Step()
    {
        for (int g = 0; g < _groups.Length; g++)
        {
            var group = _groups[g];
            double lr = GroupLearningRate(g);
            double wd = group.WeightDecay ?? _weightDecay, l1 = group.L1 ?? _l1;
            bool regularizeBiases = group.RegularizeBiases ?? RegularizeBiases;
            var slots = _slots[g];
            for (int j = 0; j < slots.Length; j++)
            {
                var p = group.Parameters[j];
                if (!p.RequiresGrad || p.Grad is not { } grad) continue;
                var data = p.Data;
                if (grad.Numel != data.Numel)
                    throw new ShapeException($"{Name}: gradient of parameter '{p.Name}' has shape {grad.Shape}, the parameter {data.Shape}");
                if (grad.DType != data.DType)
                    throw new ValueException($"{Name}: gradient of parameter '{p.Name}' is {grad.DType}, the parameter {data.DType}");
                var slot = slots[j] ??= new ParamSlot(data.DType, data.Numel, StateNames.Length);
                if (slot.DType != data.DType)
                    throw new ValueException($"{Name}: parameter '{p.Name}' changed from {slot.DType} to {data.DType} after its optimizer state was created; create the optimizer after converting the model");
                slot.Step++;
                bool penalize = !p.IsBias || regularizeBiases;
                var ctx = new StepContext(lr, penalize ? wd : 0, penalize ? l1 : 0, slot.Step);
                Prepare(ctx);
                UpdateParameter(ctx, data, grad, slot);
            }
        }
        StepCount++;
    }

    /// <summary>Drops the gradient of every parameter (sets it to null), ready for the next backward pass.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.Grad = null;
    }

    /// <summary>
    /// Resets every parameter's gradient. With <paramref name="setToNone"/> it drops them like <see cref="ZeroGrad()"/>;
    /// otherwise each gradient tensor is kept and reads as zeros, and the next backward pass writes into it instead of
    /// allocating a new one (the faster choice for a training loop; a reference to a gradient taken earlier then sees
    /// the new values).
    /// </summary>
    public void ZeroGrad(bool setToNone)
    {
        foreach (var group in _groups)
            for (int j = 0; j < group.Parameters.Count; j++) group.Parameters[j].Data.ZeroGrad(setToNone);
    }

    /// <summary>A copy of the optimizer's state (see <see cref="OptimizerState"/>).</summary>
    internal OptimizerState GetState()
    {
        var state = new OptimizerState { Optimizer = Name, LearningRate = _learningRate, StepCount = StepCount };
        foreach (var (key, g, j) in Keys())
        {
            if (_slots[g][j] is not { } slot) continue;
            var p = _groups[g].Parameters[j];
            state.Shapes[key] = p.Shape.Dims.ToArray();
            state.ParameterSteps[key] = slot.Step;
            for (int b = 0; b < StateNames.Length; b++)
            {
                string name = $"{key}/{StateNames[b]}";
                if (slot.Buffers[b] is float[] f) state.Float32Buffers[name] = (float[])f.Clone();
                else state.Float64Buffers[name] = (double[])((double[])slot.Buffers[b]).Clone();
            }
        }
        return state;
    }

    /// <summary>
    /// Replaces the optimizer's state by a copy of <paramref name="state"/> (from <see cref="GetState"/> of an optimizer of the
    /// same type over parameters of the same names and shapes). Everything is checked before anything changes;
    /// parameters absent from the state start fresh.
    /// </summary>
    internal void LoadState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Optimizer != Name)
            throw new ValueException($"{Name}: the state was saved by a {state.Optimizer} optimizer");
        OptionCheck.NonNegative(Name, "learning rate in the loaded state", state.LearningRate);
        if (state.StepCount < 0) throw new ValueException($"{Name}: step count in the loaded state must be ≥ 0, got {state.StepCount}");
        var byKey = Keys().ToDictionary(k => k.Key, k => (k.Group, k.Index));
        foreach (var key in state.Shapes.Keys.Concat(state.ParameterSteps.Keys))
            if (!byKey.ContainsKey(key))
                throw new ValueException($"{Name}: the state has an entry for parameter '{key}', which this optimizer does not hold (it holds {string.Join(", ", byKey.Keys)})");
        var expectedBuffers = new HashSet<string>();
        foreach (var (key, t) in state.ParameterSteps)
        {
            var (g, j) = byKey[key];
            var p = _groups[g].Parameters[j];
            if (t < 0) throw new ValueException($"{Name}: step count of parameter '{key}' must be ≥ 0, got {t}");
            if (!state.Shapes.TryGetValue(key, out var shape))
                throw new ValueException($"{Name}: the state has no shape for parameter '{key}'");
            if (!shape.AsSpan().SequenceEqual(p.Shape.Dims))
                throw new ShapeException($"{Name}: parameter '{key}' has shape {p.Shape}, the saved state [{string.Join(", ", shape)}]");
            bool isFloat = p.Data.DType == DType.Float32;
            foreach (var b in StateNames)
            {
                string name = $"{key}/{b}";
                expectedBuffers.Add(name);
                int length = isFloat
                    ? state.Float32Buffers.TryGetValue(name, out var f) ? f.Length : -1
                    : state.Float64Buffers.TryGetValue(name, out var d) ? d.Length : -1;
                if (length < 0)
                    throw new ValueException($"{Name}: the state has no {(isFloat ? "Float32" : "Float64")} buffer '{name}' for the {p.Data.DType} parameter '{key}'");
                if (length != p.Numel)
                    throw new ShapeException($"{Name}: buffer '{name}' has {length} elements, parameter '{key}' of shape {p.Shape} has {p.Numel}");
            }
        }
        foreach (var name in state.Float32Buffers.Keys.Concat(state.Float64Buffers.Keys))
            if (!expectedBuffers.Contains(name))
                throw new ValueException($"{Name}: unexpected buffer '{name}' in the state (this optimizer's buffers are {(StateNames.Length == 0 ? "none" : string.Join(", ", StateNames))}, per parameter with a step count)");

        foreach (var slots in _slots) Array.Clear(slots);
        foreach (var (key, t) in state.ParameterSteps)
        {
            var (g, j) = byKey[key];
            var p = _groups[g].Parameters[j];
            var slot = new ParamSlot(p.Data.DType, p.Numel, StateNames.Length) { Step = t };
            for (int b = 0; b < StateNames.Length; b++)
            {
                string name = $"{key}/{StateNames[b]}";
                if (slot.Buffers[b] is float[] f) state.Float32Buffers[name].CopyTo(f, 0);
                else state.Float64Buffers[name].CopyTo((double[])slot.Buffers[b], 0);
            }
            _slots[g][j] = slot;
        }
        _learningRate = state.LearningRate;
        StepCount = state.StepCount;
    }

    /// <summary>
    /// The state: <c>type</c> (the optimizer's name, checked on load), <c>lr</c> (the base rate), <c>step</c> (the number
    /// of <see cref="Step"/> calls, the one step counter of a training run), and per parameter key (its name, or
    /// <c>param{i}</c>) <c>shape/{key}</c>, <c>steps/{key}</c> (the updates it received: the t of bias corrections, which
    /// is less than <c>step</c> for a parameter that had no gradient in some steps) and a tensor <c>buffer/{key}/{b}</c>
    /// for each buffer b of the update rule (e.g. <c>s</c> and <c>r</c> for Adam).
    /// </summary>
    public StateDict StateDict()
    {
        var st = GetState();
        var d = new StateDict().Set("type", st.Optimizer).Set("lr", st.LearningRate).Set("step", st.StepCount);
        foreach (var (k, shape) in st.Shapes) d.Set($"shape/{k}", shape.Select(x => (ulong)x).ToArray());
        foreach (var (k, t) in st.ParameterSteps) d.Set($"steps/{k}", t);
        foreach (var (k, v) in st.Float32Buffers) d.Set($"buffer/{k}", Tensor.Wrap(v, st.Shapes[k[..k.LastIndexOf('/')]]));
        foreach (var (k, v) in st.Float64Buffers) d.Set($"buffer/{k}", Tensor.Wrap(v, st.Shapes[k[..k.LastIndexOf('/')]]));
        return d;
    }

    /// <summary>Restores a state from <see cref="StateDict"/> of an optimizer of the same type over parameters of the same names and shapes; checked whole first.</summary>
    public void LoadStateDict(StateDict state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var st = new OptimizerState
        {
            Optimizer = state.GetString("type"),
            LearningRate = state.GetDouble("lr"),
            StepCount = state.GetLong("step"),
        };
        foreach (var (k, _) in state.Values)
        {
            if (k.StartsWith("shape/", StringComparison.Ordinal))
                st.Shapes[k[6..]] = state.GetWords(k).Select(x => x <= int.MaxValue ? (int)x : throw new ValueException($"{Name}: '{k}' holds a dimension too large")).ToArray();
            else if (k.StartsWith("steps/", StringComparison.Ordinal)) st.ParameterSteps[k[6..]] = state.GetLong(k);
        }
        foreach (var (k, t) in state.Tensors)
        {
            if (!k.StartsWith("buffer/", StringComparison.Ordinal)) throw new ValueException($"{Name}: unexpected tensor '{k}' in the state");
            if (t.DType == DType.Float32) st.Float32Buffers[k[7..]] = t.ToArray(); else st.Float64Buffers[k[7..]] = t.ToDoubleArray();
        }
        LoadState(st);
    }

    /// <summary>Each parameter's state key: its name, or <c>param{i}</c> when unnamed or when the name is taken.</summary>
    private IEnumerable<(string Key, int Group, int Index)> Keys()
    {
        var used = new HashSet<string>();
        int i = 0;
        for (int g = 0; g < _groups.Length; g++)
            for (int j = 0; j < _groups[g].Parameters.Count; j++, i++)
            {
                string name = _groups[g].Parameters[j].Name;
                string key = string.IsNullOrEmpty(name) || used.Contains(name) ? $"param{i}" : name;
                used.Add(key);
                yield return (key, g, j);
            }
    }
}
