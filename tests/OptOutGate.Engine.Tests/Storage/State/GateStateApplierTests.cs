using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Storage.Log;
using OptOutGate.Engine.Storage.State;
using OptOutGate.Engine.Tests.Infrastructure;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Tests.Storage.State;

public sealed class GateStateApplierTests : IDisposable
{
    private static readonly DateTime Start = new(2026, 1, 5, 12, 0, 0, DateTimeKind.Utc);
    private readonly EngineTestDirectory _dir = new();
    private readonly EntryIndex _index;
    private readonly ScopeTable _scopes = new();
    private readonly GateConfig _config = new();
    private readonly HistoryHeads _heads = new();
    private readonly GateStateApplier _applier;

    public GateStateApplierTests()
    {
        _index = EntryIndex.Create(
            new EntryIndexOptions { Directory = _dir.Path, ExpectedEntries = 1024, PageSizeBits = 16, MemorySizeBits = 22, SegmentSizeBits = 22 },
            NullLogger.Instance);
        _applier = new GateStateApplier(_index, _scopes, _config, _heads, 0, NullLogger.Instance);
        _applier.Start();
    }

    [Fact]
    public async Task EntriesOutOfOrder_AreAppliedInSequenceOrder_Once()
    {
        var optOut = Record(1, ChangeAction.OptOut, "+14155550100");
        var removed = Record(2, ChangeAction.OptOutRemoved, "+14155550100");
        var again = Record(3, ChangeAction.OptOut, "+14155550101");

        _applier.Enqueue([again]);
        _applier.Enqueue([removed]);
        Assert.Equal(0UL, _applier.AppliedSequence);
        _applier.Enqueue([optOut, removed]);
        await _applier.WaitForAppliedAsync(3, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(TryGet(EntryKind.OptOut, "+14155550100", out _));
        Assert.True(TryGet(EntryKind.OptOut, "+14155550101", out var value));
        Assert.Equal(3UL, value.Sequence);
        Assert.Equal(1L, _index.Count);
        Assert.True(_scopes.TryGetTenantId("t", out var tenantId));
        Assert.True(E164.TryParse("+14155550100", out var number));
        Assert.Equal(2UL, _heads.GetRecipientHead(tenantId, number));
        Assert.Equal(3UL, _heads.GetSenderHead(tenantId, "S"));
    }

    [Fact]
    public async Task Pause_HoldsTheStateAtASequenceUntilReleased()
    {
        _applier.Enqueue([Record(1, ChangeAction.OptOut, "+14155550100")]);
        await _applier.WaitForAppliedAsync(1, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        var pause = await _applier.PauseAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1UL, pause.Sequence);
        _applier.Enqueue([Record(2, ChangeAction.Suppress, "+14155550100", types: [SmsType.Marketing])]);
        var waiting = _applier.WaitForAppliedAsync(2, CancellationToken.None);
        await Assert.ThrowsAsync<TimeoutException>(() => waiting.WaitAsync(TimeSpan.FromMilliseconds(200)));
        Assert.False(TryGet(EntryKind.Suppression, "+14155550100", out _));

        pause.Dispose();
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(TryGet(EntryKind.Suppression, "+14155550100", out var value));
        Assert.Equal((byte)0b0010, value.SmsTypeMask);
    }

    [Fact]
    public async Task Pause_WhilePaused_WaitsItsTurn_ThenPausesAtTheLaterSequence()
    {
        _applier.Enqueue([Record(1, ChangeAction.OptOut, "+14155550100")]);
        await _applier.WaitForAppliedAsync(1, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var first = await _applier.PauseAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        // A checkpoint and a snapshot copy may ask together: the second waits instead of failing.
        var second = _applier.PauseAsync(CancellationToken.None);
        _applier.Enqueue([Record(2, ChangeAction.OptOut, "+14155550101")]);
        await Assert.ThrowsAsync<TimeoutException>(() => second.WaitAsync(TimeSpan.FromMilliseconds(200)));

        first.Dispose();
        using var pause = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2UL, pause.Sequence);
        Assert.True(TryGet(EntryKind.OptOut, "+14155550101", out _));
    }

    [Fact]
    public async Task Pause_CancelledWhileWaitingItsTurn_LeavesTheSlotToOthers()
    {
        var first = await _applier.PauseAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        using var cancel = new CancellationTokenSource();
        var cancelled = _applier.PauseAsync(cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        first.Dispose();
        using var again = await _applier.PauseAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0UL, again.Sequence);
    }

    [Fact]
    public async Task Config_SavedAndLoaded_KeepsEverything()
    {
        _applier.Enqueue(
        [
            Config(1, ChangeAction.ConfigPut, new ConfigChange { InboundAddress = new InboundAddress { Sender = "S", Description = "d" } }),
            Config(2, ChangeAction.ConfigPut, new ConfigChange { BlockingRule = new BlockingRule { Sender = "S", App = "a", BlockedSmsTypes = { SmsType.Notification } } }),
            Config(3, ChangeAction.ConfigPut, new ConfigChange { TenantPolicy = new TenantPolicy { RevokeAll = true } }),
            Record(4, ChangeAction.OptOut, "+14155550100"),
        ]);
        await _applier.WaitForAppliedAsync(4, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var configPath = Path.Combine(_dir.Path, "config.bin");
        var headsPath = Path.Combine(_dir.Path, "heads.bin");
        _config.Save(configPath);
        _heads.Save(headsPath);

        var config = GateConfig.Load(configPath);
        var heads = HistoryHeads.Load(headsPath);

        Assert.True(config.TryGetInboundAddress("t", "S", out var address));
        Assert.Equal(("d", 1UL), (address.Description, address.UpdateSequence));
        Assert.Equal((byte)0b0100, config.GetBlockedMask("t", "S", "a", out _));
        Assert.True(config.GetTenantPolicy("t").RevokeAll);
        Assert.False(config.GetTenantPolicy("other").RevokeAll);
        Assert.Equal(1, config.ConfirmationWindowCount);
        Assert.True(_scopes.TryGetScope("t", "S", "", out var tenantId, out var senderScope));
        Assert.True(E164.TryParse("+14155550100", out var number));
        Assert.True(config.TryGetConfirmationWindow(tenantId, senderScope, number, out var window));
        Assert.Equal(Start.AddSeconds(4) + GateConfig.DefaultConfirmationWindow, window.ExpireTime);
        Assert.Equal(4UL, heads.GetRecipientHead(tenantId, number));
        Assert.Equal(4UL, heads.GetSenderHead(tenantId, "S"));
    }

    [Fact]
    public async Task ExpiredConfirmationWindows_ArePrunedByRecordTime()
    {
        _applier.Enqueue([Record(1, ChangeAction.OptOut, "+14155550100")]);
        await _applier.WaitForAppliedAsync(1, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, _config.ConfirmationWindowCount);

        var late = Record(2, ChangeAction.OptOut, "+14155550101");
        late.Record.ReceiveTime = Timestamp.FromDateTime(Start.AddMinutes(10));
        _applier.Enqueue([late]);
        await _applier.WaitForAppliedAsync(2, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, _config.ConfirmationWindowCount);
    }

    public void Dispose()
    {
        _applier.Dispose();
        _index.Dispose();
        _dir.Dispose();
    }

    private bool TryGet(EntryKind kind, string recipient, out EntryValue value)
    {
        value = default;
        return E164.TryParse(recipient, out var number)
            && _scopes.TryGetScope("t", "S", "", out var tenantId, out var scopeId)
            && _index.TryGet(EntryKey.Create(kind, number, scopeId, tenantId), out value);
    }

    private static LogEntry Record(ulong sequence, ChangeAction action, string recipient, SmsType[]? types = null)
    {
        var record = new ChangeRecord
        {
            Sequence = sequence,
            TenantId = "t",
            Sender = "S",
            Recipient = recipient,
            Action = action,
            Scope = Scope.Sender,
            Source = Source.Api,
            ReceiveTime = Timestamp.FromDateTime(Start.AddSeconds(sequence)),
        };
        record.SmsTypes.AddRange(types ?? []);
        return new LogEntry { Record = record };
    }

    private static LogEntry Config(ulong sequence, ChangeAction action, ConfigChange change) => new()
    {
        Record = new ChangeRecord
        {
            Sequence = sequence,
            TenantId = "t",
            Action = action,
            Source = Source.Admin,
            Config = change,
            ReceiveTime = Timestamp.FromDateTime(Start.AddSeconds(sequence)),
        },
    };
}
