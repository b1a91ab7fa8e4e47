using System.Collections.Concurrent;
using System.Reflection;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>
/// The base of every layer and model: one <see cref="Forward"/> method and an explicit training/evaluation mode.
/// Parameters and sub-modules are discovered from the instance's fields and auto-properties of type
/// <see cref="Parameter"/>, <see cref="Module"/> or a list of modules, in declaration order: no registration call.
/// </summary>
/// <remarks>
/// A custom module: derive, create parameters and sub-modules in the constructor, write Forward.
/// <code>
/// sealed class TwoLayer : Module
/// {
///     private readonly Linear _hidden = new(784, 128), _out = new(128, 10);
///     public override Tensor Forward(Tensor x) => _out.Forward(_hidden.Forward(x).ReLU());
/// }
/// </code>
/// Its parameters are named <c>hidden.weight</c>, <c>hidden.bias</c>, <c>out.weight</c>, <c>out.bias</c>.
/// </remarks>
public abstract partial class Module
{
    private static readonly ConcurrentDictionary<Type, FieldInfo[]> FieldCache = new();

    /// <summary>True in training mode (the default), false in evaluation mode. Dropout and batch norm behave differently.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Computes the module's output.</summary>
    public abstract Tensor Forward(Tensor input);

    [ThreadStatic] private static Action<Module, Tensor, Tensor>? _forwardObserver;

    /// <summary>True when an observer from <see cref="ObserveForward"/> is installed on this thread.</summary>
    protected internal static bool IsForwardObserved => _forwardObserver is not null;

    /// <summary>
    /// Runs <paramref name="child"/>.Forward(<paramref name="input"/>) and reports the call to the observer installed
    /// by <see cref="ObserveForward"/>, if any. Containers (<see cref="Sequential"/>, <see cref="Residual"/>) call their
    /// children through it, and custom modules should too, so that tools such as the model summary see every layer.
    /// Without an observer it costs one thread-static read.
    /// </summary>
    protected static Tensor ForwardChild(Module child, Tensor input)
    {
        var output = child.Forward(input);
        _forwardObserver?.Invoke(child, input, output);
        return output;
    }

    /// <summary>
    /// Installs <paramref name="observer"/> (module, input, output) for forward calls made through
    /// <see cref="ForwardChild"/> on this thread until the returned scope is disposed; the previous observer is restored then.
    /// A child's call is reported after its own children's calls.
    /// </summary>
    public static IDisposable ObserveForward(Action<Module, Tensor, Tensor> observer)
    {
        var scope = new ObserverScope(_forwardObserver);
        _forwardObserver = observer;
        return scope;
    }

    /// <summary>
    /// The number of multiply-accumulate operations of one forward call from <paramref name="input"/> to
    /// <paramref name="output"/> (for the whole batch), used by the model summary. 0 by default (activations, pooling, reshapes);
    /// layers with weighted sums override it.
    /// </summary>
    public virtual long MultiplyAccumulates(Shape input, Shape output) => 0;

    /// <summary>Sets training mode on this module and every sub-module. Returns this.</summary>
    public Module Train(bool training = true)
    {
        foreach (var (_, m) in NamedModules()) m.IsTraining = training;
        return this;
    }

    /// <summary>Sets evaluation mode on this module and every sub-module. Returns this.</summary>
    public Module Eval() => Train(false);

    /// <summary>The direct sub-modules with their local names.</summary>
    public virtual IEnumerable<(string Name, Module Module)> NamedChildren()
    {
        foreach (var f in Fields(GetType()))
        {
            var v = f.GetValue(this);
            string name = LocalName(f.Name);
            if (v is Module m) yield return (name, m);
            else if (v is IEnumerable<Module> list)
            {
                int i = 0;
                foreach (var item in list) yield return ($"{name}.{i++}", item);
            }
        }
    }

    /// <summary>The parameters declared directly on this module (not in sub-modules), with local names.</summary>
    protected virtual IEnumerable<(string Name, Parameter Parameter)> LocalParameters()
    {
        foreach (var f in Fields(GetType()))
            if (f.GetValue(this) is Parameter p) yield return (LocalName(f.Name), p);
    }

    /// <summary>The parameters declared directly on this module, for tools in this assembly (the model summary).</summary>
    internal IEnumerable<(string Name, Parameter Parameter)> OwnParameters() => LocalParameters();

    /// <summary>Non-trainable state saved with the model (e.g. batch norm's running mean and variance), with local names. Override to declare some.</summary>
    protected virtual IEnumerable<(string Name, Tensor Buffer)> LocalBuffers() => [];

    /// <summary>This module (named "") and every sub-module, depth first, with dotted paths.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules()
    {
        yield return ("", this);
        foreach (var (n, child) in NamedChildren())
            foreach (var (sub, m) in child.NamedModules())
                yield return (sub.Length == 0 ? n : $"{n}.{sub}", m);
    }

    /// <summary>Every parameter with its hierarchical name (e.g. <c>features.0.weight</c>); also sets <see cref="Parameter.Name"/>.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters()
    {
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, m) in NamedModules())
            foreach (var (n, p) in m.LocalParameters())
            {
                if (!seen.Add(p)) continue; // shared parameters are listed once
                string full = prefix.Length == 0 ? n : $"{prefix}.{n}";
                p.Name = full;
                p.Data.Name = full;
                yield return (full, p);
            }
    }

    /// <summary>Every parameter, in a stable order.</summary>
    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(x => x.Parameter);

    /// <summary>
    /// The random generators modules own (e.g. a dropout layer's), found like parameters from fields of type
    /// <see cref="Generator"/>, with hierarchical names. Checkpoints save their states so resumed training repeats
    /// the same random masks.
    /// </summary>
    public IEnumerable<(string Name, Generator Generator)> NamedGenerators()
    {
        var seen = new HashSet<Generator>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, m) in NamedModules())
            foreach (var f in Fields(m.GetType()))
                if (f.FieldType == typeof(Generator) && f.GetValue(m) is Generator g && seen.Add(g))
                    yield return (prefix.Length == 0 ? LocalName(f.Name) : $"{prefix}.{LocalName(f.Name)}", g);
    }

    /// <summary>Every buffer with its hierarchical name.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers()
    {
        foreach (var (prefix, m) in NamedModules())
            foreach (var (n, b) in m.LocalBuffers())
                yield return (prefix.Length == 0 ? n : $"{prefix}.{n}", b);
    }

    /// <summary>The total number of parameter elements (optionally only trainable ones).</summary>
    public long ParameterCount(bool trainableOnly = false)
        => Parameters().Where(p => !trainableOnly || p.RequiresGrad).Sum(p => (long)p.Numel);

    /// <summary>Drops every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.Grad = null;
    }

    /// <summary>Freezes every parameter (no gradients, optimizers skip them). Returns this.</summary>
    public Module Freeze()
    {
        foreach (var p in Parameters()) p.RequiresGrad = false;
        return this;
    }

    /// <summary>Unfreezes every parameter. Returns this.</summary>
    public Module Unfreeze()
    {
        foreach (var p in Parameters()) p.RequiresGrad = true;
        return this;
    }

    /// <summary>Converts every parameter and buffer to <paramref name="dtype"/> in place (e.g. Float64 for a gradient check). Returns this.</summary>
    public Module To(DType dtype)
    {
        foreach (var p in Parameters())
            if (p.Data.DType != dtype) p.Data = p.Data.Detach().ToDType(dtype);
        foreach (var (_, m) in NamedModules()) m.OnConvert(dtype);
        return this;
    }

    /// <summary>Called by <see cref="To"/> so modules with buffers can convert them.</summary>
    protected virtual void OnConvert(DType dtype) { }

    /// <summary>A one-line description used by summaries, e.g. <c>Linear(784 → 128)</c>.</summary>
    public virtual string Describe() => GetType().Name;

    /// <inheritdoc/>
    public override string ToString() => Describe();

    private static FieldInfo[] Fields(Type t) => FieldCache.GetOrAdd(t, static type =>
    {
        var chain = new List<Type>();
        for (var c = type; c is not null && c != typeof(Module); c = c.BaseType) chain.Add(c);
        chain.Reverse(); // base-class fields first
        return chain.SelectMany(c => c.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(f => typeof(Parameter).IsAssignableFrom(f.FieldType) || typeof(Module).IsAssignableFrom(f.FieldType) || f.FieldType == typeof(Generator)
                        || typeof(IEnumerable<Module>).IsAssignableFrom(f.FieldType))
            .OrderBy(f => f.MetadataToken)
            .ToArray();
    });

    private sealed class ObserverScope(Action<Module, Tensor, Tensor>? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _forwardObserver = previous;
        }
    }

    /// <summary>"_conv1" → "conv1", "&lt;Weight&gt;k__BackingField" → "weight".</summary>
    private static string LocalName(string field)
    {
        if (field.StartsWith('<')) field = field[1..field.IndexOf('>')];
        field = field.TrimStart('_');
        return field.Length == 0 ? field : char.ToLowerInvariant(field[0]) + field[1..];
    }
}
