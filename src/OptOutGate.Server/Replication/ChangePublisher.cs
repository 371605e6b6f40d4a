using System.Threading.Channels;
using Google.Protobuf;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
using OptOutGate.Server.Readiness;

namespace OptOutGate.Server.Replication;

/// <summary>
/// Primary: publishes every committed change to the Redis channel of its tenant group, as a serialized
/// <see cref="StreamChangesResponse"/> (up to 1,000 consecutive records with their sequence numbers; an empty one is a
/// heartbeat whose <c>committed_sequence</c> is the last sequence published). It tails the durable log like any change
/// stream reader, so the write path never waits for it; messages wait for Redis in a bounded buffer, and when that is
/// full, or Redis is down, they are dropped: replicas see the gap in the sequence numbers and fetch it from
/// StreamChanges.
/// </summary>
internal sealed partial class ChangePublisher(
    ReplicationOptions options,
    GateEngineHost engineHost,
    ReplicationMetrics metrics,
    ILogger<ChangePublisher> logger) : BackgroundService
{
    private const int MaxRecordsPerMessage = 1_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var engine = await ReplicaFollower.WaitForEngineAsync(engineHost, stoppingToken);
        if (engine is null)
        {
            return;
        }

        using var redis = await RedisFanout.ConnectAsync(options.Redis!, options.Channel, logger);
        var buffer = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(options.PublishBufferMessages)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
            SingleWriter = true,
        });
        LogPublishing(logger, options.Channel, engine.Log.LastSequence + 1);
        var sender = Task.Run(() => SendAsync(redis, buffer.Reader, stoppingToken), CancellationToken.None);
        try
        {
            await TailAsync(engine, buffer.Writer, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException)
        {
            // The engine closed under us at shutdown.
        }
        finally
        {
            buffer.Writer.TryComplete();
            await sender;
        }
    }

    private async Task TailAsync(GateEngine engine, ChannelWriter<byte[]> buffer, CancellationToken ct)
    {
        var log = engine.Log;
        var next = log.LastSequence + 1;
        var heartbeat = options.HeartbeatInterval;
        while (!ct.IsCancellationRequested)
        {
            if (next > log.LastSequence)
            {
                using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timer.CancelAfter(heartbeat);
                try
                {
                    await log.WaitForSequenceAsync(next, timer.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    Offer(buffer, new StreamChangesResponse { CommittedSequence = next - 1 }.ToByteArray(), 0);
                    continue;
                }
            }

            var message = new StreamChangesResponse();
            await foreach (var entry in log.ReadAsync(next, log.LastSequence, ct))
            {
                message.Records.Add(entry.Record);
                next = entry.Record.Sequence + 1;
                if (message.Records.Count == MaxRecordsPerMessage)
                {
                    message.CommittedSequence = next - 1;
                    Offer(buffer, message.ToByteArray(), message.Records.Count);
                    message = new StreamChangesResponse();
                }
            }

            if (message.Records.Count > 0)
            {
                message.CommittedSequence = next - 1;
                Offer(buffer, message.ToByteArray(), message.Records.Count);
            }
        }
    }

    private void Offer(ChannelWriter<byte[]> buffer, byte[] message, int records)
    {
        if (!buffer.TryWrite(message))
        {
            metrics.PublishDropped(records);
        }
    }

    private async Task SendAsync(RedisFanout redis, ChannelReader<byte[]> buffer, CancellationToken ct)
    {
        var wasConnected = true;
        await foreach (var message in buffer.ReadAllAsync(CancellationToken.None))
        {
            if (!redis.IsConnected)
            {
                // While Redis is away nothing queues in the client: replicas tail the change stream meanwhile.
                if (wasConnected)
                {
                    LogRedisDown(logger, options.Channel);
                    wasConnected = false;
                }

                metrics.PublishDropped(1);
                continue;
            }

            if (!wasConnected)
            {
                LogRedisBack(logger, options.Channel);
                wasConnected = true;
            }

            try
            {
                await redis.PublishAsync(message);
                metrics.Published();
            }
#pragma warning disable CA1031 // A failed publish is a gap the replicas fill; the publisher goes on.
            catch (Exception e) when (!ct.IsCancellationRequested)
#pragma warning restore CA1031
            {
                metrics.PublishDropped(1);
                LogPublishFailed(logger, e.Message);
            }
            catch (Exception)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = EventIds.Replication + 1, EventName = "Publishing", Level = LogLevel.Information, Message = "Publishing committed changes to Redis channel {Channel} from sequence {Sequence}")]
    private static partial void LogPublishing(ILogger logger, string channel, ulong sequence);

    [LoggerMessage(EventId = EventIds.Replication + 2, EventName = "RedisDown", Level = LogLevel.Warning, Message = "Redis is unreachable: changes for {Channel} are not published (replicas follow the change stream)")]
    private static partial void LogRedisDown(ILogger logger, string channel);

    [LoggerMessage(EventId = EventIds.Replication + 3, EventName = "RedisBack", Level = LogLevel.Information, Message = "Redis is reachable again: publishing to {Channel}")]
    private static partial void LogRedisBack(ILogger logger, string channel);

    [LoggerMessage(EventId = EventIds.Replication + 4, EventName = "PublishFailed", Level = LogLevel.Debug, Message = "A publish to Redis failed: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, string reason);
}
