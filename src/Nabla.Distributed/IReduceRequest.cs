namespace Nabla.Distributed;

/// <summary>A non-blocking reduction in flight (<see cref="ICommunicator.StartAllReduceSum"/>).</summary>
public interface IReduceRequest
{
    /// <summary>Lets the reduction progress; true once it has completed (then <see cref="Wait"/> returns at once).</summary>
    bool Test();

    /// <summary>Returns when the reduction has completed and its result is in the buffer.</summary>
    void Wait();
}
