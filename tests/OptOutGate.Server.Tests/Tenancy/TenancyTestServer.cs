using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Configuration;
using OptOutGate.Server.Tenancy;
using GrpcCore = Grpc.Core;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace OptOutGate.Server.Tests.Tenancy;

/// <summary>
/// A real Kestrel server (Grpc.AspNetCore) with the gate's API-key interceptor (<see cref="TenancyInterceptor"/>) and
/// every method of the four v1 services bound to a handler that records the <see cref="CallIdentity"/> it sees: this
/// shows what any handler gets, without the engine behind it.
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
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var problems = new List<string>();
        var options = new TenancyOptions();
        StrictBinder.Bind(configuration.GetSection(TenancyOptions.SectionName), options, problems);
        problems.AddRange(TenancyOptionsValidator.Validate(options, new GateServerOptions(), out var registry));
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<TenancyInterceptor>());
        builder.Services.AddGateTenancy(registry!);
        var health = new HealthServiceImpl();
        health.SetStatus(string.Empty, global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving);
        builder.Services.AddSingleton(health);
        var seen = new ConcurrentDictionary<string, CallIdentity>(StringComparer.Ordinal);

        var app = builder.Build();
        foreach (var service in V1Services)
        {
            app.MapGrpcService(Recording(service, seen));
        }

        app.MapGrpcService<HealthServiceImpl>();
        await app.StartAsync();
        return new TenancyTestServer(app, seen)
        {
            Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static GrpcCore.ServerServiceDefinition Recording(ServiceDescriptor service, ConcurrentDictionary<string, CallIdentity> seen)
    {
        var builder = GrpcCore.ServerServiceDefinition.CreateBuilder();
        foreach (var method in service.Methods)
        {
            s_bind.MakeGenericMethod(method.InputType.ClrType, method.OutputType.ClrType).Invoke(null, [builder, method, seen]);
        }

        return builder.Build();
    }

    private static void Bind<TRequest, TResponse>(GrpcCore.ServerServiceDefinition.Builder builder, MethodDescriptor method, ConcurrentDictionary<string, CallIdentity> seen)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new()
    {
        void Record(GrpcCore.ServerCallContext context) => seen[method.FullName] = CallIdentity.Of(context);

        var parser = new MessageParser<TRequest>(static () => new TRequest());
        var type = (method.IsClientStreaming, method.IsServerStreaming) switch
        {
            (false, false) => GrpcCore.MethodType.Unary,
            (false, true) => GrpcCore.MethodType.ServerStreaming,
            (true, false) => GrpcCore.MethodType.ClientStreaming,
            _ => GrpcCore.MethodType.DuplexStreaming,
        };
        var definition = new GrpcCore.Method<TRequest, TResponse>(
            type,
            method.Service.FullName,
            method.Name,
            GrpcCore.Marshallers.Create(static (TRequest m) => m.ToByteArray(), parser.ParseFrom),
            GrpcCore.Marshallers.Create(static (TResponse m) => m.ToByteArray(), new MessageParser<TResponse>(static () => new TResponse()).ParseFrom));
        switch (type)
        {
            case GrpcCore.MethodType.Unary:
                builder.AddMethod(definition, (GrpcCore.UnaryServerMethod<TRequest, TResponse>)((_, context) =>
                {
                    Record(context);
                    return Task.FromResult(new TResponse());
                }));
                break;
            case GrpcCore.MethodType.ServerStreaming:
                builder.AddMethod(definition, (GrpcCore.ServerStreamingServerMethod<TRequest, TResponse>)((_, _, context) =>
                {
                    Record(context);
                    return Task.CompletedTask;
                }));
                break;
            case GrpcCore.MethodType.ClientStreaming:
                builder.AddMethod(definition, (GrpcCore.ClientStreamingServerMethod<TRequest, TResponse>)(async (requests, context) =>
                {
                    Record(context);
                    while (await requests.MoveNext(context.CancellationToken))
                    {
                    }

                    return new TResponse();
                }));
                break;
            default:
                builder.AddMethod(definition, (GrpcCore.DuplexStreamingServerMethod<TRequest, TResponse>)(async (requests, _, context) =>
                {
                    Record(context);
                    while (await requests.MoveNext(context.CancellationToken))
                    {
                    }
                }));
                break;
        }
    }
}
