namespace OptOutGate.Server.Tests.Infrastructure;

/// <summary>Server-process tests run one at a time: each starts real processes, and the machine has two cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServerTestCollection
{
    public const string Name = "Gate server processes";
}
