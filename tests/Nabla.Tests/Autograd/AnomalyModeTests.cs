using Nabla.Autograd;
using Nabla.Errors;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Autograd;

/// <summary>
/// Anomaly mode is process-wide: while on, any backward pass that yields a non-finite gradient throws. So this runs in
/// the serial collection, never beside tests (such as the NaN guard's) that produce NaN gradients on purpose.
/// </summary>
[Collection(Nabla.Tests.Kernels.GemmCollection.Name)]
public class AnomalyModeTests
{
    [Fact]
    public void AnomalyModeNamesTheOperationThatProducedANonFiniteGradient()
    {
        var x = Tensor.FromArray([0f, 1f]); x.RequiresGrad = true;
        GradMode.DetectAnomaly = true;
        try
        {
            var y = x.Sqrt().Sum(); // d sqrt / dx at 0 is +inf
            var ex = Assert.Throws<AutogradException>(() => y.Backward());
            Assert.Contains("sqrt", ex.Message);
        }
        finally { GradMode.DetectAnomaly = false; }
    }
}
