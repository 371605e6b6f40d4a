using System.Diagnostics;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
using OptOutGate.Engine.Snapshots;
using ChangesClient = OptOutGate.Contracts.V1.Changes.ChangesClient;

namespace OptOutGate.Server.Replication;

internal sealed partial class ReplicaFollower
{
    /// <summary>
    /// Snapshot bootstrap of an empty replica (DESIGN.md "Durability, replicas, scale": an empty folder starts from a
    /// consistent snapshot and the sequence it reflects): the primary's GetSnapshot at a sequence N is written to the
    /// snapshot base (<see cref="SnapshotBaseBuilder"/>) and loaded into the engine, which then takes a checkpoint at N;
    /// following continues at N + 1. A stream that ends in error is discarded whole (only a completed download becomes
    /// the base) and fetched again after a backoff; the engine is not touched until the base is durable. A primary with
    /// no records yet gives nothing to load: following starts at 1. Returns false when the node must stop: the base
    /// could not be loaded into the engine, which may then be partly loaded (the restart loads the base at open).
    /// </summary>
    private async Task<bool> BootstrapAsync(ChangesClient primary, GateEngine engine, CancellationToken ct)
    {
        var failures = 0;
        while (true)
        {
            try
            {
                if (!await DownloadSnapshotAsync(primary, engine.SnapshotBasePath, ct))
                {
                    return true;
                }

                break;
            }
            catch (Exception e) when (e is RpcException or HttpRequestException or IOException or InvalidDataException)
            {
                failures++;
                LogSnapshotFailed(_logger, e.Message);
                await Task.Delay(Backoff(failures), ct);
            }
        }

        try
        {
            var sequence = await engine.LoadSnapshotBaseAsync(ct);
            LogSnapshotLoaded(_logger, sequence, engine.Index.Count, engine.Log.FirstSequence);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSnapshotLoadFailed(_logger, engine.SnapshotBasePath, e);
            Environment.ExitCode = 1;
            _lifetime.StopApplication();
            return false;
        }
    }

    /// <summary>How long a snapshot download may go without a chunk before it is dropped and fetched again.</summary>
    private static readonly TimeSpan SnapshotStallTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Downloads the snapshot into the base file; false when the primary has no records (nothing written).</summary>
    private async Task<bool> DownloadSnapshotAsync(ChangesClient primary, string path, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        LogSnapshotRequested(_logger, _options.PrimaryAddress!);
        using var builder = new SnapshotBaseBuilder(path);
        using (var stalled = CancellationTokenSource.CreateLinkedTokenSource(ct))
        using (var call = primary.GetSnapshot(new GetSnapshotRequest(), new CallOptions(_headers, null, stalled.Token)))
        {
            // No overall deadline (a large snapshot takes as long as it takes), but a primary that stops sending mid-way
            // must not hold the bootstrap forever: the download is dropped and fetched again.
            try
            {
                stalled.CancelAfter(SnapshotStallTimeout);
                while (await call.ResponseStream.MoveNext(stalled.Token))
                {
                    stalled.CancelAfter(SnapshotStallTimeout);
                    builder.Add(call.ResponseStream.Current);
                }
            }
            catch (Exception e) when ((e is OperationCanceledException or RpcException) && stalled.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new IOException(string.Create(CultureInfo.InvariantCulture, $"The primary sent no snapshot chunk for {SnapshotStallTimeout.TotalSeconds:0} s; the snapshot is fetched again."), e);
            }
        }

        if (builder.Sequence == 0)
        {
            LogPrimaryEmpty(_logger);
            return false;
        }

        var asOf = await ReadBaseRecordTimeAsync(primary, builder.Sequence, ct);
        await Task.Run(() => builder.Complete(asOf), CancellationToken.None);
        LogSnapshotReceived(_logger, builder.Sequence, builder.Entries, builder.ConfigItems, builder.Windows, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return true;
    }

    /// <summary>
    /// The primary's receive time of record <paramref name="sequence"/> (the time the snapshot reflects). It also checks
    /// the key: a snapshot names no tenants it left out, but a key that cannot read record N's tenant gets no record.
    /// </summary>
    private async Task<DateTime?> ReadBaseRecordTimeAsync(ChangesClient primary, ulong sequence, CancellationToken ct)
    {
        var request = new StreamChangesRequest { FromSequence = sequence, ToSequence = sequence, HeartbeatInterval = Duration.FromTimeSpan(_options.HeartbeatInterval) };
        using var call = primary.StreamChanges(request, new CallOptions(_headers, DateTime.UtcNow.AddMinutes(1), ct));
        ChangeRecord? found = null;
        while (await call.ResponseStream.MoveNext(ct))
        {
            foreach (var record in call.ResponseStream.Current.Records)
            {
                if (record.Sequence == sequence)
                {
                    found = record;
                }
            }
        }

        return found is null
            ? throw new ReplicaKeyScopeException(string.Create(CultureInfo.InvariantCulture, $"the primary's snapshot is at sequence {sequence}, but its change stream does not show this key record {sequence}"))
            : found.ReceiveTime?.ToDateTime();
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Replica has an empty data folder: requesting the snapshot of {Primary}")]
    private static partial void LogSnapshotRequested(ILogger logger, string primary);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Replica received the snapshot at sequence {Sequence}: {Entries} entries, {ConfigItems} configuration items, {Windows} confirmation windows in {ElapsedMs} ms")]
    private static partial void LogSnapshotReceived(ILogger logger, ulong sequence, int entries, int configItems, int windows, long elapsedMs);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Replica loaded a snapshot at sequence {Sequence} ({Entries} entries, checkpoint taken); its log starts at sequence {FirstSequence}")]
    private static partial void LogSnapshotLoaded(ILogger logger, ulong sequence, long entries, ulong firstSequence);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Replica snapshot failed and is discarded: {Reason}; fetching it again")]
    private static partial void LogSnapshotFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "The primary has no records yet: nothing to load, following from sequence 1")]
    private static partial void LogPrimaryEmpty(ILogger logger);

    [LoggerMessage(EventId = 15, Level = LogLevel.Critical, Message = "Replica could not load the snapshot base {Path} into its engine; stopping (the restart loads it again)")]
    private static partial void LogSnapshotLoadFailed(ILogger logger, string path, Exception exception);
}
