using System.Runtime.CompilerServices;
using Nabla.Kernels;

namespace Nabla.Tests;

/// <summary>Settings for the whole test run, made before any test.</summary>
internal static class TestAssemblySetup
{
    /// <summary>
    /// The suite compiles methods all the time, which would keep the worker pool's team jobs on the calling thread
    /// (<see cref="WorkerPool.YieldToJit"/>) and leave the team paths untested; the rule has tests of its own.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize() => WorkerPool.YieldToJit = false;
}
