using Nabla.Autograd;
using Nabla.Models;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Onnx.Tests.Import;

/// <summary>Inference calls reuse their intermediate storage (a per-thread arena); the outputs they return stay valid.</summary>
public class InferenceArenaTests
{
    [Fact]
    public void OutputsOfEarlierInferenceCallsSurviveLaterCalls()
    {
        var net = ModelZoo.LeNet5(new Generator(3));
        net.Eval();
        var imported = Onnx.Load(Onnx.ExportToBytes(net, [1, 28, 28]));
        var g = new Generator(4);
        var a = Tensor.Rand([5, 1, 28, 28], g);
        var b = Tensor.Rand([5, 1, 28, 28], g);
        using var _ = GradMode.NoGrad();
        var ya = imported.Forward(a);
        float[] first = ya.ToArray();
        for (int i = 0; i < 3; i++) imported.Forward(b);
        Assert.Equal(first, ya.ToArray());
        Assert.Equal(net.Forward(a).ToArray(), first);
    }
}
