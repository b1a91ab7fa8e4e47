using Nabla.NN;
using Nabla.Tensors;
using Xunit;
using Xunit.Abstractions;
using static Nabla.Tests.Parity.ParityFixture;

namespace Nabla.Tests.Parity;

/// <summary>
/// BatchNorm1d ([N, C] and [N, C, L]) and BatchNorm2d against PyTorch over three training batches and one evaluation
/// batch: outputs, gradients of the input, γ and β, and the running mean, running (unbiased) variance and batch count
/// after every batch, from non-default starting statistics.
/// </summary>
public class BatchNormParityTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> BatchNorms => Names("batchnorm");

    [Theory]
    [MemberData(nameof(BatchNorms))]
    public void MatchesPyTorch(string name)
    {
        var c = Case(name);
        var check = new ParityCheck(c, output);
        var a = c.GetProperty("args");
        int features = Int(a, "num_features");
        double eps = Num(a, "eps"), momentum = Num(a, "momentum");
        bool affine = Bool(a, "affine");
        BatchNorm bn = c.GetProperty("layer").GetString() == "BatchNorm2d"
            ? new BatchNorm2d(features, eps, momentum, affine)
            : new BatchNorm1d(features, eps, momentum, affine);
        bn.To(DType.Float64);
        var parameters = LayerParityTests.LoadParameters(bn, c.GetProperty("params"));
        bn.RunningMean.CopyFrom(ToTensor(c.GetProperty("initial").GetProperty("running_mean")));
        bn.RunningVar.CopyFrom(ToTensor(c.GetProperty("initial").GetProperty("running_var")));

        int i = 0;
        foreach (var step in c.GetProperty("steps").EnumerateArray())
        {
            string at = $"batch {i++} ({(Bool(step, "train") ? "train" : "eval")}) ";
            bn.Train(Bool(step, "train"));
            bn.ZeroGrad();
            var x = ToTensor(step.GetProperty("inputs").GetProperty("x"), requiresGrad: true);
            var y = bn.Forward(x);
            check.Tensor(at + "y", step.GetProperty("outputs").GetProperty("y"), y);
            y.Backward(ToTensor(step.GetProperty("upstream").GetProperty("y")));
            foreach (var g in step.GetProperty("grads").EnumerateObject())
                check.Tensor(at + "d" + g.Name, g.Value, g.Name == "input.x" ? x.Grad : parameters[g.Name].Grad);
            check.Tensor(at + "running_mean", step.GetProperty("running_mean"), bn.RunningMean);
            check.Tensor(at + "running_var", step.GetProperty("running_var"), bn.RunningVar);
            check.Value(at + "num_batches_tracked", Int(step, "num_batches_tracked"), bn.NumBatchesTracked.Item());
        }
        check.Verify();
    }
}
