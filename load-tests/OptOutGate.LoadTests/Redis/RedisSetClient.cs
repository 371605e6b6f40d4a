using System.Text;
using OptOutGate.LoadTests.Workload;
using StackExchange.Redis;

namespace OptOutGate.LoadTests.Redis;

/// <summary>
/// The race's Redis side on StackExchange.Redis: a set holding the loaded opt-outs, asked one SMISMEMBER per batch
/// (<see cref="IDatabaseAsync.SetContainsAsync(RedisKey, RedisValue[], CommandFlags)"/>). One
/// <see cref="ConnectionMultiplexer"/> per connection of the race, each pipelining its workers' commands on one
/// socket, as the gate's client multiplexes calls on one HTTP/2 connection: the same number of workers and connections
/// on both sides. Members are encoded to UTF-8 once per batch, as the gate's client serializes each batch once.
/// </summary>
internal sealed class RedisSetClient : IAsyncDisposable
{
    private const int SaddChunk = 10_000;

    private readonly ConnectionMultiplexer[] _connections;
    private readonly IDatabase[] _databases;

    private RedisSetClient(ConnectionMultiplexer[] connections, RedisKey key)
    {
        _connections = connections;
        _databases = Array.ConvertAll(connections, static c => c.GetDatabase());
        Key = key;
    }

    public RedisKey Key { get; }

    public static async Task<RedisSetClient> ConnectAsync(int port, int connections, string key)
    {
        var opened = new ConnectionMultiplexer[connections];
        try
        {
            for (var i = 0; i < connections; i++)
            {
                opened[i] = await ConnectionMultiplexer.ConnectAsync(Options(port));
            }
        }
        catch
        {
            foreach (var connection in opened)
            {
                connection?.Dispose();
            }

            throw;
        }

        return new RedisSetClient(opened, key);
    }

    /// <summary>The options of a loopback connection for measuring: fail at once rather than wait to reconnect.</summary>
    public static ConfigurationOptions Options(int port) => new()
    {
        EndPoints = { { "127.0.0.1", port } },
        AbortOnConnectFail = true,
        BacklogPolicy = BacklogPolicy.FailFast,
        ClientName = "optoutgate-loadtest",
    };

    /// <summary>Each batch's recipients as the members SMISMEMBER asks for, UTF-8 encoded once.</summary>
    public static RedisValue[][] Members(BatchPool pool) =>
        Array.ConvertAll(pool.Requests, static request =>
        {
            var members = new RedisValue[request.Recipients.Count];
            for (var i = 0; i < members.Length; i++)
            {
                members[i] = Encoding.UTF8.GetBytes(request.Recipients[i]);
            }

            return members;
        });

    /// <summary>
    /// Replaces the set with the first <paramref name="dataset"/> numbers of <paramref name="space"/> (SADD in chunks of
    /// 10,000, up to 4 in flight per connection); returns how many were added.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server does not answer SMISMEMBER (before Redis 6.2).</exception>
    public async Task<long> LoadAsync(long dataset, RecipientSpace space, CancellationToken cancellationToken)
    {
        await _databases[0].KeyDeleteAsync(Key);
        var chunks = (int)((dataset + SaddChunk - 1) / SaddChunk);
        long added = 0;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, chunks),
            new ParallelOptions { MaxDegreeOfParallelism = 4 * _databases.Length, CancellationToken = cancellationToken },
            async (chunk, _) =>
            {
                var from = (long)chunk * SaddChunk;
                var members = new RedisValue[(int)(Math.Min(from + SaddChunk, dataset) - from)];
                for (var i = 0; i < members.Length; i++)
                {
                    members[i] = space.Number(from + i);
                }

                Interlocked.Add(ref added, await _databases[chunk % _databases.Length].SetAddAsync(Key, members));
            });

        // Say so plainly rather than failing every call of the race.
        try
        {
            await _databases[0].SetContainsAsync(Key, [space.Number(0)]);
        }
        catch (RedisServerException ex)
        {
            throw new InvalidOperationException("This redis-server does not answer SMISMEMBER (Redis 6.2 or later is needed): " + ex.Message, ex);
        }

        return added;
    }

    /// <summary>How many of <paramref name="members"/> the set holds, asked on the worker's connection.</summary>
    public async Task<int> CountMembersAsync(int worker, RedisValue[] members)
    {
        var present = await _databases[worker % _databases.Length].SetContainsAsync(Key, members);
        var count = 0;
        foreach (var member in present)
        {
            count += member ? 1 : 0;
        }

        return count;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }
}
