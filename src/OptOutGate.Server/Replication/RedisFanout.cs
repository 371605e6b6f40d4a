using StackExchange.Redis;

namespace OptOutGate.Server.Replication;

/// <summary>
/// The Redis side of the fan-out, on one <see cref="ConnectionMultiplexer"/> per node. Pub/sub is at-most-once (a
/// message published while a subscriber is away is gone), which is why every message carries its sequence numbers and
/// replicas fill gaps from the change stream. The multiplexer never aborts on a failed connect, reconnects on its own
/// and subscribes again after a reconnect; publishes fail at once while it is disconnected
/// (<see cref="BacklogPolicy.FailFast"/>) instead of waiting in its backlog, and callers check
/// <see cref="IsConnected"/> first so that nothing is even tried while Redis is down.
/// </summary>
internal sealed partial class RedisFanout : IDisposable
{
    private readonly ConnectionMultiplexer _connection;
    private readonly ISubscriber _subscriber;
    private readonly ILogger _logger;

    private RedisFanout(ConnectionMultiplexer connection, string channel, ILogger logger)
    {
        _connection = connection;
        _logger = logger;
        Channel = RedisChannel.Literal(channel);
        _subscriber = connection.GetSubscriber();
        connection.ConnectionFailed += OnConnectionFailed;
        connection.ConnectionRestored += OnConnectionRestored;
    }

    public RedisChannel Channel { get; }

    public bool IsConnected => _connection.IsConnected;

    public static async Task<RedisFanout> ConnectAsync(string configuration, string channel, ILogger logger)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectRetry = 1;
        options.ConnectTimeout = 2_000;
        options.SyncTimeout = 2_000;
        options.AsyncTimeout = 2_000;
        options.KeepAlive = 1;
        options.ClientName ??= "optoutgate";
        var connection = await ConnectionMultiplexer.ConnectAsync(options);
        return new RedisFanout(connection, channel, logger);
    }

    /// <summary>Publishes one message; fails at once while Redis is unreachable.</summary>
    public Task PublishAsync(byte[] message) => _subscriber.PublishAsync(Channel, message);

    /// <summary>
    /// Subscribes to the channel with the messages handed to <paramref name="onMessage"/> one at a time, in the order
    /// Redis sent them: a <see cref="ChannelMessageQueue"/>, since StackExchange.Redis runs handler subscriptions
    /// concurrently, which would turn reordered messages into gaps to fetch.
    /// </summary>
    public async Task SubscribeInOrderAsync(Action<RedisValue> onMessage)
    {
        var queue = await _subscriber.SubscribeAsync(Channel);
        queue.OnMessage(message => onMessage(message.Message));
    }

    public void Dispose()
    {
        _connection.ConnectionFailed -= OnConnectionFailed;
        _connection.ConnectionRestored -= OnConnectionRestored;
        _connection.Dispose();
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) =>
        LogConnectionFailed(_logger, e.ConnectionType, e.EndPoint?.ToString(), e.FailureType, e.Exception?.Message);

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) =>
        LogConnectionRestored(_logger, e.ConnectionType, e.EndPoint?.ToString());

    // Logged under the caller's category (publisher or follower); ids above theirs.
    [LoggerMessage(EventId = EventIds.Replication + 21, EventName = "ConnectionFailed", Level = LogLevel.Warning, Message = "Redis {ConnectionType} connection to {EndPoint} failed ({FailureType}: {Reason}); reconnecting")]
    private static partial void LogConnectionFailed(ILogger logger, ConnectionType connectionType, string? endPoint, ConnectionFailureType failureType, string? reason);

    [LoggerMessage(EventId = EventIds.Replication + 22, EventName = "ConnectionRestored", Level = LogLevel.Information, Message = "Redis {ConnectionType} connection to {EndPoint} restored")]
    private static partial void LogConnectionRestored(ILogger logger, ConnectionType connectionType, string? endPoint);
}
