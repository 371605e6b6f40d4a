using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
using OptOutGate.Engine.History;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.State;
using Grpc.Core;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Changes;

internal sealed partial class ChangesService
{
    /// <summary>
    /// GetSnapshot: the state exactly as of one sequence N. The applier is paused only while the state is copied out
    /// (index keys and values, configuration, open windows: the same pause a checkpoint takes); the copy is then turned
    /// into items and streamed with the applier running again. Entries are completed from their history records, which
    /// the log keeps for good.
    /// </summary>
    public override async Task GetSnapshot(GetSnapshotRequest request, IServerStreamWriter<GetSnapshotResponse> responses, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var tenants = TenantFilter.Resolve(identity, request.TenantIds);
        var engine = RequireEngine();
        var ct = context.CancellationToken;

        var state = await CopyStateAsync(engine, tenants, identity.HasAny(ApiRoles.Replica), ct);
        var chunk = new GetSnapshotResponse { Sequence = state.Sequence };
        var items = 0;
        async Task AddAsync(SnapshotItem item)
        {
            chunk.Items.Add(item);
            items++;
            if (chunk.Items.Count == MaxItemsPerChunk)
            {
                await responses.WriteAsync(chunk, ct);
                chunk = new GetSnapshotResponse { Sequence = state.Sequence };
            }
        }

        // Configuration before entries (changes.proto).
        foreach (var item in state.Config)
        {
            await AddAsync(item);
        }

        foreach (var (key, value) in state.Entries)
        {
            if (!engine.Scopes.TryGetTenantName(key.TenantId, out var tenant) || !engine.Scopes.TryGetScopeName(key.ScopeId, out _))
            {
                continue;
            }

            if (await engine.Log.ReadAsync(value.Sequence, ct) is not { } logEntry)
            {
                continue;
            }

            await AddAsync(new SnapshotItem { TenantId = tenant, Entry = EntryViews.FromRecord(key.Kind, logEntry.Record, value.SmsTypeMask) });
        }

        foreach (var (key, window) in state.Windows)
        {
            if (engine.Scopes.TryGetTenantName(key.TenantId, out var tenant) && engine.Scopes.TryGetScopeName(key.SenderScopeId, out var scope))
            {
                await AddAsync(new SnapshotItem
                {
                    TenantId = tenant,
                    ConfirmationWindow = new ConfirmationWindow
                    {
                        Sender = scope.Sender,
                        Recipient = E164.Format(key.Recipient),
                        ExpireTime = Timestamp.FromDateTime(DateTime.SpecifyKind(window.ExpireTime, DateTimeKind.Utc)),
                    },
                });
            }
        }

        // The last chunk is sent even when empty, so that a snapshot of nothing still names its sequence.
        await responses.WriteAsync(chunk, ct);
        ChangesLog.SnapshotServed(logger, identity.ToString(), state.Sequence, items);
    }

    /// <param name="withSecrets">Webhook subscriptions with their secrets (a replica's bootstrap); blanked for other readers.</param>
    private static async Task<SnapshotState> CopyStateAsync(GateEngine engine, HashSet<string> tenants, bool withSecrets, CancellationToken ct)
    {
        var tenantIds = new HashSet<uint>();
        foreach (var tenant in tenants)
        {
            if (engine.Scopes.TryGetTenantId(tenant, out var id))
            {
                tenantIds.Add(id);
            }
        }

        using var pause = await engine.Applier.PauseAsync(ct);
        return await Task.Run(() =>
        {
            var entries = new List<(EntryKey, EntryValue)>();
            foreach (var (key, value) in engine.Index.Scan())
            {
                if (tenantIds.Contains(key.TenantId))
                {
                    entries.Add((key, value));
                }
            }

            var config = new List<SnapshotItem>();
            foreach (var tenant in tenants)
            {
                foreach (var address in engine.Config.ListInboundAddresses(tenant))
                {
                    config.Add(new SnapshotItem { TenantId = tenant, InboundAddress = address.Clone() });
                }

                foreach (var rule in engine.Config.ListBlockingRules(tenant))
                {
                    config.Add(new SnapshotItem { TenantId = tenant, BlockingRule = rule.Clone() });
                }

                foreach (var subscription in engine.Config.ListWebhookSubscriptions(tenant))
                {
                    var copy = subscription.Clone();
                    if (!withSecrets)
                    {
                        copy.Secret = "";
                        copy.PreviousSecret = "";
                    }

                    config.Add(new SnapshotItem { TenantId = tenant, WebhookSubscription = copy });
                }
            }

            foreach (var (tenant, policy) in engine.Config.TenantPolicies)
            {
                if (tenants.Contains(tenant))
                {
                    config.Add(new SnapshotItem { TenantId = tenant, TenantPolicy = policy.Clone() });
                }
            }

            var windows = new List<(ConfirmationKey, ConfirmationWindowState)>();
            foreach (var (key, window) in engine.Config.ConfirmationWindows)
            {
                if (!window.Used && tenantIds.Contains(key.TenantId))
                {
                    windows.Add((key, window));
                }
            }

            return new SnapshotState(pause.Sequence, config, entries, windows);
        }, CancellationToken.None);
    }

    private sealed record SnapshotState(
        ulong Sequence,
        List<SnapshotItem> Config,
        List<(EntryKey Key, EntryValue Value)> Entries,
        List<(ConfirmationKey Key, ConfirmationWindowState Window)> Windows);
}
