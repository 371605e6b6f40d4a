using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Decisions;
using OptOutGate.Engine.History;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Replication;
using OptOutGate.Engine.Snapshots;
using OptOutGate.Engine.Tests.Infrastructure;
using OptOutGate.Engine.Tests.Replication;
using OptOutGate.Engine.Writes;
using IndexKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Tests.Snapshots;

/// <summary>
/// A replica engine bootstrapped from a primary engine's snapshot, in process: the snapshot becomes the
/// base file, the base the replica's state at N, and the primary's records after N follow; entries keep their details,
/// point reads below the log find the base, restarts come back from the checkpoint or, without one, from the base.
/// </summary>
public sealed class SnapshotBootstrapTests
{
    private const string Tenant = "tenant-a";
    private const string Sender = "+18005550100";
    private const string Kept = "+14155550101";
    private const string Lifted = "+14155550102";

    [Fact]
    public async Task SnapshotLoadedIntoAnEmptyEngine_ListsTheSameEntriesWithTheirDetails_AndFollowsFromTheNextSequence()
    {
        using var primaryDir = new EngineTestDirectory();
        using var replicaDir = new EngineTestDirectory();
        await using var primary = await primaryDir.OpenAsync();
        var n = await WriteBeforeSnapshotAsync(primary, primaryDir);
        var snapshot = await SnapshotOfAsync(primary);

        await using (var replica = await replicaDir.OpenAsync())
        {
            Assert.True(replica.IsEmpty);
            using (var builder = new SnapshotBaseBuilder(replica.SnapshotBasePath))
            {
                foreach (var chunk in snapshot)
                {
                    builder.Add(chunk);
                }

                builder.Complete(primaryDir.Time.GetUtcNow().UtcDateTime);
            }

            Assert.Equal(n, await replica.LoadSnapshotBaseAsync(CancellationToken.None));

            Assert.False(replica.IsEmpty);
            Assert.Equal(n, replica.Applier.AppliedSequence);
            Assert.Equal(n, replica.LastCheckpointSequence);
            Assert.Equal(n + 1, replica.Log.FirstSequence);
            Assert.Equal(n, replica.Log.LastSequence);
            Assert.Equal(await ListAsync(primary, Tenant), await ListAsync(replica, Tenant));
            Assert.Equal(await ListAsync(primary, "tenant-b"), await ListAsync(replica, "tenant-b"));
            var lastHour = new TimeRange { StartTime = Timestamp.FromDateTime(primaryDir.Time.GetUtcNow().UtcDateTime.AddHours(-1)) };
            Assert.NotEmpty(await ListAsync(replica, Tenant, lastHour));
            Assert.Equal(await ListAsync(primary, Tenant, lastHour), await ListAsync(replica, Tenant, lastHour));
            Assert.True(replica.Config.TryGetInboundAddress(Tenant, Sender, out _));
            Assert.Equal(primary.Config.GetBlockedMask(Tenant, Sender, "", out _), replica.Config.GetBlockedMask(Tenant, Sender, "", out _));

            // The last change of an entry comes from the base; a sequence no entry names is not held.
            var kept = await ListAsync(primary, Tenant);
            var lastOfKept = kept.Last(e => e.Recipient == Kept).Sequence;
            Assert.Equal(ChangeAction.Suppress, (await replica.Log.ReadAsync(lastOfKept, CancellationToken.None))!.Record.Action);
            Assert.Null(await replica.Log.ReadAsync(1, CancellationToken.None));

            // The primary moves on; its records after N follow on the replica, chained to the base.
            await primary.RemoveAsync(Tenant, Sender, Lifted);
            await primary.OptOutAsync(Tenant, Sender, "+14155550199");
            var writer = new ReplicaRecordWriter(replica);
            Assert.Equal(n + 1, writer.NextSequence);
            Assert.True(await writer.WriteAsync(await PrimaryRecords.FromAsync(primary, n + 1), CancellationToken.None));

            Assert.Equal(await ListAsync(primary, Tenant), await ListAsync(replica, Tenant));
            var removal = (await replica.Log.ReadAsync(n + 1, CancellationToken.None))!;
            Assert.Equal(ChangeAction.OptOutRemoved, removal.Record.Action);
            Assert.Equal((await primary.Log.ReadAsync(n + 1, CancellationToken.None))!.PreviousForRecipient, removal.PreviousForRecipient);
        }

        // Reopened as after a crash: from the checkpoint at N, then the log.
        await using (var reopened = await replicaDir.OpenAsync())
        {
            Assert.Equal(n + 2, reopened.Applier.AppliedSequence);
            Assert.Equal(n, reopened.Log.Base!.Sequence);
            Assert.Equal(await ListAsync(primary, Tenant), await ListAsync(reopened, Tenant));
        }

        // Without any checkpoint: the base is the state at N, and the log follows it.
        Directory.Delete(Path.Combine(replicaDir.Path, "checkpoints"), recursive: true);
        await using var fromBase = await replicaDir.OpenAsync();
        Assert.Equal(n + 2, fromBase.Applier.AppliedSequence);
        Assert.Equal(await ListAsync(primary, Tenant), await ListAsync(fromBase, Tenant));
        Assert.Equal(await ListAsync(primary, "tenant-b"), await ListAsync(fromBase, "tenant-b"));
    }

    [Fact]
    public async Task PointInTimeCheck_OnTheReplica_ReachesTheEntriesInTheBase_AndNotBeforeIt()
    {
        using var primaryDir = new EngineTestDirectory();
        using var replicaDir = new EngineTestDirectory();
        await using var primary = await primaryDir.OpenAsync();
        var beforeAll = primaryDir.Time.GetUtcNow().UtcDateTime;
        primaryDir.Time.Advance(TimeSpan.FromMinutes(1));
        await WriteBeforeSnapshotAsync(primary, primaryDir);
        var snapshotTime = primaryDir.Time.GetUtcNow().UtcDateTime;
        await using var replica = await replicaDir.OpenAsync();
        using (var builder = new SnapshotBaseBuilder(replica.SnapshotBasePath))
        {
            foreach (var chunk in await SnapshotOfAsync(primary))
            {
                builder.Add(chunk);
            }

            builder.Complete(snapshotTime);
        }

        await replica.LoadSnapshotBaseAsync(CancellationToken.None);
        primaryDir.Time.Advance(TimeSpan.FromMinutes(1));
        var primaryCheck = PointInTimeCheck.For(primary);
        var replicaCheck = PointInTimeCheck.For(replica);
        var now = primaryDir.Time.GetUtcNow().UtcDateTime;

        foreach (var type in new[] { SmsType.Marketing, SmsType.Notification })
        {
            var expected = await primaryCheck.CheckAsync(Tenant, Parse(Kept), Sender, "", type, now, default);
            var actual = await replicaCheck.CheckAsync(Tenant, Parse(Kept), Sender, "", type, now, default);
            Assert.Equal(expected.Verdict, actual.Verdict);
            Assert.Equal(expected.Decider, actual.Decider);
        }

        Assert.True(await replicaCheck.IsWithinHistoryAsync(now, default));
        Assert.False(await replicaCheck.IsWithinHistoryAsync(beforeAll, default));
    }

    /// <summary>Opt-outs, a tenant-wide suppression with types, a bypass at an app, another tenant, a rule; returns N.</summary>
    private static async Task<ulong> WriteBeforeSnapshotAsync(GateEngine primary, EngineTestDirectory dir)
    {
        await primary.PutAddressAsync(Tenant, Sender);
        await primary.PutRuleAsync(Tenant, Sender, "", SmsType.Marketing, SmsType.Notification);
        await primary.OptOutAsync(Tenant, Sender, Kept, Lifted, "+14155550103");
        dir.Time.Advance(TimeSpan.FromSeconds(1));
        await primary.WriteAsync(Tenant, Sender, IndexKind.Suppression, EntryWriteOperation.Add, [Kept], mask: 1 << (int)SmsType.Notification, scope: Scope.Tenant, reason: "legal hold");
        await primary.WriteAsync(Tenant, Sender, IndexKind.Bypass, EntryWriteOperation.Add, [Lifted], mask: 1 << (int)SmsType.Verification, scope: Scope.SenderApp, app: "otp");
        await primary.RemoveAsync(Tenant, Sender, "+14155550103");
        await primary.OptOutAsync("tenant-b", Sender, Kept);
        dir.Time.Advance(TimeSpan.FromSeconds(1));
        return primary.Applier.AppliedSequence;
    }

    /// <summary>What the primary's GetSnapshot streams (ChangesService.Snapshot.cs), in chunks of two items.</summary>
    private static async Task<List<GetSnapshotResponse>> SnapshotOfAsync(GateEngine engine)
    {
        var sequence = engine.Applier.AppliedSequence;
        var items = new List<SnapshotItem>();
        foreach (var tenant in new[] { Tenant, "tenant-b" })
        {
            items.AddRange(engine.Config.ListInboundAddresses(tenant).Select(a => new SnapshotItem { TenantId = tenant, InboundAddress = a.Clone() }));
            items.AddRange(engine.Config.ListBlockingRules(tenant).Select(r => new SnapshotItem { TenantId = tenant, BlockingRule = r.Clone() }));
        }

        foreach (var tenant in new[] { Tenant, "tenant-b" })
        {
            foreach (var entry in await ListAsync(engine, tenant))
            {
                items.Add(new SnapshotItem { TenantId = tenant, Entry = entry });
            }
        }

        foreach (var (key, window) in engine.Config.ConfirmationWindows)
        {
            Assert.True(engine.Scopes.TryGetTenantName(key.TenantId, out var tenant));
            Assert.True(engine.Scopes.TryGetScopeName(key.SenderScopeId, out var scope));
            items.Add(new SnapshotItem
            {
                TenantId = tenant,
                ConfirmationWindow = new ConfirmationWindow { Sender = scope.Sender, Recipient = E164.Format(key.Recipient), ExpireTime = Timestamp.FromDateTime(window.ExpireTime) },
            });
        }

        return items.Chunk(2).Select(c => new GetSnapshotResponse { Sequence = sequence, Items = { c } }).ToList();
    }

    private static async Task<List<Entry>> ListAsync(GateEngine engine, string tenant, TimeRange? updated = null)
    {
        Assert.True(EntryQuery.TryCreate(tenant, new EntryFilter { TimeRange = updated }, out var query, out _));
        var page = await EntryLister.For(engine).ListPageAsync(query, 0, 1_000, default);
        return [.. page.Entries];
    }

    private static ulong Parse(string recipient) => E164.TryParse(recipient, out var n) ? n : throw new ArgumentException(recipient);
}
