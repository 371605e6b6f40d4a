using System.Globalization;
using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
using OptOutGate.Engine.Replication;
using OptOutGate.Server.Readiness;
using StackExchange.Redis;
using ChangesClient = OptOutGate.Contracts.V1.Changes.ChangesClient;

namespace OptOutGate.Server.Replication;

/// <summary>
/// Replica: follows the primary into this node's own log and engine, so that it answers checks and survives restarts on
/// its own (DESIGN.md "Durability, replicas, scale"). Records are applied strictly in sequence order by one loop
/// (<see cref="ReplicaRecordWriter"/>), from one of two sources:
/// <list type="bullet">
/// <item>Redis, when configured and alive: the primary's pub/sub messages. A message that does not continue the log is a
/// gap (pub/sub is at-most-once), filled first with StreamChanges(from, to); a repeat is dropped.</item>
/// <item>The primary's change stream, tailed directly (StreamChanges from the next sequence): without Redis, and while
/// Redis is down or silent.</item>
/// </list>
/// An empty data folder first gets the primary's state (<see cref="ReplicationOptions.Bootstrap"/>): its snapshot at a
/// sequence N, followed from N + 1 (ReplicaFollower.Bootstrap.cs), or its whole log from sequence 1.
/// Restart: the engine reopens from its own checkpoint and log, and following resumes at its last sequence + 1.
/// A key that reads only some of the primary's tenants shows as skipped sequence numbers: the follower then stops for
/// good (<see cref="ReplicaKeyScopeException"/>), with one error naming the fix, and the node stays NOT_SERVING.
/// </summary>
internal sealed partial class ReplicaFollower : BackgroundService
{
    private readonly ReplicationOptions _options;
    private readonly GateEngineHost _engineHost;
    private readonly ReplicaLag _lag;
    private readonly ReplicationMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _logger;
    private readonly Metadata _headers = [];
    private readonly Channel<byte[]> _redisMessages = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(16_384)
    {
        // Dropped messages are gaps, filled from the change stream like any other.
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private long _lastRedisMessage;
    private ReplicaRecordWriter? _writer;

    public ReplicaFollower(
        ReplicationOptions options,
        GateEngineHost engineHost,
        ServerReadiness readiness,
        ReplicaLag lag,
        ReplicationMetrics metrics,
        TimeProvider time,
        IHostApplicationLifetime lifetime,
        ILogger<ReplicaFollower> logger)
    {
        _options = options;
        _engineHost = engineHost;
        _lag = lag;
        _metrics = metrics;
        _time = time;
        _lifetime = lifetime;
        _logger = logger;
        metrics.Track(lag);

        // Constructed with the other hosted services, before the engine host opens the engine: a replica never turns
        // Serving straight from Loading, only once it has caught up.
        readiness.SetCaughtUp(false);
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            _headers.Add("authorization", "Bearer " + options.ApiKey);
        }
    }

    /// <summary>Where the last records came from, for the logs and metrics.</summary>
    private string Source { get; set; } = "stream";

    /// <summary>The engine once the host opened it; null when the host stops first.</summary>
    internal static async Task<GateEngine?> WaitForEngineAsync(GateEngineHost host, CancellationToken ct)
    {
        while (host.Engine is null)
        {
            await Task.Delay(20, ct);
        }

        return host.Engine;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        GateEngine? engine;
        try
        {
            engine = await WaitForEngineAsync(_engineHost, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (engine is null)
        {
            return;
        }

        var refusal = $"This OptOutGate node is a read-only replica; send writes (and CONFIRMATION checks, which spend a window) to the primary at {_options.PrimaryAddress}.";
        engine.Writes.RefuseWrites(refusal);

        // A cancelled call (the stream's silence timer, Redis coming back, shutdown) ends as OperationCanceledException,
        // as a cancelled read of any other source does, rather than as CANCELLED from the primary.
        using var channel = GrpcChannel.ForAddress(_options.PrimaryAddress!, new GrpcChannelOptions { MaxReceiveMessageSize = 64 << 20, ThrowOperationCanceledOnCancellation = true });
        var primary = new ChangesClient(channel);
        using var ticker = new Timer(static state => ((ReplicaLag)state!).Tick(), _lag, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));
        RedisFanout? redis = null;
        try
        {
            if (engine.IsEmpty && _options.Bootstrap == ReplicaBootstrap.Snapshot && !await BootstrapAsync(primary, engine, stoppingToken))
            {
                return;
            }

            _writer = new ReplicaRecordWriter(engine);
            _lag.Applied(_writer.AppliedSequence);
            LogFollowing(_logger, _options.PrimaryAddress!, _writer.NextSequence, _options.Redis is { Length: > 0 } ? "Redis " + _options.Channel : "the change stream");
            if (_options.Redis is { Length: > 0 })
            {
                redis = await RedisFanout.ConnectAsync(_options.Redis, _options.Channel, _logger);
                await redis.SubscribeInOrderAsync(OnRedisMessage);
            }

            var failures = 0;
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (redis is not null && IsRedisAlive(redis))
                    {
                        Switch("redis");
                        await FollowRedisAsync(primary, redis, stoppingToken);
                    }
                    else
                    {
                        Switch("stream");
                        await FollowStreamAsync(primary, redis, stoppingToken);
                    }

                    failures = 0;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is RpcException or HttpRequestException or IOException or InvalidDataException)
                {
                    failures++;
                    LogFollowFailed(_logger, Source, e.Message);
                    await Task.Delay(Backoff(failures), stoppingToken);
                }
            }
        }
        catch (ReplicaKeyScopeException e)
        {
            // Every retry would skip the same sequences: stop, once, and say what to change.
            _lag.Stop();
            LogKeyCannotReadEveryTenant(_logger, _options.PrimaryAddress!, e.Message);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            redis?.Dispose();
        }
    }

    private static TimeSpan Backoff(int failures) => TimeSpan.FromMilliseconds(Math.Min(2_000, 50 * (1 << Math.Min(failures, 6))));

    private void OnRedisMessage(RedisValue value)
    {
        Volatile.Write(ref _lastRedisMessage, _time.GetTimestamp());
        _redisMessages.Writer.TryWrite((byte[])value!);
    }

    /// <summary>Connected, and the primary's heartbeats arrive through it.</summary>
    private bool IsRedisAlive(RedisFanout redis)
    {
        var last = Volatile.Read(ref _lastRedisMessage);
        return redis.IsConnected && last != 0 && _time.GetElapsedTime(last) < StaleAfter;
    }

    private TimeSpan StaleAfter => TimeSpan.FromTicks(Math.Max(_options.HeartbeatInterval.Ticks * 4, TimeSpan.FromSeconds(1).Ticks));

    private async Task FollowRedisAsync(ChangesClient primary, RedisFanout redis, CancellationToken ct)
    {
        var reader = _redisMessages.Reader;
        while (!ct.IsCancellationRequested)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(StaleAfter);
            byte[] bytes;
            try
            {
                bytes = await reader.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                if (!IsRedisAlive(redis))
                {
                    return;
                }

                continue;
            }

            var message = StreamChangesResponse.Parser.ParseFrom(bytes);
            _lag.Heard(message.CommittedSequence);
            var writer = _writer!;
            if (message.Records.Count == 0)
            {
                // A heartbeat: the primary published up to committed_sequence; anything missing here is a gap.
                if (message.CommittedSequence >= writer.NextSequence)
                {
                    await FillGapAsync(primary, writer.NextSequence, message.CommittedSequence, ct);
                }

                continue;
            }

            if (!await WriteAsync(message, "redis", ct))
            {
                await FillGapAsync(primary, writer.NextSequence, message.Records[0].Sequence - 1, ct);
                if (!await WriteAsync(message, "redis", ct))
                {
                    throw new InvalidDataException($"After filling the gap the log continues at {writer.NextSequence}, not at {message.Records[0].Sequence}.");
                }
            }

            if (!redis.IsConnected)
            {
                return;
            }
        }
    }

    /// <summary>Tails StreamChanges from the next sequence; returns when Redis has come back (then it is used again).</summary>
    private async Task FollowStreamAsync(ChangesClient primary, RedisFanout? redis, CancellationToken ct)
    {
        using var call = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var from = _writer!.NextSequence;
        var request = new StreamChangesRequest { FromSequence = from, HeartbeatInterval = Duration.FromTimeSpan(_options.HeartbeatInterval) };
        using var stream = primary.StreamChanges(request, new CallOptions(_headers, null, call.Token));
        Timer? redisWatch = null;
        if (redis is not null)
        {
            redisWatch = new Timer(
                _ =>
                {
                    if (IsRedisAlive(redis))
                    {
                        call.Cancel();
                    }
                },
                null,
                _options.HeartbeatInterval,
                _options.HeartbeatInterval);
        }

        // The direct stream is judged by its own heartbeats: silence beyond the lag bound ends it and reconnects.
        var silence = TimeSpan.FromTicks(Math.Max(_options.HeartbeatInterval.Ticks * 8, TimeSpan.FromSeconds(2).Ticks));
        try
        {
            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(call.Token);
                idle.CancelAfter(silence);
                if (!await stream.ResponseStream.MoveNext(idle.Token))
                {
                    return;
                }

                var message = stream.ResponseStream.Current;
                _lag.Heard(message.CommittedSequence);
                if (message.Records.Count == 0)
                {
                    // A heartbeat past what was sent: records this key may not read (or a commit that raced the
                    // heartbeat). A bounded fetch of the range tells the two apart.
                    if (message.CommittedSequence >= _writer.NextSequence)
                    {
                        await FillGapAsync(primary, _writer.NextSequence, message.CommittedSequence, ct);
                    }
                }
                else if (!await WriteAsync(message, "stream", ct))
                {
                    throw new ReplicaKeyScopeException(string.Create(CultureInfo.InvariantCulture, $"the change stream skipped from sequence {_writer.NextSequence} to {message.Records[0].Sequence}"));
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Redis is back, or the stream went silent: the caller picks the source again.
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && !ct.IsCancellationRequested)
        {
        }
        finally
        {
            if (redisWatch is not null)
            {
                await redisWatch.DisposeAsync();
            }
        }
    }

    private async Task FillGapAsync(ChangesClient primary, ulong from, ulong to, CancellationToken ct)
    {
        if (to < from)
        {
            return;
        }

        _metrics.GapFilled();
        LogGap(_logger, from, to);
        var request = new StreamChangesRequest { FromSequence = from, ToSequence = to, HeartbeatInterval = Duration.FromTimeSpan(_options.HeartbeatInterval) };
        using var stream = primary.StreamChanges(request, new CallOptions(_headers, DateTime.UtcNow.AddMinutes(5), ct));
        while (await stream.ResponseStream.MoveNext(ct))
        {
            var message = stream.ResponseStream.Current;
            _lag.Heard(message.CommittedSequence);
            if (message.Records.Count > 0 && !await WriteAsync(message, "gap", ct))
            {
                throw new ReplicaKeyScopeException(string.Create(CultureInfo.InvariantCulture, $"the change stream skipped from sequence {_writer!.NextSequence} to {message.Records[0].Sequence}"));
            }
        }

        // The stream ended OK, so it sent every record of from..to this key may read.
        if (_writer!.NextSequence <= to)
        {
            throw new ReplicaKeyScopeException(string.Create(CultureInfo.InvariantCulture, $"the change stream of sequences {from}..{to} ended without sequence {_writer.NextSequence}"));
        }
    }

    private async Task<bool> WriteAsync(StreamChangesResponse message, string source, CancellationToken ct)
    {
        var writer = _writer!;
        if (!await writer.WriteAsync(message.Records, ct))
        {
            return false;
        }

        var last = message.Records[^1];
        var delay = last.ReceiveTime is { } receive ? (_time.GetUtcNow() - receive.ToDateTimeOffset()).TotalSeconds : 0;
        _metrics.Applied(message.Records.Count, source, delay);
        _lag.Applied(writer.AppliedSequence);
        return true;
    }

    private void Switch(string source)
    {
        if (Source != source)
        {
            Source = source;
            LogSource(_logger, source, _writer!.NextSequence);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Replica following {Primary} from sequence {Sequence} through {Source}")]
    private static partial void LogFollowing(ILogger logger, string primary, ulong sequence, string source);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Replica now follows through {Source} from sequence {Sequence}")]
    private static partial void LogSource(ILogger logger, string source, ulong sequence);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Replica fills the gap {From}..{To} from the change stream")]
    private static partial void LogGap(ILogger logger, ulong from, ulong to);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Replica lost its source ({Source}): {Reason}; retrying")]
    private static partial void LogFollowFailed(ILogger logger, string source, string reason);

    [LoggerMessage(
        EventId = 5,
        Level = LogLevel.Error,
        Message = "Replica stopped following {Primary}: its Replication:ApiKey cannot read every tenant of the primary ({Detail}), so this node can never be a whole copy. "
            + "A replica node needs a key with role replica and no Tenants list (or a Tenants list naming every tenant of the primary); set Replication:ApiKey to such a key and restart. "
            + "This node stays NOT_SERVING until then.")]
    private static partial void LogKeyCannotReadEveryTenant(ILogger logger, string primary, string detail);
}
