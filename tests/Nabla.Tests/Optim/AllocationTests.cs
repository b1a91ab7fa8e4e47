using Nabla.NN;
using Nabla.Tensors;
using Xunit;
using static Nabla.Tests.Optim.OptimTestUtil;

namespace Nabla.Tests.Optim;

/// <summary>State buffers are allocated once per parameter; afterwards a step allocates nothing.</summary>
public class AllocationTests
{
    public static TheoryData<string> Names() => [.. All().Select(o => o.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void SteadyStateStepsDoNotAllocate(string name)
    {
        var w = new Parameter(Tensor.Ones([37]));
        var b = new Parameter(Tensor.Ones([5], DType.Float64), isBias: true);
        w.Grad = Tensor.Full([37], 0.5);
        b.Grad = Tensor.Full([5], 0.5, DType.Float64);
        var opt = All().Single(o => o.Name == name).Create([w, b], 0.01);
        opt.WeightDecay = 0.1;
        opt.Step();
        opt.Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) opt.Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
