using System.Globalization;
using Nabla.Errors;
using Nabla.Tensors;

namespace Nabla.NN;

/// <summary>
/// A lookup table of learned vectors: index k → row k of the weight [numEmbeddings, dim]. The input holds indices
/// stored as floats, of any shape S (typically [N, T] token ids); the output is S + [dim] (e.g. [N, T, dim]), ready
/// for a recurrent layer. Equivalent to one-hot encoding followed by a bias-free <see cref="Linear"/> layer, without
/// building the one-hot vectors.
/// </summary>
/// <remarks>
/// Backward scatter-adds: row k of the weight's gradient is the sum of the output gradients at every position that
/// looked up k (rows never looked up get 0). Initialization N(0, 1), as PyTorch's. With a padding index, that row
/// starts at zero and never receives a gradient, so padding positions stay zero vectors.
/// </remarks>
public sealed class Embedding : Module
{
    /// <summary>Creates the table.</summary>
    /// <param name="numEmbeddings">Number of rows (vocabulary size); valid indices are 0 … numEmbeddings − 1.</param>
    /// <param name="embeddingDim">Length of every vector.</param>
    /// <param name="paddingIndex">Optional index whose vector is fixed at zero (no gradient).</param>
    /// <param name="generator">Random source of the initialization.</param>
    public Embedding(int numEmbeddings, int embeddingDim, int? paddingIndex = null, Generator? generator = null)
    {
        if (numEmbeddings <= 0 || embeddingDim <= 0)
            throw new ValueException($"Embedding: numEmbeddings and embeddingDim must be positive, got {numEmbeddings} and {embeddingDim}");
        if (paddingIndex is int p && (p < 0 || p >= numEmbeddings))
            throw new ValueException($"Embedding: paddingIndex {p} is outside 0 … {numEmbeddings - 1}");
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        PaddingIndex = paddingIndex;
        Weight = new Parameter(Tensor.Normal([numEmbeddings, embeddingDim], 0, 1, generator));
        if (paddingIndex is int pad)
            for (int j = 0; j < embeddingDim; j++) Weight.Data.SetFlat(pad * embeddingDim + j, 0);
    }

    /// <summary>Number of rows (valid indices are 0 … NumEmbeddings − 1).</summary>
    public int NumEmbeddings { get; }

    /// <summary>Length of every vector.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The index whose vector stays zero, or null.</summary>
    public int? PaddingIndex { get; }

    /// <summary>The table, [numEmbeddings, embeddingDim].</summary>
    public Parameter Weight { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        int v = NumEmbeddings, d = EmbeddingDim;
        var index = new int[input.Numel];
        for (int q = 0; q < index.Length; q++)
        {
            double value = input.GetFlat(q);
            int k = (int)value;
            if (k != value)
                throw new ValueException($"{Describe()}: input element {q} is {value.ToString(CultureInfo.InvariantCulture)}, expected an integer index");
            if (k < 0 || k >= v)
                throw new ShapeException($"{Describe()}: index {k} (input element {q}) is out of range, expected 0 … {v - 1}");
            index[q] = k;
        }
        Tensor w = Weight;
        var dims = new int[input.Rank + 1];
        for (int i = 0; i < input.Rank; i++) dims[i] = input.Shape[i];
        dims[^1] = d;
        var y = Tensor.Zeros(dims, w.DType);
        for (int q = 0; q < index.Length; q++) w.CopyElements(index[q] * d, y, q * d, d);
        int? pad = PaddingIndex;
        return y.Record("embedding", [w], g =>
        {
            var dw = Tensor.ZerosLike(w);
            DTypeDispatch.Run(dw.DType, new ScatterAdd(g, dw, index, d, pad));
            w.AccumulateGrad(dw);
        });
    }

    /// <inheritdoc/>
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"Embedding({NumEmbeddings}, {EmbeddingDim})");

    /// <summary>dw[index[q], :] += g[q, :] for every q whose index is not the padding index.</summary>
    private readonly struct ScatterAdd(Tensor g, Tensor dw, int[] index, int d, int? pad) : IDTypeAction
    {
        public void Run<T>() where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> src = g.AsSpan<T>();
            Span<T> dst = dw.AsSpan<T>();
            for (int q = 0; q < index.Length; q++)
                if (index[q] != pad) Kernels.Simd.AddTo(src.Slice(q * d, d), dst.Slice(index[q] * d, d));
        }
    }
}
