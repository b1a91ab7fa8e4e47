using Nabla.Data;

namespace Nabla.Lessons;

/// <summary>
/// What a lesson needs while it is computed: whether this is the quick run (small data, few steps, the same pages)
/// and the bundled MNIST, loaded once for all pages.
/// </summary>
public sealed class LessonContext
{
    private readonly Lazy<TrainTestData> _mnist;

    /// <summary>Creates a context; <paramref name="quick"/> selects small subsets and few steps.</summary>
    public LessonContext(bool quick)
    {
        Quick = quick;
        _mnist = new Lazy<TrainTestData>(() => Nabla.Data.Mnist.Load());
    }

    /// <summary>True for the quick run (under a minute for all pages).</summary>
    public bool Quick { get; }

    /// <summary><paramref name="quick"/> in the quick run, <paramref name="full"/> otherwise.</summary>
    public int Pick(int quick, int full) => Quick ? quick : full;

    /// <summary>The bundled MNIST (60,000 training and 10,000 test digits, [N,1,28,28] in [0,1]), loaded on first use.</summary>
    public TrainTestData Mnist => _mnist.Value;

    /// <summary>The first <paramref name="count"/> training digits.</summary>
    public TensorDataset MnistTrain(int count) => Mnist.Train.Slice(0, Math.Min(count, Mnist.Train.Count));

    /// <summary>The first <paramref name="count"/> test digits.</summary>
    public TensorDataset MnistTest(int count) => Mnist.Test.Slice(0, Math.Min(count, Mnist.Test.Count));
}
