using Nabla.Data;

namespace Nabla.Training;

/// <summary>
/// What a <see cref="Trainer"/> asks of data-parallel training, where several workers (processes, machines) each train
/// a replica of the model on their share of every batch and must stay identical. The trainer calls it at fixed points
/// of its loop; an implementation (Nabla.Distributed's <c>DistributedDataParallel</c> on MPI) does the communication.
/// Without one (<see cref="Trainer.Synchronizer"/> null) the trainer works alone.
/// </summary>
/// <remarks>
/// One step on every worker: <see cref="BeforeBackward"/>, the backward pass, <see cref="AfterBackward"/> (the
/// gradients now hold the average over all workers), then clipping and the optimizer step, which are identical
/// everywhere. Loss and accuracy totals are summed with <see cref="AllReduceSum"/>.
/// </remarks>
public interface IGradientSynchronizer
{
    /// <summary>This worker's part of every batch: the trainer's loader yields only it.</summary>
    DataShard Shard { get; }

    /// <summary>
    /// At the start of <see cref="Trainer.Fit"/> (also after a resume): makes every replica equal to the first worker's
    /// (parameters and buffers), checks that all workers train the same model on the same data, and starts watching the
    /// gradients of <paramref name="trainer"/>'s parameters.
    /// </summary>
    void Attach(Trainer trainer, TensorDataset train);

    /// <summary>Before each backward pass.</summary>
    void BeforeBackward();

    /// <summary>After each backward pass: returns when every parameter's gradient is the average over all workers.</summary>
    void AfterBackward();

    /// <summary>Replaces each value by its sum over all workers (same order of values on every worker).</summary>
    void AllReduceSum(Span<double> values);

    /// <summary>At the end of each epoch, before validation and the epoch-end callbacks: makes buffers (batch-norm statistics) equal on every worker.</summary>
    void OnEpochEnd(int epoch);

    /// <summary>At the end of <see cref="Trainer.Fit"/>: stops watching the gradients.</summary>
    void Detach();
}
