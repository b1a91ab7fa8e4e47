using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>
/// Parameter initializers. Each fills a tensor in place (pass a <see cref="Parameter"/> directly: it converts to its
/// tensor) without recording for autograd, and returns it. For a weight [out, in] fan_in = in and fan_out = out; for a
/// convolution kernel [out, in, kh, kw] both are multiplied by the receptive field kh·kw.
/// </summary>
/// <remarks>
/// All-zero (or all-equal) weights make every hidden unit compute the same function and receive the same gradient,
/// so they stay identical forever: random initialization breaks this symmetry. The scaled schemes below keep the
/// variance of activations roughly constant from layer to layer: Xavier/Glorot Var(w) = gain²·2/(fan_in + fan_out)
/// for tanh/sigmoid, Kaiming/He Var(w) = gain²/fan for ReLU, LeCun Var(w) = 1/fan_in for SELU.
/// </remarks>
public static class Init
{
    /// <summary>Sets every element to 0.</summary>
    public static Tensor Zeros(Tensor tensor)
    {
        tensor.Zero();
        return tensor;
    }

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public static Tensor Constant(Tensor tensor, double value)
    {
        tensor.CopyFrom(Tensor.Full(tensor.Shape.ToArray(), value, tensor.DType));
        return tensor;
    }

    /// <summary>Fills with samples of U(<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static Tensor Uniform(Tensor tensor, double low = 0, double high = 1, Generator? generator = null)
    {
        if (!(low <= high)) throw new ValueException($"Init.Uniform: low {low} must not exceed high {high}");
        tensor.CopyFrom(Tensor.Uniform(tensor.Shape.ToArray(), low, high, generator, tensor.DType));
        return tensor;
    }

    /// <summary>Fills with samples of N(<paramref name="mean"/>, <paramref name="std"/>²).</summary>
    public static Tensor Normal(Tensor tensor, double mean = 0, double std = 1, Generator? generator = null)
    {
        if (!(std >= 0)) throw new ValueException($"Init.Normal: the standard deviation must be non-negative, got {std}");
        tensor.CopyFrom(Tensor.Normal(tensor.Shape.ToArray(), mean, std, generator, tensor.DType));
        return tensor;
    }

    /// <summary>Xavier/Glorot uniform: U(−b, b) with b = gain·√(6 / (fan_in + fan_out)).</summary>
    public static Tensor XavierUniform(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        var (fanIn, fanOut) = Fans(tensor.Shape, "Init.XavierUniform");
        double bound = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        return Uniform(tensor, -bound, bound, generator);
    }

    /// <summary>Xavier/Glorot normal: N(0, σ²) with σ = gain·√(2 / (fan_in + fan_out)).</summary>
    public static Tensor XavierNormal(Tensor tensor, double gain = 1, Generator? generator = null)
    {
        var (fanIn, fanOut) = Fans(tensor.Shape, "Init.XavierNormal");
        return Normal(tensor, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)), generator);
    }

    /// <summary>
    /// Kaiming/He uniform: U(−b, b) with b = gain·√(3 / fan), fan chosen by <paramref name="mode"/> and gain by
    /// <paramref name="nonlinearity"/> (<paramref name="a"/> is the leaky-ReLU slope). PyTorch's Linear and Conv2d
    /// default is a = √5 with LeakyReLU, which gives b = 1/√fan_in.
    /// </summary>
    public static Tensor KaimingUniform(Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn,
        Nonlinearity nonlinearity = Nonlinearity.LeakyReLU, Generator? generator = null)
    {
        double bound = Math.Sqrt(3.0) * KaimingStd(tensor.Shape, a, mode, nonlinearity, "Init.KaimingUniform");
        return Uniform(tensor, -bound, bound, generator);
    }

    /// <summary>Kaiming/He normal: N(0, σ²) with σ = gain / √fan.</summary>
    public static Tensor KaimingNormal(Tensor tensor, double a = 0, FanMode mode = FanMode.FanIn,
        Nonlinearity nonlinearity = Nonlinearity.LeakyReLU, Generator? generator = null)
        => Normal(tensor, 0, KaimingStd(tensor.Shape, a, mode, nonlinearity, "Init.KaimingNormal"), generator);

    /// <summary>LeCun uniform: U(−b, b) with b = √(3 / fan_in) (variance 1/fan_in).</summary>
    public static Tensor LeCunUniform(Tensor tensor, Generator? generator = null)
    {
        double bound = Math.Sqrt(3.0 / Fans(tensor.Shape, "Init.LeCunUniform").FanIn);
        return Uniform(tensor, -bound, bound, generator);
    }

    /// <summary>LeCun normal: N(0, σ²) with σ = 1/√fan_in.</summary>
    public static Tensor LeCunNormal(Tensor tensor, Generator? generator = null)
        => Normal(tensor, 0, 1 / Math.Sqrt(Fans(tensor.Shape, "Init.LeCunNormal").FanIn), generator);

    /// <summary>
    /// The recommended gain for <paramref name="nonlinearity"/>: 1 for linear and sigmoid, 5/3 for tanh, √2 for ReLU,
    /// √(2 / (1 + a²)) for leaky ReLU with slope <paramref name="negativeSlope"/>, 3/4 for SELU.
    /// </summary>
    public static double Gain(Nonlinearity nonlinearity, double negativeSlope = 0.01) => nonlinearity switch
    {
        Nonlinearity.Linear or Nonlinearity.Sigmoid => 1,
        Nonlinearity.Tanh => 5.0 / 3,
        Nonlinearity.ReLU => Math.Sqrt(2),
        Nonlinearity.LeakyReLU => Math.Sqrt(2 / (1 + negativeSlope * negativeSlope)),
        Nonlinearity.SELU => 0.75,
        _ => throw new ValueException($"Init.Gain: unknown nonlinearity {nonlinearity}"),
    };

    /// <summary>
    /// (fan_in, fan_out) of a weight: [out, in] → (in, out); [out, in, k…] → (in·Πk, out·Πk). Needs at least two dimensions.
    /// </summary>
    public static (int FanIn, int FanOut) Fans(Shape shape, string caller = "Init")
    {
        if (shape.Rank < 2)
            throw new ShapeException($"{caller}: fan_in and fan_out need a weight of at least 2 dimensions ([out, in] or [out, in, kh, kw]), got {shape}");
        int receptive = 1;
        for (int i = 2; i < shape.Rank; i++) receptive *= shape[i];
        return (shape[1] * receptive, shape[0] * receptive);
    }

    private static double KaimingStd(Shape shape, double a, FanMode mode, Nonlinearity nonlinearity, string caller)
    {
        var (fanIn, fanOut) = Fans(shape, caller);
        int fan = mode == FanMode.FanIn ? fanIn : fanOut;
        if (fan == 0) throw new ShapeException($"{caller}: the weight {shape} has a zero fan");
        return Gain(nonlinearity, a) / Math.Sqrt(fan);
    }
}
