using System.Globalization;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
using Grpc.Core;
using OptOutGate.Server.Readiness;
using OptOutGate.Server.Tenancy;
using OptOutGate.Server.Webhooks;
using ChangesContract = OptOutGate.Contracts.V1.Changes;

namespace OptOutGate.Server.Changes;

/// <summary>
/// optoutgate.v1.Changes: the resumable change stream and snapshots, served from this node's durable log.
/// A slow reader costs the writers nothing: each stream reads the committed log at its own pace
/// (<see cref="OptOutGate.Engine.Storage.Log.ChangeLog.ReadAsync(ulong, ulong, CancellationToken)"/>, at most
/// <see cref="MaxRecordsPerMessage"/> records in memory per stream) and waits for new commits without holding any
/// buffer the write path fills.
/// </summary>
internal sealed partial class ChangesService(GateEngineHost engineHost, IHostApplicationLifetime lifetime, ILogger<ChangesService> logger)
    : ChangesContract.ChangesBase
{
    /// <summary>changes.proto: at most 1,000 records per StreamChangesResponse.</summary>
    public const int MaxRecordsPerMessage = 1_000;

    /// <summary>changes.proto: at most 10,000 items per GetSnapshotResponse.</summary>
    public const int MaxItemsPerChunk = 10_000;

    private static readonly TimeSpan DefaultHeartbeat = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MinHeartbeat = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxHeartbeat = TimeSpan.FromSeconds(60);

    public override async Task StreamChanges(StreamChangesRequest request, IServerStreamWriter<StreamChangesResponse> responses, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var tenants = TenantFilter.Resolve(identity, request.TenantIds);
        var heartbeat = HeartbeatOf(request);
        var replica = identity.HasAny(ApiRoles.Replica);
        var engine = RequireEngine();
        var log = engine.Log;
        var from = Math.Max(request.FromSequence, 1);
        var to = request.ToSequence == 0 ? ulong.MaxValue : request.ToSequence;
        if (to < from)
        {
            throw new RpcException(new Status(StatusCode.OutOfRange, string.Create(CultureInfo.InvariantCulture, $"to_sequence {request.ToSequence} is below from_sequence {from}.")));
        }

        if (from < log.FirstSequence)
        {
            throw new RpcException(new Status(StatusCode.OutOfRange,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"from_sequence {from} is older than the oldest record this node holds ({log.FirstSequence}): bootstrap from optoutgate.v1.Changes/GetSnapshot, then stream from its sequence + 1.")));
        }

        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var ct = stopping.Token;
        var next = from;
        ChangesLog.StreamStarted(logger, identity.ToString(), from, request.ToSequence);
        try
        {
            var batch = new StreamChangesResponse();
            while (next <= to)
            {
                var committed = log.LastSequence;
                if (next > committed)
                {
                    if (!await WaitForCommitAsync(log, next, heartbeat, ct))
                    {
                        await responses.WriteAsync(new StreamChangesResponse { CommittedSequence = log.LastSequence }, ct);
                    }

                    continue;
                }

                var last = Math.Min(to, committed);
                await foreach (var entry in log.ReadAsync(next, last, ct))
                {
                    var record = entry.Record;
                    next = record.Sequence + 1;
                    if (tenants.Contains(record.TenantId))
                    {
                        // Replicas need the webhook secrets (a promoted replica signs with them); other readers never see them.
                        batch.Records.Add(replica ? record : WebhookRedaction.Redact(record));
                        if (batch.Records.Count == MaxRecordsPerMessage)
                        {
                            batch.CommittedSequence = log.LastSequence;
                            await responses.WriteAsync(batch, ct);
                            batch = new StreamChangesResponse();
                        }
                    }
                }

                next = Math.Max(next, last + 1);
                if (batch.Records.Count > 0)
                {
                    batch.CommittedSequence = log.LastSequence;
                    await responses.WriteAsync(batch, ct);
                    batch = new StreamChangesResponse();
                }
            }
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, string.Create(CultureInfo.InvariantCulture, $"OptOutGate is shutting down; resume from sequence {next} on another node or after the restart.")));
        }
        catch (ObjectDisposedException)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, string.Create(CultureInfo.InvariantCulture, $"OptOutGate is shutting down; resume from sequence {next}.")));
        }
    }

    /// <summary>True when <paramref name="sequence"/> committed; false when the heartbeat interval passed first.</summary>
    private static async Task<bool> WaitForCommitAsync(OptOutGate.Engine.Storage.Log.ChangeLog log, ulong sequence, TimeSpan heartbeat, CancellationToken ct)
    {
        var wait = log.WaitForSequenceAsync(sequence, ct);
        if (heartbeat == Timeout.InfiniteTimeSpan || wait.IsCompleted)
        {
            await wait;
            return true;
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(heartbeat, timer.Token);
        var done = await Task.WhenAny(wait, delay);
        await timer.CancelAsync();
        if (done == wait)
        {
            await wait;
            return true;
        }

        ct.ThrowIfCancellationRequested();
        return false;
    }

    private static TimeSpan HeartbeatOf(StreamChangesRequest request)
    {
        if (request.HeartbeatInterval is null)
        {
            return DefaultHeartbeat;
        }

        if (request.HeartbeatInterval.Seconds == 0 && request.HeartbeatInterval.Nanos == 0)
        {
            return Timeout.InfiniteTimeSpan;
        }

        var interval = request.HeartbeatInterval.ToTimeSpan();
        return interval >= MinHeartbeat && interval <= MaxHeartbeat
            ? interval
            : throw new RpcException(new Status(StatusCode.InvalidArgument, "heartbeat_interval: must be 0 (never) or between 100 ms and 60 s."));
    }

    private GateEngine RequireEngine() => engineHost.Require();
}
