using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Storage.Checkpoints;
using OptOutGate.Engine.Tests.Infrastructure;
using OptOutGate.Engine.Writes;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Tests;

public sealed class GateEngineTests
{
    [Fact]
    public async Task AcknowledgedWrite_IsCommittedAndVisibleToReads()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();

        var result = await engine.AddOptOutsAsync("+14155550100", "not-a-number", "+14155550101");

        Assert.Equal([WriteOutcome.Added, WriteOutcome.InvalidRecipient, WriteOutcome.Added], result.Items.Select(i => i.Outcome));
        Assert.Equal(2UL, result.Sequence);
        Assert.Equal(1UL, result.Items[0].Sequence);
        Assert.True(engine.Log.LastSequence >= result.Sequence, "acknowledged before the commit");
        Assert.True(engine.Applier.AppliedSequence >= result.Sequence, "acknowledged before the apply");
        Assert.True(engine.TryGetEntry(EntryKind.OptOut, "+14155550101", EngineWrites.Sender, "", out var value));
        Assert.Equal(2UL, value.Sequence);
        Assert.Equal((byte)Source.Api, value.Source);

        var record = await engine.Log.ReadAsync(2, CancellationToken.None);
        Assert.NotNull(record);
        Assert.Equal(ChangeAction.OptOut, record.Record.Action);
        Assert.Equal(Scope.Sender, record.Record.Scope);
        Assert.Equal("key-1", record.Record.ActorKeyId);
        Assert.Equal(EngineWrites.Tenant, record.Record.TenantId);
        Assert.Equal(1UL, record.PreviousForSender);
        Assert.Equal(0UL, record.PreviousForRecipient);
    }

    [Fact]
    public async Task Reopen_WithoutCheckpoint_ReplaysTheWholeLog()
    {
        using var dir = new EngineTestDirectory();
        List<string> before;
        await using (var engine = await dir.OpenAsync())
        {
            await engine.AddOptOutsAsync("+14155550100", "+14155550101", "+14155550102");
            await engine.RemoveOptOutsAsync("+14155550101");
            before = engine.DescribeEntries();
            Assert.Equal(0UL, engine.LastCheckpointSequence);
        }

        Assert.Empty(Directory.GetDirectories(Path.Combine(dir.Path, "checkpoints")));
        await using var reopened = await dir.OpenAsync();

        Assert.Equal(4UL, reopened.Applier.AppliedSequence);
        Assert.Equal(before, reopened.DescribeEntries());
        Assert.Equal(2, before.Count);
        Assert.False(reopened.HasOptOut("+14155550101"));
    }

    [Fact]
    public async Task CheckpointThenTail_ReopenGivesTheSameState()
    {
        using var dir = new EngineTestDirectory();
        List<string> before;
        ulong checkpoint;
        await using (var engine = await dir.OpenAsync())
        {
            await engine.AddOptOutsAsync("+14155550100", "+14155550101");
            await PutAddressAndRuleAsync(engine);
            checkpoint = await engine.CheckpointAsync(CancellationToken.None);
            Assert.Equal(engine.Applier.AppliedSequence, checkpoint);

            // The tail after the checkpoint: a removal, a new scope and a suppression with its own types.
            await engine.RemoveOptOutsAsync("+14155550100");
            await engine.Writes.WriteAsync(new EntryWriteRequest
            {
                TenantId = "tenant-b",
                Operation = EntryWriteOperation.Add,
                Kind = EntryKind.Suppression,
                Scope = Scope.SenderApp,
                Sender = "ACME",
                App = "app-1",
                Recipients = ["+447400123456"],
                SmsTypeMask = 0b0110,
                Source = Source.Admin,
                Reason = "mute",
            }, CancellationToken.None);
            before = engine.DescribeEntries();
        }

        await using var reopened = await dir.OpenAsync();

        Assert.Equal(checkpoint, reopened.LastCheckpointSequence);
        Assert.Equal(checkpoint + 2, reopened.Applier.AppliedSequence);
        Assert.Equal(before, reopened.DescribeEntries());
        Assert.True(reopened.Config.TryGetInboundAddress(EngineWrites.Tenant, EngineWrites.Sender, out var address));
        Assert.Equal("main number", address.Description);
        Assert.Equal((byte)0b0010, reopened.Config.GetBlockedMask(EngineWrites.Tenant, EngineWrites.Sender, "app-1", out var isDefault));
        Assert.False(isDefault);

        // History heads survive too: the next record of a recipient points at its last one.
        var next = await reopened.AddOptOutsAsync("+14155550100");
        var entry = await reopened.Log.ReadAsync(next.Sequence, CancellationToken.None);
        Assert.Equal(checkpoint + 1, entry!.PreviousForRecipient);
    }

    [Fact]
    public async Task CrashBetweenCheckpointFilesAndManifest_UsesThePreviousCheckpoint()
    {
        using var dir = new EngineTestDirectory();
        List<string> before;
        ulong first;
        await using (var engine = await dir.OpenAsync())
        {
            await engine.AddOptOutsAsync("+14155550100");
            first = await engine.CheckpointAsync(CancellationToken.None);
            await engine.AddOptOutsAsync("+14155550101", "+14155550102");

            // What a checkpoint leaves when the process dies before its manifest: a newer index checkpoint and state
            // files in the next folder, but no manifest.
            using (await engine.Applier.PauseAsync(CancellationToken.None))
            {
                engine.Index.TakeCheckpoint();
            }

            var partial = Directory.CreateDirectory(Path.Combine(dir.Path, "checkpoints", engine.Applier.AppliedSequence.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            engine.Scopes.Save(Path.Combine(partial.FullName, CheckpointStore.ScopesFile));
            File.WriteAllBytes(Path.Combine(partial.FullName, CheckpointStore.ConfigFile), [1, 2, 3]);
            File.WriteAllText(Path.Combine(partial.FullName, "manifest.json.tmp"), "{\"format\":1,");
            before = engine.DescribeEntries();
        }

        await using var reopened = await dir.OpenAsync();

        Assert.Equal(first, reopened.LastCheckpointSequence);
        Assert.Equal(3UL, reopened.Applier.AppliedSequence);
        Assert.Equal(before, reopened.DescribeEntries());

        // The next checkpoint replaces the debris.
        var next = await reopened.CheckpointAsync(CancellationToken.None);
        Assert.Equal(3UL, next);
        Assert.True(File.Exists(Path.Combine(dir.Path, "checkpoints", "3", "manifest.json")));
    }

    [Fact]
    public async Task CorruptNewestCheckpoint_FallsBackToTheLog()
    {
        using var dir = new EngineTestDirectory();
        List<string> before;
        await using (var engine = await dir.OpenAsync(checkpointOnDispose: true))
        {
            await engine.AddOptOutsAsync("+14155550100", "+14155550101");
            before = engine.DescribeEntries();
        }

        var folder = Path.Combine(dir.Path, "checkpoints", "2");
        Assert.True(File.Exists(Path.Combine(folder, "manifest.json")), "dispose takes a final checkpoint");
        File.WriteAllBytes(Path.Combine(folder, CheckpointStore.HeadsFile), [0x48, 0x45]);

        await using var reopened = await dir.OpenAsync();

        Assert.Equal(0UL, reopened.LastCheckpointSequence);
        Assert.Equal(2UL, reopened.Applier.AppliedSequence);
        Assert.Equal(before, reopened.DescribeEntries());
    }

    [Fact]
    public async Task TwoEnginesReplayingOneLog_DeriveTheSameScopeIds()
    {
        using var dir = new EngineTestDirectory();
        List<string> original;
        await using (var engine = await dir.OpenAsync())
        {
            // Tenants and scopes first named in an interleaved order, including config-only and tenant-wide records.
            await PutAddressAndRuleAsync(engine);
            foreach (var (tenant, sender, app, scope) in new[]
            {
                ("tenant-b", "ACME", "", Scope.Sender),
                (EngineWrites.Tenant, "", "", Scope.Tenant),
                ("tenant-c", "12345", "app-9", Scope.SenderApp),
                ("tenant-b", "", "", Scope.Tenant),
                (EngineWrites.Tenant, EngineWrites.Sender, "app-1", Scope.SenderApp),
            })
            {
                await engine.Writes.WriteAsync(new EntryWriteRequest
                {
                    TenantId = tenant,
                    Operation = EntryWriteOperation.Add,
                    Kind = EntryKind.OptOut,
                    Scope = scope,
                    Sender = sender,
                    App = app,
                    Recipients = ["+14155550100", "+33612345678"],
                    Source = Source.Api,
                }, CancellationToken.None);
            }

            original = engine.DescribeEntries();
        }

        // A second data folder with a copy of the log only: another replica (or a restart without checkpoints).
        var replica = Path.Combine(dir.Path, "replica");
        CopyDirectory(Path.Combine(dir.Path, "log"), Path.Combine(replica, "log"));
        await using var first = await dir.OpenAsync();
        await using var second = await dir.OpenAsync(path: replica);

        Assert.Equal(original, first.DescribeEntries());
        Assert.Equal(original, second.DescribeEntries());
        Assert.Equal(first.Scopes.ScopeCount, second.Scopes.ScopeCount);
        for (uint id = 1; id <= (uint)first.Scopes.ScopeCount; id++)
        {
            Assert.True(first.Scopes.TryGetScopeName(id, out var a));
            Assert.True(second.Scopes.TryGetScopeName(id, out var b));
            Assert.Equal(a, b);
        }

        Assert.True(first.Scopes.TryGetTenantId("tenant-c", out var tenantC));
        Assert.Equal(3U, tenantC);
    }

    [Fact]
    public async Task CheckpointEveryRecords_CheckpointsWithoutATimer_AndACrashReplaysOnlyTheTail()
    {
        using var dir = new EngineTestDirectory();
        var options = dir.Options();
        options.CheckpointEveryRecords = 5;
        List<string> before;
        await using (var engine = await GateEngine.OpenAsync(options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, dir.Time, CancellationToken.None))
        {
            for (var i = 0; i < 12; i++)
            {
                await engine.AddOptOutsAsync("+1415555" + (1000 + i));
            }

            // The trigger runs beside the writes: wait for it, bounded.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (engine.LastCheckpointSequence < 10)
            {
                await Task.Delay(10, timeout.Token);
            }

            Assert.InRange(engine.LastCheckpointSequence, 10UL, 12UL);
            before = engine.DescribeEntries();
        }

        // Disposed without a final checkpoint, as after a crash: the reopened engine starts from the last one.
        await using var reopened = await dir.OpenAsync();
        Assert.Equal(12UL, reopened.Applier.AppliedSequence);
        Assert.InRange(reopened.LastCheckpointSequence, 10UL, 12UL);
        Assert.Equal(before, reopened.DescribeEntries());
    }

    private static async Task PutAddressAndRuleAsync(GateEngine engine)
    {
        var put = await engine.Writes.WriteAsync(new ConfigWriteRequest
        {
            TenantId = EngineWrites.Tenant,
            Change = new ConfigChange { InboundAddress = new InboundAddress { Sender = EngineWrites.Sender, Description = "main number" } },
        }, CancellationToken.None);
        Assert.Equal(WriteOutcome.Written, put.Items[0].Outcome);
        var rule = await engine.Writes.WriteAsync(new ConfigWriteRequest
        {
            TenantId = EngineWrites.Tenant,
            Change = new ConfigChange
            {
                BlockingRule = new BlockingRule { Sender = EngineWrites.Sender, App = "app-1", BlockedSmsTypes = { SmsType.Marketing } },
            },
        }, CancellationToken.None);
        Assert.Equal(WriteOutcome.Written, rule.Items[0].Outcome);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var sub in Directory.GetDirectories(from))
        {
            CopyDirectory(sub, Path.Combine(to, Path.GetFileName(sub)));
        }
    }
}
