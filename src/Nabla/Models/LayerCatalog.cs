using Nabla.NN;
using Nabla.NN.Activations;
using Nabla.Tensors;
using static Nabla.Models.FieldDef;
using static Nabla.Models.FieldKind;

namespace Nabla.Models;

/// <summary>
/// Every layer type a <see cref="ModelSpec"/> can hold, in one table: JSON name, fields, how to build the module and
/// how to describe one. Adding a layer type means adding one entry here.
/// </summary>
internal static class LayerCatalog
{
    private static readonly FieldDef[] None = [];
    // 'eps' is the field's name before issue 15 (one name for the stability constant everywhere): still read, never written.
    private static readonly FieldDef[] BatchNormFields = [Opt("epsilon", PositiveNumber, alias: "eps"), Opt("momentum", Probability), Opt("affine", Bool)];

    public static IReadOnlyList<LayerType> Types { get; } =
    [
        new("linear", typeof(Linear), [Req("in", PositiveInt), Req("out", PositiveInt), Opt("bias", Bool)],
            a => new Linear(a.Int("in"), a.Int("out"), a.Bool("bias", true), a.Generator),
            (m, f) => { var l = (Linear)m; return f.Add("in", l.InFeatures).Add("out", l.OutFeatures).AddUnless("bias", l.Bias is not null, true); }),

        new("conv2d", typeof(Conv2d),
            [Req("in", PositiveInt), Req("out", PositiveInt), Req("kernel", PositiveSize), Opt("stride", PositiveSize),
             Opt("padding", NonNegativeSize), Opt("dilation", PositiveSize), Opt("groups", PositiveInt), Opt("bias", Bool)],
            a => new Conv2d(a.Int("in"), a.Int("out"), a.Size("kernel", 1), a.OptionalSize("stride"), a.OptionalSize("padding"),
                a.OptionalSize("dilation"), a.Int("groups", 1), a.Bool("bias", true), a.Generator),
            (m, f) =>
            {
                var c = (Conv2d)m;
                return f.Add("in", c.InChannels).Add("out", c.OutChannels).Add("kernel", c.KernelSize)
                    .AddUnless("stride", c.Stride, 1).AddUnless("padding", c.Padding, 0).AddUnless("dilation", c.Dilation, 1)
                    .AddUnless("groups", c.Groups, 1).AddUnless("bias", c.Bias is not null, true);
            }),

        new("depthwise_separable_conv2d", typeof(DepthwiseSeparableConv2d),
            [Req("in", PositiveInt), Req("out", PositiveInt), Req("kernel", PositiveSize), Opt("stride", PositiveSize),
             Opt("padding", NonNegativeSize), Opt("multiplier", PositiveInt), Opt("bias", Bool)],
            a => new DepthwiseSeparableConv2d(a.Int("in"), a.Int("out"), a.Size("kernel", 1), a.OptionalSize("stride"),
                a.OptionalSize("padding"), a.Int("multiplier", 1), a.Bool("bias", true), a.Generator),
            (m, f) =>
            {
                var d = (DepthwiseSeparableConv2d)m;
                return f.Add("in", d.InChannels).Add("out", d.OutChannels).Add("kernel", d.KernelSize)
                    .AddUnless("stride", d.Stride, 1).AddUnless("padding", d.Padding, 0)
                    .AddUnless("multiplier", d.DepthMultiplier, 1).AddUnless("bias", d.HasBias, true);
            }),

        new("maxpool2d", typeof(MaxPool2d),
            [Req("kernel", PositiveSize), Opt("stride", PositiveSize), Opt("padding", NonNegativeSize), Opt("ceil_mode", Bool)],
            a => new MaxPool2d(a.Size("kernel", 1), a.OptionalSize("stride"), a.OptionalSize("padding"), a.Bool("ceil_mode", false)),
            (m, f) =>
            {
                var p = (MaxPool2d)m;
                return f.Add("kernel", p.KernelSize).AddUnless("stride", p.Stride, p.KernelSize).AddUnless("padding", p.Padding, 0)
                    .AddUnless("ceil_mode", p.CeilMode, false);
            }),

        new("avgpool2d", typeof(AvgPool2d),
            [Req("kernel", PositiveSize), Opt("stride", PositiveSize), Opt("padding", NonNegativeSize), Opt("count_include_pad", Bool), Opt("ceil_mode", Bool)],
            a => new AvgPool2d(a.Size("kernel", 1), a.OptionalSize("stride"), a.OptionalSize("padding"), a.Bool("count_include_pad", true), a.Bool("ceil_mode", false)),
            (m, f) =>
            {
                var p = (AvgPool2d)m;
                return f.Add("kernel", p.KernelSize).AddUnless("stride", p.Stride, p.KernelSize).AddUnless("padding", p.Padding, 0)
                    .AddUnless("count_include_pad", p.CountIncludePad, true).AddUnless("ceil_mode", p.CeilMode, false);
            }),

        new("adaptive_avgpool2d", typeof(AdaptiveAvgPool2d), [Req("output", PositiveSize)],
            a => new AdaptiveAvgPool2d(a.Size("output", 1)),
            (m, f) => f.Add("output", ((AdaptiveAvgPool2d)m).OutputSize)),

        new("global_avgpool2d", typeof(GlobalAvgPool2d), None, _ => new GlobalAvgPool2d(), (_, f) => f),

        new("flatten", typeof(Flatten), [Opt("start", Int), Opt("end", Int)],
            a => new Flatten(a.Int("start", 1), a.Int("end", -1)),
            (m, f) => { var l = (Flatten)m; return f.AddUnless("start", l.StartAxis, 1).AddUnless("end", l.EndAxis, -1); }),

        new("dropout", typeof(Dropout), [Opt("p", Probability)],
            a => new Dropout(a.Number("p", 0.5), a.Generator),
            (m, f) => f.Add("p", ((Dropout)m).P)),

        new("batchnorm1d", typeof(BatchNorm1d), [Req("features", PositiveInt), .. BatchNormFields],
            a => new BatchNorm1d(a.Int("features"), a.Number("epsilon", 1e-5), a.Number("momentum", 0.1), a.Bool("affine", true)),
            (m, f) => DescribeBatchNorm((BatchNorm)m, f.Add("features", ((BatchNorm)m).NumFeatures))),

        new("batchnorm2d", typeof(BatchNorm2d), [Req("channels", PositiveInt), .. BatchNormFields],
            a => new BatchNorm2d(a.Int("channels"), a.Number("epsilon", 1e-5), a.Number("momentum", 0.1), a.Bool("affine", true)),
            (m, f) => DescribeBatchNorm((BatchNorm)m, f.Add("channels", ((BatchNorm)m).NumFeatures))),

        new("maxout", typeof(Maxout), [Req("in", PositiveInt), Req("out", PositiveInt), Opt("pieces", PositiveInt)],
            a => new Maxout(a.Int("in"), a.Int("out"), a.Int("pieces", 2), a.Generator),
            (m, f) => { var l = (Maxout)m; return f.Add("in", l.InFeatures).Add("out", l.OutFeatures).AddUnless("pieces", l.Pieces, 2); }),

        new("residual", typeof(Residual), [Req("layers", Layers), Opt("shortcut", Layers)],
            a => new Residual(a.Layers("layers"), a.OptionalLayers("shortcut")),
            (m, f) =>
            {
                var r = (Residual)m;
                f.AddLayers("layers", r.Body, "Residual");
                return r.Shortcut is null ? f : f.AddLayers("shortcut", r.Shortcut, "Residual");
            }),

        new("sequential", typeof(Sequential), [Req("layers", Layers)],
            a => a.Layers("layers"),
            (m, f) => f.AddLayers("layers", m, "Sequential")),

        new("relu", typeof(ReLU), None, _ => new ReLU(), (_, f) => f),

        new("leaky_relu", typeof(LeakyReLU), [Opt("alpha", Number)],
            a => new LeakyReLU(a.Number("alpha", 0.01)),
            (m, f) => f.AddUnless("alpha", ((LeakyReLU)m).Alpha, 0.01)),

        new("prelu", typeof(PReLU), [Opt("channels", PositiveInt), Opt("init", Number)],
            a => new PReLU(a.Int("channels", 1), a.Number("init", 0.25)),
            (m, f) => f.AddUnless("channels", ((PReLU)m).NumParameters, 1)),

        new("elu", typeof(ELU), [Opt("alpha", Number)],
            a => new ELU(a.Number("alpha", 1.0)),
            (m, f) => f.AddUnless("alpha", ((ELU)m).Alpha, 1.0)),

        new("sigmoid", typeof(Sigmoid), None, _ => new Sigmoid(), (_, f) => f),
        new("tanh", typeof(Tanh), None, _ => new Tanh(), (_, f) => f),
        new("identity", typeof(Identity), None, _ => new Identity(), (_, f) => f),

        new("softmax", typeof(Softmax), [Opt("axis", Int)],
            a => new Softmax(a.Int("axis", -1)),
            (m, f) => f.AddUnless("axis", ((Softmax)m).Axis, -1)),

        new("log_softmax", typeof(LogSoftmax), [Opt("axis", Int)],
            a => new LogSoftmax(a.Int("axis", -1)),
            (m, f) => f.AddUnless("axis", ((LogSoftmax)m).Axis, -1)),

        new("gelu", typeof(GELU), [OptChoice("approximate", "none", "tanh")],
            a => new GELU(a.Text("approximate", "none") == "tanh" ? GELUApproximation.Tanh : GELUApproximation.None),
            (m, f) => f.AddUnless("approximate", ((GELU)m).Approximate == GELUApproximation.Tanh ? "tanh" : "none", "none")),
        new("silu", typeof(SiLU), None, _ => new SiLU(), (_, f) => f),
    ];

    private static readonly Dictionary<string, LayerType> ByName = Types.ToDictionary(t => t.Name, StringComparer.Ordinal);
    private static readonly Dictionary<Type, LayerType> ByModule = Types.ToDictionary(t => t.ModuleType);

    /// <summary>The catalog entry for a JSON type name, or null.</summary>
    public static LayerType? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The catalog entry for a module's exact class, or null.</summary>
    public static LayerType? Find(Module module) => ByModule.GetValueOrDefault(module.GetType());

    private static FieldBag DescribeBatchNorm(BatchNorm bn, FieldBag f) => f.AddUnless("epsilon", bn.Epsilon, 1e-5).AddUnless("momentum", bn.Momentum, 0.1).AddUnless("affine", bn.Affine, true);
}
