using Nabla.NN.Recurrent;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.NN.Recurrent.RecurrentReference;
using static Nabla.Tests.TestUtil;

namespace Nabla.Tests.NN.Recurrent;

/// <summary>
/// The float32 LSTM cell runs its gates a vector of units at a time (8 with AVX2, 4 on the 128-bit path: CI runs this
/// suite under both) and the last units in the scalar loop. With 13 hidden units both parts run: outputs and final
/// states must match the float64 step-by-step reference, and the gradients the float64 module's.
/// </summary>
public class LstmSimdCellTests
{
    private const int N = 3, T = 5, X = 4, H = 13;

    [Fact]
    public void VectorAndScalarUnitsMatchTheFloat64Reference()
    {
        var lstm = new LSTM(X, H, 1, batchFirst: true, bidirectional: false, dropout: 0, forgetGateBias: 1.0, generator: new Generator(4));
        var xv = Rand64([N, T, X], 31, -2, 2).ToDoubleArray();
        var x32 = Tensor.FromArray(xv.Select(v => (float)v).ToArray(), N, T, X);
        x32.RequiresGrad = true;
        var r32 = lstm.Run(x32, null, null);
        var (eo, eh, ec) = RecurrentReference.Run(lstm, Cell.LSTM, Nest(xv, N, T, X));
        AssertClose(Flat(eo), r32.Output.ToDoubleArray(), 1e-5);
        AssertClose(Flat(eh), r32.Hidden.ToDoubleArray(), 1e-5);
        AssertClose(Flat(ec), r32.Cell!.ToDoubleArray(), 1e-5);

        var w = Rand64([N, T, H], 32, -1, 1);
        (r32.Output * w.ToDType(DType.Float32)).Sum().Backward();
        var grads32 = lstm.Parameters().Select(p => p.Grad!.ToDoubleArray()).ToArray();
        var dx32 = x32.Grad!.ToDoubleArray();

        var lstm64 = new LSTM(X, H, 1, batchFirst: true, bidirectional: false, dropout: 0, forgetGateBias: 1.0, generator: new Generator(4));
        lstm64.To(DType.Float64);
        var x64 = Tensor.FromArray(xv, N, T, X);
        x64.RequiresGrad = true;
        (lstm64.Run(x64, null, null).Output * w).Sum().Backward();
        AssertClose(x64.Grad!.ToDoubleArray(), dx32, 1e-4);
        var grads64 = lstm64.Parameters().Select(p => p.Grad!.ToDoubleArray()).ToArray();
        for (int i = 0; i < grads64.Length; i++) AssertClose(grads64[i], grads32[i], 1e-4);
    }
}
