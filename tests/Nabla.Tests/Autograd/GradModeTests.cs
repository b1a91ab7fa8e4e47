using Nabla.Autograd;
using Nabla.Errors;
using Nabla.Tensors;
using Xunit;

namespace Nabla.Tests.Autograd;

/// <summary>The no-grad scope: per thread, nesting, and a clear error instead of a leaked mode on a mismatched dispose.</summary>
public class GradModeTests
{
    [Fact]
    public void NestingRestoresThePreviousState()
    {
        Assert.True(GradMode.IsEnabled);
        using (GradMode.NoGrad())
        {
            Assert.False(GradMode.IsEnabled);
            using (GradMode.NoGrad()) Assert.False(GradMode.IsEnabled);
            Assert.False(GradMode.IsEnabled); // the outer scope is still open
            var x = Tensor.Scalar(2); x.RequiresGrad = true;
            Assert.False((x * x).RequiresGrad);
        }
        Assert.True(GradMode.IsEnabled);
    }

    [Fact]
    public void DisposingTwiceThrowsAndDoesNotEndTheOuterScope()
    {
        using (GradMode.NoGrad())
        {
            var inner = GradMode.NoGrad();
            inner.Dispose();
            var ex = Assert.Throws<AutogradException>(() => inner.Dispose());
            Assert.Contains("GradMode.NoGrad scope disposed twice", ex.Message);
            Assert.False(GradMode.IsEnabled); // before, the second dispose silently ended the outer scope
        }
        Assert.True(GradMode.IsEnabled);
    }

    [Fact]
    public void DisposingTwiceAfterANewScopeOpenedAtTheSameDepthThrows()
    {
        var first = GradMode.NoGrad();
        first.Dispose();
        using (GradMode.NoGrad())
        {
            var ex = Assert.Throws<AutogradException>(() => first.Dispose());
            Assert.Contains("disposed twice", ex.Message);
            Assert.False(GradMode.IsEnabled);
        }
        Assert.True(GradMode.IsEnabled);
    }

    [Fact]
    public void DisposingOutOfOrderThrowsAndChangesNothing()
    {
        var outer = GradMode.NoGrad();
        var middle = GradMode.NoGrad();
        var inner = GradMode.NoGrad();
        var ex = Assert.Throws<AutogradException>(() => outer.Dispose());
        Assert.Contains("GradMode.NoGrad scope disposed out of order: 2 inner scope(s) opened inside it are still open", ex.Message);
        ex = Assert.Throws<AutogradException>(() => middle.Dispose());
        Assert.Contains("1 inner scope(s) opened inside it is still open", ex.Message);
        inner.Dispose();
        middle.Dispose();
        Assert.False(GradMode.IsEnabled);
        outer.Dispose();
        Assert.True(GradMode.IsEnabled);
    }

    [Fact]
    public void DisposingOnAnotherThreadThrowsNamingBothThreads()
    {
        var scope = GradMode.NoGrad();
        int opener = Environment.CurrentManagedThreadId, disposer = 0;
        bool enabledThere = false;
        Exception? caught = null;
        var other = new Thread(() =>
        {
            disposer = Environment.CurrentManagedThreadId;
            enabledThere = GradMode.IsEnabled; // the scope is this test thread's only
            try { scope.Dispose(); } catch (Exception e) { caught = e; }
        });
        other.Start();
        other.Join();
        Assert.True(enabledThere);
        var ex = Assert.IsType<AutogradException>(caught);
        Assert.Equal($"GradMode.NoGrad scope disposed on thread {disposer} but opened on thread {opener}; a scope must end on the thread that opened it (an 'await' inside its using block can resume on another thread)", ex.Message);
        Assert.False(GradMode.IsEnabled);
        scope.Dispose();
        Assert.True(GradMode.IsEnabled);
    }

    [Fact]
    public void ADefaultScopeDoesNothing()
    {
        default(NoGradScope).Dispose();
        default(AnomalyScope).Dispose();
        Assert.True(GradMode.IsEnabled);
        Assert.False(GradMode.IsAnomalyDetectionEnabled);
    }

    [Fact]
    public void DeepNestingGrowsTheStack()
    {
        var scopes = new NoGradScope[50];
        for (int i = 0; i < scopes.Length; i++) scopes[i] = GradMode.NoGrad();
        for (int i = scopes.Length - 1; i >= 0; i--)
        {
            Assert.False(GradMode.IsEnabled);
            scopes[i].Dispose();
        }
        Assert.True(GradMode.IsEnabled);
    }
}
