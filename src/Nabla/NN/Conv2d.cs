using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>
/// A 2-D convolution layer: K filters of size F×F×(C/groups) slide over a [N, C, H, W] input with the given stride,
/// zero padding and dilation, each producing one output channel of [N, K, OH, OW], OH = ⌊(H + 2p − d(F − 1) − 1)/s⌋ + 1.
/// Weights are shared across positions (one filter detects one pattern anywhere), and each filter has one bias:
/// (F·F·C/groups + 1)·K parameters, the lectures' (F·F·C + 1)·K for groups = 1. With groups = C = K it is a
/// depthwise convolution. Initialized as PyTorch does: weight and bias uniform in ±1/√fan_in with
/// fan_in = C/groups·F·F (Kaiming-uniform with a = √5).
/// </summary>
public sealed class Conv2d : Module
{
    /// <summary>Creates the layer; weight [K, C/groups, KH, KW] and bias [K] are drawn from <paramref name="generator"/> (default <see cref="Generator.Default"/>).</summary>
    public Conv2d(int inChannels, int outChannels, Size2d kernelSize, Size2d? stride = null, Size2d? padding = null,
        Size2d? dilation = null, int groups = 1, bool bias = true, Generator? generator = null)
    {
        string name = $"Conv2d({inChannels} → {outChannels}, {kernelSize})";
        if (inChannels <= 0 || outChannels <= 0)
            throw new ValueException($"{name}: channel counts must be positive, got in={inChannels}, out={outChannels}");
        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ValueException($"{name}: groups must be positive and divide both channel counts, got groups={groups}");
        Stride = stride ?? 1;
        Padding = padding ?? 0;
        Dilation = dilation ?? 1;
        if (!kernelSize.AllAtLeast(1)) throw new ValueException($"{name}: the kernel size must be positive, got {kernelSize}");
        if (!Stride.AllAtLeast(1)) throw new ValueException($"{name}: the stride must be positive, got {Stride}");
        if (!Padding.AllAtLeast(0)) throw new ValueException($"{name}: the padding must be non-negative, got {Padding}");
        if (!Dilation.AllAtLeast(1)) throw new ValueException($"{name}: the dilation must be positive, got {Dilation}");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Groups = groups;
        int fanIn = inChannels / groups * kernelSize.H * kernelSize.W;
        double bound = 1.0 / Math.Sqrt(fanIn);
        Weight = new Parameter(Tensor.Uniform([outChannels, inChannels / groups, kernelSize.H, kernelSize.W], -bound, bound, generator));
        if (bias) Bias = new Parameter(Tensor.Uniform([outChannels], -bound, bound, generator), isBias: true);
    }

    /// <summary>C, the input channels.</summary>
    public int InChannels { get; }

    /// <summary>K, the number of filters (output channels).</summary>
    public int OutChannels { get; }

    /// <summary>The filter height and width.</summary>
    public Size2d KernelSize { get; }

    /// <summary>The step between neighbouring filter positions.</summary>
    public Size2d Stride { get; }

    /// <summary>The zero rows/columns added on each side.</summary>
    public Size2d Padding { get; }

    /// <summary>The spacing between kernel taps (1 = dense).</summary>
    public Size2d Dilation { get; }

    /// <summary>The number of channel groups; each filter sees C/groups input channels.</summary>
    public int Groups { get; }

    /// <summary>The filters, [K, C/groups, KH, KW].</summary>
    public Parameter Weight { get; }

    /// <summary>One bias per filter, [K], or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank != 4 || input.Shape[1] != InChannels)
            throw new ShapeException($"{Describe()}: expected input [N,{InChannels},H,W], got {input.Shape}");
        Tensor w = Weight;
        if (input.DType != w.DType)
            throw new ValueException($"{Describe()}: input is {input.DType} but the parameters are {w.DType}; convert the module with To({input.DType})");
        try
        {
            return Tensor.Conv2d(input, w, Bias?.Data, Stride.ToTuple(), Padding.ToTuple(), Dilation.ToTuple(), Groups);
        }
        catch (ShapeException e) { throw new ShapeException($"{Describe()}: input {input.Shape} does not fit: {e.Message}"); }
    }

    /// <summary>N·K·(C/groups)·KH·KW·OH·OW: every output element is a weighted sum over one filter (bias additions not counted).</summary>
    public override long MultiplyAccumulates(Shape input, Shape output)
        => (long)output.Numel * (InChannels / Groups) * KernelSize.H * KernelSize.W;

    /// <summary>E.g. <c>Conv2d(1 → 6, 5x5, pad 2)</c>; stride, padding, dilation and groups appear when not the default.</summary>
    public override string Describe()
    {
        var parts = new List<string> { $"{InChannels} → {OutChannels}", KernelSize.ToString() };
        if (Stride != new Size2d(1, 1)) parts.Add($"stride {Stride.ToShortString()}");
        if (Padding != new Size2d(0, 0)) parts.Add($"pad {Padding.ToShortString()}");
        if (Dilation != new Size2d(1, 1)) parts.Add($"dilation {Dilation.ToShortString()}");
        if (Groups != 1) parts.Add($"groups {Groups}");
        if (Bias is null) parts.Add("no bias");
        return $"Conv2d({string.Join(", ", parts)})";
    }
}
