using Nabla.Autograd;
using Nabla.Errors;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Autograd;

/// <summary>
/// Anomaly detection is a scope of the thread that opens it: while open, any backward pass on that thread that yields a
/// non-finite gradient throws; other threads (such as the NaN guard's tests, which produce NaN gradients on purpose,
/// running in parallel) are unaffected.
/// </summary>
public class AnomalyModeTests
{
    [Fact]
    public void AnomalyModeNamesTheOperationThatProducedANonFiniteGradient()
    {
        var x = Tensor.FromArray([0f, 1f]); x.RequiresGrad = true;
        using (GradMode.DetectAnomaly())
        {
            var y = x.Sqrt().Sum(); // d sqrt / dx at 0 is +inf
            var ex = Assert.Throws<AutogradException>(() => y.Backward());
            Assert.Contains("sqrt", ex.Message);
        }
        Assert.False(GradMode.IsAnomalyDetectionEnabled);
    }

    [Fact]
    public void WithoutTheScopeANonFiniteGradientPassesUnchecked()
    {
        var x = Tensor.FromArray([0f, 1f]); x.RequiresGrad = true;
        x.Sqrt().Sum().Backward();
        Assert.True(float.IsPositiveInfinity(x.Grad!.ToArray()[0]));
    }

    [Fact]
    public void TheScopeIsActiveOnlyOnItsThread()
    {
        using (GradMode.DetectAnomaly())
        {
            Assert.True(GradMode.IsAnomalyDetectionEnabled);
            bool elsewhere = true;
            Exception? failure = null;
            var other = new Thread(() =>
            {
                try
                {
                    elsewhere = GradMode.IsAnomalyDetectionEnabled;
                    var x = Tensor.FromArray([0f, 1f]); x.RequiresGrad = true;
                    x.Sqrt().Sum().Backward(); // not checked on this thread: no throw
                }
                catch (Exception e) { failure = e; }
            });
            other.Start();
            other.Join();
            Assert.Null(failure);
            Assert.False(elsewhere);
        }
        Assert.False(GradMode.IsAnomalyDetectionEnabled);
    }

    [Fact]
    public void NestedScopesKeepDetectionOnUntilTheOutermostEnds()
    {
        var outer = GradMode.DetectAnomaly();
        using (GradMode.DetectAnomaly()) Assert.True(GradMode.IsAnomalyDetectionEnabled);
        Assert.True(GradMode.IsAnomalyDetectionEnabled);
        outer.Dispose();
        Assert.False(GradMode.IsAnomalyDetectionEnabled);
    }

    [Fact]
    public void DisposingTwiceThrows()
    {
        var scope = GradMode.DetectAnomaly();
        scope.Dispose();
        var ex = Assert.Throws<AutogradException>(() => scope.Dispose());
        Assert.Contains("GradMode.DetectAnomaly scope disposed twice", ex.Message);
        Assert.False(GradMode.IsAnomalyDetectionEnabled);
    }

    [Fact]
    public void DisposingOutOfOrderThrowsAndChangesNothing()
    {
        var outer = GradMode.DetectAnomaly();
        var inner = GradMode.DetectAnomaly();
        var ex = Assert.Throws<AutogradException>(() => outer.Dispose());
        Assert.Contains("disposed out of order", ex.Message);
        Assert.Contains("1 inner scope(s)", ex.Message);
        Assert.True(GradMode.IsAnomalyDetectionEnabled);
        inner.Dispose();
        outer.Dispose();
        Assert.False(GradMode.IsAnomalyDetectionEnabled);
    }

    [Fact]
    public void DisposingOnAnotherThreadThrowsNamingBothThreads()
    {
        var scope = GradMode.DetectAnomaly();
        int opener = Environment.CurrentManagedThreadId, disposer = 0;
        Exception? caught = null;
        var other = new Thread(() =>
        {
            disposer = Environment.CurrentManagedThreadId;
            try { scope.Dispose(); } catch (Exception e) { caught = e; }
        });
        other.Start();
        other.Join();
        var ex = Assert.IsType<AutogradException>(caught);
        Assert.Contains($"disposed on thread {disposer} but opened on thread {opener}", ex.Message);
        Assert.True(GradMode.IsAnomalyDetectionEnabled);
        scope.Dispose();
        Assert.False(GradMode.IsAnomalyDetectionEnabled);
    }
}
