using Nabla.Tensors;

namespace Nabla.Onnx.Import.Operators;

/// <summary>
/// Elementwise functions Nabla has no tensor operation for, as differentiable operations: the value and the derivative
/// are computed per element in double precision; backward multiplies the incoming gradient by the derivative.
/// Step functions (Floor, Ceil, Round, Sign) have no derivative argument: their gradient is zero, so nothing is recorded.
/// </summary>
internal static class MathFunction
{
    public static Tensor Apply(Tensor x, string name, Func<double, double> f, Func<double, double>? derivative = null)
    {
        double[] v = x.ToDoubleArray();
        var y = new double[v.Length];
        for (int i = 0; i < v.Length; i++) y[i] = f(v[i]);
        var result = Values.Array(y, x.Shape.ToArray());
        if (x.DType != DType.Float64) result = result.ToDType(x.DType);
        if (derivative is null) return result;
        return result.Record(name, [x], g =>
        {
            var d = new double[v.Length];
            for (int i = 0; i < v.Length; i++) d[i] = derivative(v[i]);
            var slope = Values.Array(d, x.Shape.ToArray());
            x.AccumulateGrad(g * (g.DType == DType.Float64 ? slope : slope.ToDType(g.DType)));
        });
    }

    /// <summary>erf from the complementary function's Chebyshev-fitted exponential form (relative error below 1.2e-7).</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        double z = Math.Abs(x);
        double t = 1 / (1 + 0.5 * z);
        double poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
                      t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
        double erfc = t * Math.Exp(poly);
        return x >= 0 ? 1 - erfc : erfc - 1;
    }

    /// <summary>d erf/dx = 2/√π · exp(−x²).</summary>
    public static double ErfDerivative(double x) => 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x);
}
