using Grpc.Health.V1;
using Microsoft.Extensions.Logging;
using OptOutGate.Rpc.Server.Services;

namespace OptOutGate.Rpc.Server.Health;

/// <summary>grpc.health.v1.Health over a <see cref="HealthStatusRegistry"/>.</summary>
internal sealed class HealthService
{
    private readonly HealthStatusRegistry _registry;
    private readonly ILogger _logger;

    public HealthService(HealthStatusRegistry registry, ILogger<HealthService> logger)
    {
        _registry = registry;
        _logger = logger;
    }

    public ServiceDefinition CreateDefinition()
    {
        var service = HealthReflection.Descriptor.Services[0];
        return ServiceDefinition.CreateBuilder(service)
            .AddUnary<HealthCheckRequest, HealthCheckResponse>(service.FindMethodByName("Check"), CheckAsync)
            .AddUnary<HealthListRequest, HealthListResponse>(service.FindMethodByName("List"), ListAsync)
            .AddServerStreaming<HealthCheckRequest, HealthCheckResponse>(service.FindMethodByName("Watch"), WatchAsync)
            .Build();
    }

    public Task<HealthCheckResponse> CheckAsync(HealthCheckRequest request, ServerCallContext context)
    {
        if (!_registry.TryGetStatus(request.Service, out var status))
        {
            // grpc health-checking protocol: an unregistered name is NOT_FOUND for Check (Watch says SERVICE_UNKNOWN instead).
            throw new RpcException(StatusCode.NotFound, $"Service '{request.Service}' is not known to this server.");
        }

        return Task.FromResult(new HealthCheckResponse { Status = status });
    }

    public Task<HealthListResponse> ListAsync(HealthListRequest request, ServerCallContext context)
    {
        var response = new HealthListResponse();
        foreach (var (service, status) in _registry.GetAll())
        {
            response.Statuses.Add(service, new HealthCheckResponse { Status = status });
        }

        return Task.FromResult(response);
    }

    public async Task WatchAsync(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        using var watcher = _registry.Watch(request.Service);
        HealthLog.WatchStarted(_logger, request.Service);
        HealthCheckResponse.Types.ServingStatus? sent = null;
        try
        {
            var reader = watcher.Statuses;
            while (await reader.WaitToReadAsync(context.CancellationToken))
            {
                while (reader.TryRead(out var status))
                {
                    // A flip and back between two reads arrives as the same value twice: one message per change.
                    if (status != sent)
                    {
                        await responseStream.WriteAsync(new HealthCheckResponse { Status = status }, context.CancellationToken);
                        sent = status;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client left or the call was cancelled: nobody is listening for a status.
        }
        finally
        {
            HealthLog.WatchEnded(_logger, request.Service);
        }
    }
}
