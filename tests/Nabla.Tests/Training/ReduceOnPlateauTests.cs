using Nabla.Optim;
using Nabla.Training;
using Xunit;
using static Nabla.Tests.Optim.OptimTestUtil;

namespace Nabla.Tests.Training;

public class ReduceOnPlateauTests
{
    [Fact]
    public void ReducesAfterPatienceBadReports()
    {
        var opt = new SGD([Param(1)], 0.1);
        var plateau = new ReduceOnPlateau(opt, factor: 0.5, patience: 2, minDelta: 0.01);
        Assert.False(plateau.Report(1.0));   // best 1.0
        Assert.False(plateau.Report(0.9));   // improves by 0.1 > 0.01: best 0.9
        Assert.False(plateau.Report(0.895)); // improves by only 0.005 < min delta: bad 1
        Assert.False(plateau.Report(0.95));  // bad 2 = patience: still tolerated
        Assert.Equal(0.1, opt.LearningRate);
        Assert.True(plateau.Report(0.95));   // bad 3 > patience: η = 0.1·0.5
        Assert.Equal(0.05, opt.LearningRate, 15);
        Assert.Equal(0, plateau.BadReports);
        Assert.False(plateau.Report(0.95));
        Assert.False(plateau.Report(0.95));
        Assert.True(plateau.Report(0.95));   // three more bad reports: 0.025
        Assert.Equal(0.025, opt.LearningRate, 15);
        Assert.Equal(2, plateau.Reductions);
    }

    [Fact]
    public void CooldownMinimumRateAndMaximizing()
    {
        var opt = new SGD([Param(1)], 0.1);
        var plateau = new ReduceOnPlateau(opt, factor: 0.1, patience: 0, cooldown: 2, minLearningRate: 0.005, maximize: true);
        plateau.Report(0.5);                 // best accuracy 0.5
        Assert.True(plateau.Report(0.4));    // worse, patience 0: 0.01
        Assert.Equal(0.01, opt.LearningRate, 15);
        Assert.False(plateau.Report(0.4));   // cooldown 2 → 1
        Assert.False(plateau.Report(0.4));   // cooldown 1 → 0
        Assert.True(plateau.Report(0.4));    // 0.001 is below the floor: 0.005
        Assert.Equal(0.005, opt.LearningRate, 15);
        Assert.False(plateau.Report(0.6));   // better accuracy
        Assert.Equal(0.6, plateau.Best);
        var state = plateau.StateDict();
        var again = new ReduceOnPlateau(opt, factor: 0.1, patience: 0, cooldown: 2, minLearningRate: 0.005, maximize: true);
        again.LoadStateDict(state);
        Assert.Equal((plateau.Best, plateau.BadReports, plateau.CooldownLeft, plateau.Reductions),
            (again.Best, again.BadReports, again.CooldownLeft, again.Reductions));
    }

    [Fact]
    public void BadOptionsAreRejected()
    {
        var opt = new SGD([Param(1)], 0.1);
        var e = Assert.Throws<Errors.ValueException>(() => new ReduceOnPlateau(opt, factor: 1));
        Assert.Contains("ReduceOnPlateau", e.Message); Assert.Contains("factor", e.Message); Assert.Contains("1", e.Message);
        Assert.Throws<Errors.ValueException>(() => new ReduceOnPlateau(opt, patience: -1));
        Assert.Throws<Errors.ValueException>(() => new ReduceOnPlateau(opt, minDelta: double.NaN));
    }
}
