using System.Threading.Channels;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace OptOutGate.Rpc.Server.Health;

/// <summary>
/// One Watch call's subscription. A one-slot channel that drops the older entry coalesces bursts to the latest
/// status: memory stays bounded however slow the client, and the last change is never lost.
/// </summary>
internal sealed class HealthWatcher : IDisposable
{
    private readonly HealthStatusRegistry _registry;
    private readonly Channel<ServingStatus> _statuses = Channel.CreateBounded<ServingStatus>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = false });

    public HealthWatcher(HealthStatusRegistry registry, string service)
    {
        _registry = registry;
        Service = service;
    }

    public string Service { get; }

    public ChannelReader<ServingStatus> Statuses => _statuses.Reader;

    // Never blocks: DropOldest always makes room.
    public void Publish(ServingStatus status) => _statuses.Writer.TryWrite(status);

    public void Complete() => _statuses.Writer.TryComplete();

    public void Dispose()
    {
        _registry.Unsubscribe(this);
        _statuses.Writer.TryComplete();
    }
}
