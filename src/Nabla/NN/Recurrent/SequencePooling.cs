namespace Nabla.NN.Recurrent;

/// <summary>How <see cref="SequenceHead"/> turns a sequence of feature vectors [N, T, F] into one vector per example [N, F].</summary>
public enum SequencePooling
{
    /// <summary>The features at the last step (for a unidirectional recurrent layer, the state that has read the whole sequence).</summary>
    Last,

    /// <summary>The mean over all steps.</summary>
    Mean,

    /// <summary>The element-wise maximum over all steps.</summary>
    Max,
}
