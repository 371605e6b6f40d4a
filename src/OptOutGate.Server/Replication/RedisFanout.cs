using StackExchange.Redis;

namespace OptOutGate.Server.Replication;

/// <summary>
/// The Redis side of the fan-out (StackExchange.Redis 1.2.6). Pub/sub is at-most-once (a message published while a
/// subscriber is away is gone), which is why every message carries its sequence numbers and replicas fill gaps from the
/// change stream. The connection never aborts on a failed connect and reconnects on its own; callers check
/// <see cref="IsConnected"/> instead of letting commands queue up while Redis is down.
/// </summary>
internal sealed class RedisFanout : IDisposable
{
    private readonly ConnectionMultiplexer _connection;

    private RedisFanout(ConnectionMultiplexer connection, string channel)
    {
        _connection = connection;
        Channel = new RedisChannel(channel, RedisChannel.PatternMode.Literal);
        Subscriber = connection.GetSubscriber();
    }

    public RedisChannel Channel { get; }

    public ISubscriber Subscriber { get; }

    public bool IsConnected => _connection.IsConnected;

    public static async Task<RedisFanout> ConnectAsync(string configuration, string channel, TextWriter? log = null)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.ConnectRetry = 1;
        options.ConnectTimeout = 2_000;
        options.SyncTimeout = 2_000;
        options.KeepAlive = 1;
        options.ClientName = "optoutgate";
        var connection = await ConnectionMultiplexer.ConnectAsync(options, log);
        return new RedisFanout(connection, channel);
    }

    public void Dispose() => _connection.Dispose();
}
