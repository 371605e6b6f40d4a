using System.Diagnostics;
using System.Globalization;
using OptOutGate.LoadTests.Gate;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Workload;

namespace OptOutGate.LoadTests.Race;

/// <summary>
/// The race's peer side: a started peer server (<see cref="RacePeerKind"/>) holding the opted-out numbers in one set,
/// and as many RESP connections as the gate gets HTTP/2 connections. Each batch is one <c>SMISMEMBER key m1..m1000</c>,
/// encoded once before the run, and each reply's count of present members is checked like the gate's answers.
/// </summary>
internal sealed class RacePeer : IAsyncDisposable
{
    private const int SaddChunk = 10_000;

    private readonly PeerServerProcess _server;
    private readonly RespConnection[] _connections;

    private RacePeer(RacePeerKind kind, PeerServerProcess server, RespConnection[] connections, string key)
    {
        Kind = kind;
        _server = server;
        _connections = connections;
        Key = key;
    }

    public RacePeerKind Kind { get; }

    public int Port => _server.Port;

    public int ProcessId => _server.ProcessId;

    /// <summary>The set holding the opted-out numbers.</summary>
    public string Key { get; }

    /// <summary>Starts the server and opens <paramref name="connections"/> connections to it.</summary>
    /// <exception cref="InvalidOperationException">The server is not installed or did not start.</exception>
    public static async Task<RacePeer> StartAsync(RacePeerKind kind, string executable, int connections, long dataset, string key, CancellationToken cancellationToken)
    {
        var server = await PeerServerProcess.StartAsync(kind, executable, dataset, cancellationToken);
        var opened = new List<RespConnection>(connections);
        try
        {
            for (var i = 0; i < connections; i++)
            {
                opened.Add(RespConnection.Connect("127.0.0.1", server.Port));
            }

            return new RacePeer(kind, server, [.. opened], key);
        }
        catch
        {
            foreach (var connection in opened)
            {
                await connection.DisposeAsync();
            }

            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Loads dataset numbers [0, <paramref name="dataset"/>) into the set with pipelined SADDs of 10,000 members, and
    /// checks that the server answers SMISMEMBER (Redis 6.2 and later; Garnet). Returns the members added.
    /// </summary>
    public async Task<long> LoadAsync(long dataset, RecipientSpace space, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await _connections[0].SendAsync(RespConnection.Encode("DEL", Key, []), cancellationToken);
        var chunks = (int)((dataset + SaddChunk - 1) / SaddChunk);
        long added = 0;

        // Pipelined: up to 4 SADDs in flight per connection.
        await Parallel.ForEachAsync(
            Enumerable.Range(0, chunks),
            new ParallelOptions { MaxDegreeOfParallelism = 4 * _connections.Length, CancellationToken = cancellationToken },
            async (chunk, ct) =>
            {
                var from = (long)chunk * SaddChunk;
                var members = new List<string>(SaddChunk);
                for (var i = from; i < Math.Min(from + SaddChunk, dataset); i++)
                {
                    members.Add(space.Number(i));
                }

                Interlocked.Add(ref added, await SendAsync(chunk, RespConnection.Encode("SADD", Key, members), ct));
            });

        // Say plainly when the server has no SMISMEMBER rather than failing every call of the race.
        try
        {
            await CountMembersAsync([space.Number(0)], cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"This {Kind.Program} does not answer SMISMEMBER (Redis 6.2 or later, or Garnet, is needed): {ex.Message}", ex);
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"race: {Kind.Name} loaded {added:N0} members in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s"));
        return added;
    }

    /// <summary>One SMISMEMBER: how many of <paramref name="recipients"/> the set holds.</summary>
    public Task<long> CountMembersAsync(IReadOnlyList<string> recipients, CancellationToken cancellationToken) =>
        SendAsync(0, RespConnection.Encode("SMISMEMBER", Key, recipients), cancellationToken);

    /// <summary>
    /// The race's call on this peer: worker w's call n sends the same batch the gate's call gets (the pool's batch
    /// <c>w × 7919 + n</c>, pre-encoded) on connection w mod connections, and checks the count of members present.
    /// </summary>
    public RunLoop.CallAsync CreateCall(BatchPool pool)
    {
        var commands = Array.ConvertAll(pool.Requests, r => RespConnection.Encode("SMISMEMBER", Key, r.Recipients));
        return async (worker, sequence, cancellationToken) =>
        {
            var index = (int)(((worker * 7919L) + sequence) % commands.Length);
            var present = await _connections[worker % _connections.Length].SendAsync(commands[index], continueOnReader: true, cancellationToken);
            return new CallResult(pool.BatchSize, present == pool.ExpectedBlocked ? CheckScenario.AsExpected : CheckScenario.Mismatch);
        };
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        await _server.DisposeAsync();
    }

    private Task<long> SendAsync(int connection, byte[] command, CancellationToken cancellationToken) =>
        _connections[connection % _connections.Length].SendAsync(command, cancellationToken);
}
