using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.HealthCheck;
using Grpc.Reflection;
using OptOutGate.Server.Admin;
using OptOutGate.Server.Changes;
using OptOutGate.Server.Configuration;
using OptOutGate.Server.Gate;
using OptOutGate.Server.Grpc;
using OptOutGate.Server.JsonApi;
using OptOutGate.Server.Mo;
using OptOutGate.Server.Readiness;
using OptOutGate.Server.Replication;
using OptOutGate.Server.Tenancy;
using HealthContract = Grpc.Health.V1.Health;
using ReflectionV1 = Grpc.Reflection.V1.ServerReflection;
using ReflectionV1Alpha = Grpc.Reflection.V1Alpha.ServerReflection;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace OptOutGate.Server.Hosting;

/// <summary>
/// The gRPC face of the gate on Grpc.AspNetCore: the four v1 services (Gate, Mo, Changes, Admin) on their generated
/// bases, grpc.health.v1 following readiness, reflection v1 and v1alpha, and every call through one chain of
/// interceptors, outermost first: call metrics, a replica's write refusal, readiness, API keys, status mapping. The
/// JSON/REST face (JsonApi/) is the same services and interceptors behind the routes the protos declare.
/// </summary>
internal static class GateApiServices
{
    /// <summary>What reflection describes (grpcurl, ghz, and the interop clients list and describe through it).</summary>
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor[] s_described =
    [
        Contracts.V1.Gate.Descriptor,
        Contracts.V1.Mo.Descriptor,
        Contracts.V1.Changes.Descriptor,
        Contracts.V1.Admin.Descriptor,
        HealthContract.Descriptor,
        ReflectionV1.Descriptor,
        ReflectionV1Alpha.Descriptor,
    ];

    public static IServiceCollection AddGateApi(this IServiceCollection services, RpcOptions rpc, ReplicationOptions replication)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentNullException.ThrowIfNull(replication);
        var grpcServer = services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = rpc.MaxReceiveMessageSize;
            grpc.MaxSendMessageSize = rpc.MaxSendMessageSize;
            grpc.EnableDetailedErrors = rpc.EnableDetailedErrors;
            grpc.ResponseCompressionAlgorithm = string.IsNullOrEmpty(rpc.ResponseCompression) ? null : rpc.ResponseCompression;
            grpc.CompressionProviders = [new GzipCompression()];
            AddInterceptors(grpc, replication.IsReplica);
        });
        services.AddGateJsonApi(grpcServer);
        services.AddSingleton<CallMetrics>();
        services.AddSingleton<CallMetricsInterceptor>();
        services.AddSingleton<ReadinessInterceptor>();
        services.AddSingleton<StatusMappingInterceptor>();

        // NOT_SERVING from the first moment: readiness (engine recovered, host started) is what turns it to SERVING
        // (Readiness/ReadinessLifecycle). The package's health-check publisher maps no service: readiness sets them.
        services.AddSingleton(static _ =>
        {
            var health = new HealthServiceImpl();
            foreach (var name in ReadinessLifecycle.ServiceNames)
            {
                health.SetStatus(name, ServingStatus.NotServing);
            }

            return health;
        });
        services.AddGrpcHealthChecks(static health =>
        {
            health.UseHealthChecksCache = true;
            health.Services.Clear();
        });

        // Reflection over the contract's descriptors: the v1 services are mapped from definitions (below), which carry
        // no service type for the package to find them by.
        services.AddSingleton(static _ => new ReflectionServiceImpl(s_described));
        services.AddSingleton(static _ => new ReflectionV1ServiceImpl(s_described));
        services.AddGrpcReflection();

        services.AddSingleton<GateMetrics>();
        services.AddSingleton<GateService>();
        services.AddGateMo();
        services.AddSingleton<ChangesService>();
        services.AddSingleton<AdminService>();

        // Last, as readiness ties together what the hosts above report.
        services.AddHostedService<ReadinessLifecycle>();
        return services;
    }

    /// <summary>Maps every gRPC endpoint: the v1 services, health and reflection.</summary>
    public static void MapGateApi(this IEndpointRouteBuilder endpoints)
    {
        var provider = endpoints.ServiceProvider;
        var gate = provider.GetRequiredService<GateService>();
        var binder = new ContractBinder()
            .Replace(CheckBatchCodec.Method, gate.CheckBatchRawAsync)
            .Replace(CheckStreamCodec.Method, gate.CheckStreamRawAsync);
        Contracts.V1.Gate.BindService(binder, gate);
        endpoints.MapGrpcService(binder.Build());
        endpoints.MapGrpcService(Bound(provider.GetRequiredService<MoService>(), Contracts.V1.Mo.BindService));
        endpoints.MapGrpcService(Bound(provider.GetRequiredService<ChangesService>(), Contracts.V1.Changes.BindService));
        endpoints.MapGrpcService(Bound(provider.GetRequiredService<AdminService>(), Contracts.V1.Admin.BindService));
        endpoints.MapGrpcHealthChecksService();
        endpoints.MapGrpcReflectionService();
        endpoints.MapGateJsonApi();
    }

    private static ServerServiceDefinition Bound<TService>(TService service, Action<ServiceBinderBase, TService> bind)
    {
        var binder = new ContractBinder();
        bind(binder, service);
        return binder.Build();
    }

    private static void AddInterceptors(GrpcServiceOptions grpc, bool isReplica)
    {
        // Resolved from the container (registered as singletons), so a call creates none.
        grpc.Interceptors.Add<CallMetricsInterceptor>();
        if (isReplica)
        {
            grpc.Interceptors.Add<ReplicaWriteInterceptor>();
        }

        grpc.Interceptors.Add<ReadinessInterceptor>();
        grpc.Interceptors.Add<TenancyInterceptor>();
        grpc.Interceptors.Add<StatusMappingInterceptor>();
    }
}
