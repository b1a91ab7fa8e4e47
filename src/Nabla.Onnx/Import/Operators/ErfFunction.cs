using Nabla.Tensors;

namespace Nabla.Onnx.Import.Operators;

/// <summary>
/// The error function as a differentiable operation: erf(x) from the complementary function's Chebyshev-fitted
/// exponential form (relative error below 1.2e-7), d erf/dx = 2/√π · exp(−x²).
/// </summary>
internal static class ErfFunction
{
    public static Tensor Apply(Tensor x)
    {
        double[] v = x.ToDoubleArray();
        var y = new double[v.Length];
        for (int i = 0; i < v.Length; i++) y[i] = Erf(v[i]);
        var result = Tensor.FromArray(y, x.Shape.ToArray());
        if (x.DType != DType.Float64) result = result.ToDType(x.DType);
        return result.Record("erf", [x], g =>
        {
            var slope = (x * x * -1.0).Exp() * (2 / Math.Sqrt(Math.PI));
            x.AccumulateGrad(g * slope);
        });
    }

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
}
