using Nabla.Autograd;
using Nabla.Errors;
using Nabla.NN;
using Nabla.Tensors;

namespace Nabla.Models;

/// <summary>
/// A serializable description of a layer-by-layer model, so a checkpoint can rebuild its model and a user can write one
/// by hand:
/// <code>
/// {"input": [1, 28, 28],
///  "layers": [{"type": "conv2d", "in": 1, "out": 6, "kernel": 5, "padding": 2}, {"type": "relu"},
///             {"type": "maxpool2d", "kernel": 2}, {"type": "flatten"}, {"type": "linear", "in": 1176, "out": 10}]}
/// </code>
/// Parsing is strict: unknown layer types, unknown fields, missing required fields and values of the wrong type or
/// range are <see cref="ConfigurationException"/>s naming the source, the layer index and the field. Sizes (kernel,
/// stride, padding, dilation) are an integer or [height, width]. <c>residual</c> takes <c>layers</c> (the branch) and an
/// optional <c>shortcut</c> (a projection); <c>sequential</c> nests a list. <see cref="LayerTypes"/> lists every type.
/// </summary>
public sealed class ModelSpec
{
    internal ModelSpec(IReadOnlyList<LayerSpec> layers, IReadOnlyList<int>? input, string? name, string source)
    {
        Layers = layers;
        Input = input;
        Name = name;
        Source = source;
    }

    /// <summary>An optional model name (the zoo's specs carry theirs, e.g. <c>lenet</c>).</summary>
    public string? Name { get; }

    /// <summary>The shape of one input sample without the batch axis (e.g. [1, 28, 28]), or null if not given.</summary>
    public IReadOnlyList<int>? Input { get; }

    /// <summary>The layers, applied in order.</summary>
    public IReadOnlyList<LayerSpec> Layers { get; }

    /// <summary>Where the description came from (a file name), used to start error messages.</summary>
    public string Source { get; }

    /// <summary>Every layer type name a description may use.</summary>
    public static IReadOnlyList<string> LayerTypes { get; } = LayerCatalog.Types.Select(t => t.Name).ToArray();

    /// <summary>Parses and validates <paramref name="json"/>; <paramref name="source"/> (e.g. the file name) starts every error message.</summary>
    /// <exception cref="ConfigurationException">The JSON is malformed or does not describe a valid model.</exception>
    public static ModelSpec Parse(string json, string source = "model spec")
    {
        ArgumentNullException.ThrowIfNull(json);
        return new ModelSpecReader(source).Read(json);
    }

    /// <summary>Reads and parses the file at <paramref name="path"/>; errors name the file.</summary>
    public static ModelSpec Load(string path) => Parse(File.ReadAllText(path), Path.GetFileName(path));

    /// <summary>
    /// Describes <paramref name="model"/>, a <see cref="Sequential"/> of catalog layers (residual branches must be
    /// Sequentials too), so that <see cref="Build"/> gives a model with the same parameter names and shapes.
    /// Learned values are not part of a description (they go to the checkpoint), nor are dropout generators or
    /// PReLU's initial slope.
    /// </summary>
    /// <exception cref="ConfigurationException">A module has no description type.</exception>
    public static ModelSpec FromModule(Module model, IReadOnlyList<int>? input = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is not Sequential seq)
            throw new ConfigurationException($"ModelSpec.FromModule: the model must be a Sequential so that its parameter names survive a rebuild, got {model.GetType().Name}");
        if (input is not null && (input.Count == 0 || input.Any(d => d <= 0)))
            throw new ConfigurationException($"ModelSpec.FromModule: the input shape must be positive dimensions of one sample, got [{string.Join(",", input)}]");
        return new ModelSpec(seq.Layers.Select(Describe).ToList(), input?.ToArray(), name, name ?? "model");
    }

    /// <summary>
    /// Builds the model, drawing initial weights from <paramref name="generator"/> (default <see cref="Generator.Default"/>;
    /// dropout layers take their masks from it too). When <see cref="Input"/> is given, a forward pass on zeros checks
    /// that the layers' shapes chain. The model is returned in training mode.
    /// </summary>
    /// <exception cref="ConfigurationException">A layer cannot be built from its fields, or the shapes do not chain.</exception>
    public Sequential Build(Generator? generator = null)
    {
        var model = BuildLayers(Layers, "", generator);
        if (Input is not null) CheckShapes(model);
        return model;
    }

    /// <summary>The description as JSON, one line per layer; <see cref="Parse"/> reads it back.</summary>
    public string ToJson() => ModelSpecWriter.Write(this);

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/>.</summary>
    public void Save(string path) => File.WriteAllText(path, ToJson());

    /// <inheritdoc/>
    public override string ToString() => ToJson();

    private static LayerSpec Describe(Module module)
    {
        var type = LayerCatalog.Find(module)
            ?? throw new ConfigurationException($"ModelSpec.FromModule: {module.Describe()} ({module.GetType().Name}) has no description type; describable layers: {string.Join(", ", LayerCatalog.Types.Select(t => t.ModuleType.Name))}");
        var bag = type.Describe(module, new FieldBag(Describe));
        var ordered = new Dictionary<string, object>();
        foreach (var f in type.Fields)
            if (bag.Fields.TryGetValue(f.Name, out var v)) ordered[f.Name] = v;
        return new LayerSpec(type.Name, ordered);
    }

    private Sequential BuildLayers(IReadOnlyList<LayerSpec> layers, string prefix, Generator? generator)
    {
        var seq = new Sequential();
        for (int i = 0; i < layers.Count; i++) seq.Add(BuildLayer(layers[i], prefix + i, generator));
        return seq;
    }

    private Module BuildLayer(LayerSpec spec, string path, Generator? generator)
    {
        var type = LayerCatalog.Find(spec.Type) ?? throw new ConfigurationException($"{Source}: layer {path}: unknown layer type '{spec.Type}'");
        var args = new LayerArgs(spec, generator, (children, field) => BuildLayers(children, $"{path}.{field}.", generator));
        try
        {
            return type.Build(args);
        }
        catch (ConfigurationException) { throw; }
        catch (NablaException e) { throw new ConfigurationException($"{Source}: layer {path} ({spec.Type}): {e.Message}", e); }
    }

    private void CheckShapes(Sequential model)
    {
        var x = Tensor.Zeros([1, .. Input!]);
        var input = x.Shape;
        model.Eval();
        try
        {
            using (GradMode.NoGrad())
                for (int i = 0; i < model.Layers.Count; i++)
                {
                    try { x = model.Layers[i].Forward(x); }
                    catch (NablaException e)
                    {
                        throw new ConfigurationException($"{Source}: layer {i} ({Layers[i].Type}): the layers do not fit the input {input}: {e.Message}", e);
                    }
                }
        }
        finally { model.Train(); }
    }
}
