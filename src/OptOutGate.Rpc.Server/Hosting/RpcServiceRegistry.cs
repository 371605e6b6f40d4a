using OptOutGate.Rpc.Server.Services;

namespace OptOutGate.Rpc.Server.Hosting;

/// <summary>
/// Every service the server exposes, built once from the <c>AddRpcService</c> factories. Health, reflection and
/// routing all read this one list, so what is listed is exactly what is served.
/// </summary>
public sealed class RpcServiceRegistry
{
    internal RpcServiceRegistry(IEnumerable<RpcServiceRegistration> registrations, IServiceProvider services)
    {
        var list = new List<ServiceDefinition>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var registration in registrations)
        {
            var definition = registration.Factory(services)
                ?? throw new InvalidOperationException("An AddRpcService factory returned null.");
            if (!names.Add(definition.Descriptor.FullName))
            {
                throw new InvalidOperationException($"Service {definition.Descriptor.FullName} is registered twice.");
            }

            list.Add(definition);
        }

        Services = list.AsReadOnly();
    }

    public IReadOnlyList<ServiceDefinition> Services { get; }

    /// <summary>The service with this full name (<c>package.Service</c>), or null.</summary>
    public ServiceDefinition? Find(string fullName)
    {
        foreach (var service in Services)
        {
            if (string.Equals(service.Descriptor.FullName, fullName, StringComparison.Ordinal))
            {
                return service;
            }
        }

        return null;
    }
}
