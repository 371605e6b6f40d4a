using OptOutGate.Rpc.Server.Services;

namespace OptOutGate.Rpc.Server.Hosting;

/// <summary>One <c>AddRpcService</c> call, kept in DI until the registry builds the definitions at start-up.</summary>
internal sealed class RpcServiceRegistration(Func<IServiceProvider, ServiceDefinition> factory)
{
    public Func<IServiceProvider, ServiceDefinition> Factory { get; } = factory;
}
