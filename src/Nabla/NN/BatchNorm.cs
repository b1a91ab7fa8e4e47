using System.Globalization;
using Nabla.Autograd;
using System.Numerics;
using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>
/// Batch normalization over the channel axis 1 (the base of <see cref="BatchNorm1d"/> and <see cref="BatchNorm2d"/>):
/// y = γ·(x − μ)/√(σ² + δ) + β per channel, with δ = <see cref="Epsilon"/>. In training μ and σ² are the batch's mean
/// and biased variance over every axis but 1, and the running estimates move towards them: running = (1 − m)·running + m·batch, with the unbiased
/// variance (×M/(M − 1), M values per channel) for running_var. In evaluation the running estimates are used.
/// γ (<c>weight</c>, init 1) and β (<c>bias</c>, init 0) are learned, unless the layer is created with
/// <c>affine: false</c> (then y = (x − μ)/√(σ² + δ) and the layer has no parameters); forward and backward are one fused operation.
/// </summary>
public abstract class BatchNorm : Module
{
    /// <summary>Creates the layer for <paramref name="numFeatures"/> channels, with learned γ and β when <paramref name="affine"/>.</summary>
    /// <param name="numFeatures">The number of channels C.</param>
    /// <param name="epsilon">epsilon (the lectures' δ) &gt; 0, added to the variance before the square root.</param>
    /// <param name="momentum">The weight m in [0, 1] of the newest batch in the running estimates.</param>
    /// <param name="affine">Whether γ and β are learned.</param>
    protected BatchNorm(int numFeatures, double epsilon, double momentum, bool affine = true)
    {
        if (numFeatures <= 0)
            throw new ValueException($"{GetType().Name}: the number of features must be positive, got {numFeatures}");
        if (!(epsilon > 0)) throw new ValueException($"{GetType().Name}: epsilon must be positive, got {epsilon}");
        if (!(momentum >= 0 && momentum <= 1)) throw new ValueException($"{GetType().Name}: momentum must be in [0, 1], got {momentum}");
        NumFeatures = numFeatures;
        Epsilon = epsilon;
        Momentum = momentum;
        if (affine)
        {
            Weight = new Parameter(Tensor.Ones([numFeatures]), isBias: true);
            Bias = new Parameter(Tensor.Zeros([numFeatures]), isBias: true);
        }
        RunningMean = Tensor.Zeros([numFeatures]);
        RunningVar = Tensor.Ones([numFeatures]);
        NumBatchesTracked = Tensor.Scalar(0, DType.Float64);
    }

    /// <summary>The number of channels C.</summary>
    public int NumFeatures { get; }

    /// <summary>The stabilizing constant epsilon (the lectures' δ) added to the variance before the square root.</summary>
    public double Epsilon { get; }

    /// <summary>The weight m of the newest batch in the running estimates.</summary>
    public double Momentum { get; }

    /// <summary>The scale γ, [C], initialized to 1; null when the layer is not affine.</summary>
    public Parameter? Weight { get; }

    /// <summary>The shift β, [C], initialized to 0; null when the layer is not affine.</summary>
    public Parameter? Bias { get; }

    /// <summary>True when γ and β are learned (<see cref="Weight"/> and <see cref="Bias"/> exist).</summary>
    public bool Affine => Weight is not null;

    /// <summary>The running mean, [C] (buffer <c>running_mean</c>).</summary>
    public Tensor RunningMean { get; private set; }

    /// <summary>The running unbiased variance, [C] (buffer <c>running_var</c>).</summary>
    public Tensor RunningVar { get; private set; }

    /// <summary>The number of training batches seen, a Float64 scalar (buffer <c>num_batches_tracked</c>).</summary>
    public Tensor NumBatchesTracked { get; }

    /// <summary>The input ranks this layer accepts, and how to say so in an error message.</summary>
    protected abstract bool AcceptsRank(int rank, out string expected);

    /// <inheritdoc/>
    protected override IEnumerable<(string Name, Tensor Buffer)> LocalBuffers() =>
        [("running_mean", RunningMean), ("running_var", RunningVar), ("num_batches_tracked", NumBatchesTracked)];

    /// <inheritdoc/>
    protected override void OnConvert(DType dtype)
    {
        if (RunningMean.DType != dtype) RunningMean = RunningMean.ToDType(dtype);
        if (RunningVar.DType != dtype) RunningVar = RunningVar.ToDType(dtype);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        string name = Describe();
        if (!AcceptsRank(input.Rank, out string expected) || input.Shape[1] != NumFeatures)
            throw new ShapeException($"{name}: expected input {expected}, got {input.Shape}");
        Tensor x = input;
        if (Weight is not null && x.DType != Weight.Data.DType)
            throw new ValueException($"{name}: input is {x.DType} but the parameters are {Weight.Data.DType}; convert the module with To({x.DType})");
        if (x.DType != RunningMean.DType)
            throw new ValueException($"{name}: input is {x.DType} but the running statistics are {RunningMean.DType}; convert the module with To({x.DType})");
        // Without affine parameters, γ = 1 and β = 0 are constants outside the graph.
        Tensor gamma = Weight ?? Tensor.Ones([NumFeatures], x.DType), beta = Bias ?? Tensor.Zeros([NumFeatures], x.DType);
        int n = x.Shape[0], c = NumFeatures, s = x.Numel / Math.Max(1, n * c);
        if (n * s == 0) throw new ShapeException($"{name}: the input {x.Shape} is empty");
        bool batchStats = IsTraining;
        if (batchStats && n * s == 1)
            throw new ShapeException($"{name}: training needs more than one value per channel to compute a variance, got input {x.Shape}");

        var mean = new double[c];
        var invStd = new double[c];
        if (batchStats)
        {
            var variance = new double[c];
            DTypeDispatch.Run(x.DType, new StatisticsAction(x, n, c, s, mean, variance));
            for (int ch = 0; ch < c; ch++) invStd[ch] = 1 / Math.Sqrt(variance[ch] + Epsilon);
            UpdateRunningStatistics(mean, variance, n * s);
        }
        else
        {
            for (int ch = 0; ch < c; ch++)
            {
                mean[ch] = RunningMean.GetFlat(ch);
                invStd[ch] = 1 / Math.Sqrt(RunningVar.GetFlat(ch) + Epsilon);
            }
        }

        var y = Tensor.Uninitialized(x.Shape, x.DType);   // every element is written
        DTypeDispatch.Run(x.DType, new NormalizeAction(x, y, n, c, s, mean, invStd, gamma, beta));

        if (GradMode.IsEnabled)
            y.Record("batch_norm", Affine ? [x, gamma, beta] : [x], dy =>
            {
                // The input gradient is written (or added) straight into x's gradient; dγ and dβ are C values each.
                var dx = x.GradSink(out bool addX);
                var dGamma = Tensor.ZerosLike(gamma);
                var dBeta = Tensor.ZerosLike(beta);
                DTypeDispatch.Run(x.DType, new BackwardAction(x, dy, n, c, s, mean, invStd, gamma, batchStats, dx, addX, dGamma, dBeta));
                if (Affine)
                {
                    gamma.AccumulateGrad(dGamma);
                    beta.AccumulateGrad(dBeta);
                }
            });
        return y;
    }

    private void UpdateRunningStatistics(double[] mean, double[] variance, int valuesPerChannel)
    {
        double m = Momentum, unbias = valuesPerChannel / (valuesPerChannel - 1.0);
        for (int ch = 0; ch < NumFeatures; ch++)
        {
            RunningMean.SetFlat(ch, (1 - m) * RunningMean.GetFlat(ch) + m * mean[ch]);
            RunningVar.SetFlat(ch, (1 - m) * RunningVar.GetFlat(ch) + m * variance[ch] * unbias);
        }
        NumBatchesTracked.SetFlat(0, NumBatchesTracked.GetFlat(0) + 1);
    }

    /// <inheritdoc/>
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"{GetType().Name}({NumFeatures}{(Affine ? "" : ", affine: false")})");

    private readonly struct StatisticsAction(Tensor x, int n, int c, int s, double[] mean, double[] variance) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T> => BatchNormKernel.Statistics<T>(x.AsSpan<T>(), n, c, s, mean, variance);
    }

    private readonly struct NormalizeAction(Tensor x, Tensor y, int n, int c, int s, double[] mean, double[] invStd, Tensor gamma, Tensor beta) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
            => BatchNormKernel.Normalize<T>(x.AsSpan<T>(), y.AsSpan<T>(), n, c, s, mean, invStd, gamma.AsSpan<T>(), beta.AsSpan<T>());
    }

    private readonly struct BackwardAction(Tensor x, Tensor dy, int n, int c, int s, double[] mean, double[] invStd, Tensor gamma, bool batchStats,
        Tensor? dx, bool addX, Tensor dGamma, Tensor dBeta) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, IFloatingPointIeee754<T>
            => BatchNormKernel.Backward<T>(x.AsSpan<T>(), dy.AsSpan<T>(), n, c, s, mean, invStd, gamma.AsSpan<T>(),
                batchStats, dx is null ? default : dx.AsSpan<T>(), dGamma.AsSpan<T>(), dBeta.AsSpan<T>(), addX);
    }
}
