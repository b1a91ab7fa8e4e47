using Xunit;

namespace Nabla.Distributed.Tests.Support;

/// <summary>The tests that launch mpirun run one after another (2 cores) and share the reference runs of <see cref="MpiRuns"/>.</summary>
[CollectionDefinition("mpirun")]
public sealed class MpirunCollection : ICollectionFixture<MpiRuns>;
