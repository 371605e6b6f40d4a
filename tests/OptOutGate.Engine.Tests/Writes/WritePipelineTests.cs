using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Tests.Infrastructure;
using OptOutGate.Engine.Writes;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Tests.Writes;

public sealed class WritePipelineTests
{
    private const string Recipient = "+14155550100";

    [Fact]
    public async Task AddThenRemoveWhileUnapplied_SeeEachOther()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();

        Task<WriteResult> add, remove, again;
        using (await engine.Applier.PauseAsync(CancellationToken.None))
        {
            // With the applier parked nothing is visible in the index: only the overlay can tell the writes apart.
            add = engine.AddOptOutsAsync(Recipient, Recipient);
            remove = engine.RemoveOptOutsAsync(Recipient);
            again = engine.RemoveOptOutsAsync(Recipient);
            await engine.Log.WaitForSequenceAsync(2, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.False(add.IsCompleted, "acknowledged before it was applied");
            Assert.False(engine.HasOptOut(Recipient));
        }

        var added = await add;
        Assert.Equal([WriteOutcome.Added, WriteOutcome.AlreadyPresent], added.Items.Select(i => i.Outcome));
        Assert.Equal(1UL, added.Items[1].Sequence);
        Assert.Equal(WriteOutcome.Removed, (await remove).Items[0].Outcome);
        Assert.Equal(2UL, (await remove).Sequence);
        var notPresent = await again;
        Assert.Equal(WriteOutcome.NotPresent, notPresent.Items[0].Outcome);
        Assert.Equal(0UL, notPresent.Sequence);
        Assert.False(engine.HasOptOut(Recipient));
        Assert.Equal(2UL, engine.Log.LastSequence);
    }

    [Fact]
    public async Task RemovingAnMoOptOut_NeedsAnOverrideWithAReason()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        var mo = await engine.RecordMoAsync(Recipient, ChangeAction.OptOut, "STOP");

        var plain = await engine.RemoveOptOutsAsync(Recipient);
        var overrideWithoutReason = await engine.RemoveOptOutsAsync(Recipient, @override: true);

        foreach (var refused in new[] { plain, overrideWithoutReason })
        {
            Assert.Equal(WriteOutcome.RemovalNotAllowed, refused.Items[0].Outcome);
            Assert.Equal(RecipientOutcome.RemovalNotAllowed, refused.Items[0].ToRecipientOutcome());
            Assert.Equal(mo.Sequence, refused.Items[0].Sequence);
            Assert.Equal(0UL, refused.Sequence);
        }

        Assert.True(engine.HasOptOut(Recipient));

        var overridden = await engine.RemoveOptOutsAsync(Recipient, @override: true, reason: "customer called, consent on file");
        Assert.Equal(WriteOutcome.Removed, overridden.Items[0].Outcome);
        Assert.False(engine.HasOptOut(Recipient));
        var record = (await engine.Log.ReadAsync(overridden.Sequence, CancellationToken.None))!.Record;
        Assert.Equal(ChangeAction.OptOutRemoved, record.Action);
        Assert.Equal("customer called, consent on file", record.Reason);
    }

    [Fact]
    public async Task ApprovedRemovalRequest_LiftsAnMoOptOut()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        await engine.RecordMoAsync(Recipient, ChangeAction.OptOut, "STOP");

        var lifted = await engine.RemoveOptOutsAsync(Recipient, source: Source.RemovalApproved);

        Assert.Equal(WriteOutcome.Removed, lifted.Items[0].Outcome);
        Assert.False(engine.HasOptOut(Recipient));
    }

    [Fact]
    public async Task ApiOptOut_IsRemovedWithoutOverride()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        await engine.AddOptOutsAsync(Recipient);

        Assert.Equal(WriteOutcome.Removed, (await engine.RemoveOptOutsAsync(Recipient)).Items[0].Outcome);
    }

    [Fact]
    public async Task Suppression_ReAddReportsAlreadyPresentOrUpdated()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();

        Assert.Equal(WriteOutcome.Added, (await SuppressAsync(engine, 0b0010, "mute")).Items[0].Outcome);
        Assert.Equal(WriteOutcome.AlreadyPresent, (await SuppressAsync(engine, 0b0010, "mute")).Items[0].Outcome);
        Assert.Equal(WriteOutcome.Updated, (await SuppressAsync(engine, 0b0010, "other reason")).Items[0].Outcome);
        var updated = await SuppressAsync(engine, 0b0110, "other reason");
        Assert.Equal(WriteOutcome.Updated, updated.Items[0].Outcome);

        Assert.True(engine.TryGetEntry(EntryKind.Suppression, Recipient, "", "", out var value));
        Assert.Equal((byte)0b0110, value.SmsTypeMask);
        Assert.Equal(updated.Sequence, value.Sequence);
        Assert.Equal(3UL, engine.Log.LastSequence);
    }

    [Fact]
    public async Task BadTarget_IsRejectedAndWritesNothing()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => engine.Writes.WriteAsync(new EntryWriteRequest
        {
            TenantId = EngineWrites.Tenant,
            Operation = EntryWriteOperation.Add,
            Kind = EntryKind.OptOut,
            Scope = Scope.SenderApp,
            Sender = EngineWrites.Sender,
            Recipients = [Recipient],
            Source = Source.Api,
        }, CancellationToken.None));

        Assert.Equal(0UL, engine.Log.LastSequence);
        Assert.Equal(WriteOutcome.Added, (await engine.AddOptOutsAsync(Recipient)).Items[0].Outcome);
    }

    [Fact]
    public async Task OptOutAndOptIn_OpenAConfirmationWindowUsableOnce()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        Assert.True(E164.TryParse(Recipient, out var number));
        Assert.Equal(WriteOutcome.ConfirmationNotDue, (await ConfirmAsync(engine, number)).Items[0].Outcome);

        var optOut = await engine.RecordMoAsync(Recipient, ChangeAction.OptOut, "STOP");
        Assert.True(engine.Scopes.TryGetScope(EngineWrites.Tenant, EngineWrites.Sender, "", out var tenantId, out var senderScope));
        Assert.True(engine.Config.TryGetConfirmationWindow(tenantId, senderScope, number, out var window));
        var receiveTime = (await engine.Log.ReadAsync(optOut.Sequence, CancellationToken.None))!.Record.ReceiveTime.ToDateTime();
        Assert.Equal(receiveTime + TimeSpan.FromMinutes(5), window.ExpireTime);
        Assert.True(window.IsOpenAt(dir.Time.GetUtcNow().UtcDateTime));

        var granted = await ConfirmAsync(engine, number, number);
        Assert.Equal([WriteOutcome.ConfirmationGranted, WriteOutcome.ConfirmationNotDue], granted.Items.Select(i => i.Outcome));
        Assert.True(engine.Config.TryGetConfirmationWindow(tenantId, senderScope, number, out window));
        Assert.True(window.Used);
        Assert.Equal(ChangeAction.ConfirmationSent, (await engine.Log.ReadAsync(granted.Sequence, CancellationToken.None))!.Record.Action);

        // An opt-in opens a fresh window; it closes after the tenant's window.
        await engine.RecordMoAsync(Recipient, ChangeAction.OptIn, "START");
        Assert.False(engine.HasOptOut(Recipient));
        dir.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.Equal(WriteOutcome.ConfirmationNotDue, (await ConfirmAsync(engine, number)).Items[0].Outcome);
    }

    [Fact]
    public async Task TenantPolicy_SetsTheConfirmationWindow()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        await engine.Writes.WriteAsync(new ConfigWriteRequest
        {
            TenantId = EngineWrites.Tenant,
            Change = new ConfigChange { TenantPolicy = new TenantPolicy { ConfirmationWindow = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMinutes(1)) } },
        }, CancellationToken.None);

        await engine.AddOptOutsAsync(Recipient);
        Assert.True(E164.TryParse(Recipient, out var number));
        dir.Time.Advance(TimeSpan.FromSeconds(61));

        Assert.Equal(TimeSpan.FromMinutes(1), engine.Config.GetConfirmationWindow(EngineWrites.Tenant));
        Assert.Equal(WriteOutcome.ConfirmationNotDue, (await ConfirmAsync(engine, number)).Items[0].Outcome);
    }

    [Fact]
    public async Task BlockingRules_NeedTheirAddress_AndGoWithIt()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        var rule = new ConfigChange { BlockingRule = new BlockingRule { Sender = EngineWrites.Sender, App = "app-1", BlockedSmsTypes = { SmsType.Marketing } } };

        Assert.Equal(WriteOutcome.NotFound, (await ConfigAsync(engine, rule)).Items[0].Outcome);
        var address = new ConfigChange { InboundAddress = new InboundAddress { Sender = EngineWrites.Sender } };

        // Address and rule in quick succession: the rule sees the unapplied address.
        var putAddress = ConfigAsync(engine, address);
        var putRule = ConfigAsync(engine, rule);
        Assert.Equal(WriteOutcome.Written, (await putAddress).Items[0].Outcome);
        Assert.Equal(WriteOutcome.Written, (await putRule).Items[0].Outcome);
        Assert.Equal((byte)0b0010, engine.Config.GetBlockedMask(EngineWrites.Tenant, EngineWrites.Sender, "app-1", out _));
        Assert.Equal((await putRule).Sequence, engine.Config.ListBlockingRules(EngineWrites.Tenant)[0].UpdateSequence);

        Assert.Equal(WriteOutcome.Written, (await ConfigAsync(engine, address, delete: true)).Items[0].Outcome);
        Assert.False(engine.Config.TryGetBlockingRule(EngineWrites.Tenant, EngineWrites.Sender, "app-1", out _));
        Assert.Equal(0b1110, engine.Config.GetBlockedMask(EngineWrites.Tenant, EngineWrites.Sender, "app-1", out var isDefault));
        Assert.True(isDefault);
        Assert.Equal(WriteOutcome.NotFound, (await ConfigAsync(engine, address, delete: true)).Items[0].Outcome);
    }

    [Fact]
    public async Task ConcurrentWriters_ShareCommits_AndAllLand()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        const int writers = 2000;

        var tasks = Enumerable.Range(0, writers).Select(i => engine.AddOptOutsAsync("+1415555" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        var results = await Task.WhenAll(tasks);

        Assert.All(results, r => Assert.Equal(WriteOutcome.Added, r.Items[0].Outcome));
        Assert.Equal(writers, results.Select(r => r.Sequence).Distinct().Count());
        Assert.Equal((ulong)writers, engine.Applier.AppliedSequence);
        Assert.Equal(writers, engine.Index.Count);
    }

    private static Task<WriteResult> SuppressAsync(OptOutGate.Engine.GateEngine engine, byte mask, string reason) =>
        engine.Writes.WriteAsync(new EntryWriteRequest
        {
            TenantId = EngineWrites.Tenant,
            Operation = EntryWriteOperation.Add,
            Kind = EntryKind.Suppression,
            Scope = Scope.Tenant,
            Recipients = [Recipient],
            SmsTypeMask = mask,
            Source = Source.Admin,
            Reason = reason,
        }, CancellationToken.None);

    private static Task<WriteResult> ConfirmAsync(OptOutGate.Engine.GateEngine engine, params ulong[] recipients) =>
        engine.Writes.WriteAsync(new ConfirmationUseRequest { TenantId = EngineWrites.Tenant, Sender = EngineWrites.Sender, Recipients = recipients }, CancellationToken.None);

    private static Task<WriteResult> ConfigAsync(OptOutGate.Engine.GateEngine engine, ConfigChange change, bool delete = false) =>
        engine.Writes.WriteAsync(new ConfigWriteRequest { TenantId = EngineWrites.Tenant, Change = change, Delete = delete }, CancellationToken.None);
}
