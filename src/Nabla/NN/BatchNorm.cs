using System.Globalization;
using Nabla.Autograd;
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
            if (x.DType == DType.Float32) BatchNormKernel.Statistics<float>(x.AsSpan<float>(), n, c, s, mean, variance);
            else BatchNormKernel.Statistics<double>(x.AsSpan<double>(), n, c, s, mean, variance);
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

        var y = Tensor.ZerosLike(x);
        if (x.DType == DType.Float32)
            BatchNormKernel.Normalize<float>(x.AsSpan<float>(), y.AsSpan<float>(), n, c, s, mean, invStd, gamma.AsSpan<float>(), beta.AsSpan<float>());
        else
            BatchNormKernel.Normalize<double>(x.AsSpan<double>(), y.AsSpan<double>(), n, c, s, mean, invStd, gamma.AsSpan<double>(), beta.AsSpan<double>());

        if (GradMode.IsEnabled)
            y.Record("batch_norm", Affine ? [x, gamma, beta] : [x], dy =>
            {
                var dx = x.RequiresGrad ? Tensor.ZerosLike(x) : null;
                var dGamma = Tensor.ZerosLike(gamma);
                var dBeta = Tensor.ZerosLike(beta);
                if (x.DType == DType.Float32)
                    BatchNormKernel.Backward<float>(x.AsSpan<float>(), dy.AsSpan<float>(), n, c, s, mean, invStd, gamma.AsSpan<float>(),
                        batchStats, dx is null ? default : dx.AsSpan<float>(), dGamma.AsSpan<float>(), dBeta.AsSpan<float>());
                else
                    BatchNormKernel.Backward<double>(x.AsSpan<double>(), dy.AsSpan<double>(), n, c, s, mean, invStd, gamma.AsSpan<double>(),
                        batchStats, dx is null ? default : dx.AsSpan<double>(), dGamma.AsSpan<double>(), dBeta.AsSpan<double>());
                if (dx is not null) x.AccumulateGrad(dx);
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
}
