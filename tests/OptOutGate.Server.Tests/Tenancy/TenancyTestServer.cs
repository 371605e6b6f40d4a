using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OptOutGate.Contracts.V1;
using OptOutGate.Rpc.Server;
using OptOutGate.Rpc.Server.Health;
using OptOutGate.Rpc.Server.Hosting;
using OptOutGate.Rpc.Server.Services;
using OptOutGate.Server.Configuration;
using OptOutGate.Server.Tenancy;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace OptOutGate.Server.Tests.Tenancy;

/// <summary>
/// A real Kestrel server with the gate's tenancy wiring (<see cref="TenancyServiceCollectionExtensions.AddGateTenancy"/>)
/// and every method of the four v1 services bound to a handler that records the <see cref="CallIdentity"/> it sees:
/// the v1 handlers of the gate are not all built yet, and this shows what any handler will get.
/// </summary>
public sealed class TenancyTestServer : IAsyncDisposable
{
    private static readonly MethodInfo s_bind = typeof(TenancyTestServer).GetMethod(nameof(Bind), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly WebApplication _app;

    private TenancyTestServer(WebApplication app, ConcurrentDictionary<string, CallIdentity> seen)
    {
        _app = app;
        Seen = seen;
    }

    public static IReadOnlyList<ServiceDescriptor> V1Services { get; } =
    [
        GateReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Gate"),
        MoReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Mo"),
        ChangesReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Changes"),
        AdminReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Admin"),
    ];

    /// <summary>Method full name → the identity its handler last saw.</summary>
    internal ConcurrentDictionary<string, CallIdentity> Seen { get; }

    public string Address { get; private set; } = string.Empty;

    /// <summary>Starts with <paramref name="settings"/> as configuration (the "Tenancy" section), on loopback.</summary>
    public static async Task<TenancyTestServer> StartAsync(IDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ConfigureRpcDefaults();
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddRpcServer();
        builder.Services.AddRpcHealth();
        builder.Services.AddGateTenancy(builder.Configuration, new GateServerOptions());
        var seen = new ConcurrentDictionary<string, CallIdentity>(StringComparer.Ordinal);
        foreach (var service in V1Services)
        {
            builder.Services.AddRpcService(_ => Recording(service, seen));
        }

        var app = builder.Build();
        app.MapRpcServices();
        await app.StartAsync();
        var server = new TenancyTestServer(app, seen)
        {
            Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(),
        };
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static ServiceDefinition Recording(ServiceDescriptor service, ConcurrentDictionary<string, CallIdentity> seen)
    {
        var builder = ServiceDefinition.CreateBuilder(service);
        foreach (var method in service.Methods)
        {
            s_bind.MakeGenericMethod(method.InputType.ClrType, method.OutputType.ClrType).Invoke(null, [builder, method, seen]);
        }

        return builder.Build();
    }

    private static void Bind<TRequest, TResponse>(ServiceDefinitionBuilder builder, MethodDescriptor method, ConcurrentDictionary<string, CallIdentity> seen)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        void Record(ServerCallContext context) => seen[method.FullName] = CallIdentity.Of(context);

        switch (ServerMethodDefinition.TypeOf(method))
        {
            case MethodType.Unary:
                builder.AddUnary<TRequest, TResponse>(method, (_, context) =>
                {
                    Record(context);
                    return Task.FromResult(new TResponse());
                });
                break;
            case MethodType.ServerStreaming:
                builder.AddServerStreaming<TRequest, TResponse>(method, (_, _, context) =>
                {
                    Record(context);
                    return Task.CompletedTask;
                });
                break;
            case MethodType.ClientStreaming:
                builder.AddClientStreaming<TRequest, TResponse>(method, async (requests, context) =>
                {
                    Record(context);
                    while (await requests.MoveNextAsync(context.CancellationToken))
                    {
                    }

                    return new TResponse();
                });
                break;
            default:
                builder.AddDuplexStreaming<TRequest, TResponse>(method, async (requests, _, context) =>
                {
                    Record(context);
                    while (await requests.MoveNextAsync(context.CancellationToken))
                    {
                    }
                });
                break;
        }
    }
}
