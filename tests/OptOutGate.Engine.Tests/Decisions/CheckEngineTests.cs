using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Decisions;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Tests.Infrastructure;
using OptOutGate.Engine.Writes;
using EntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Engine.Tests.Decisions;

/// <summary>CheckEngine against a real engine (log, applier, index, pipeline) in a temp folder.</summary>
public sealed class CheckEngineTests
{
    private const string Tenant = EngineWrites.Tenant;
    private const string Sender = EngineWrites.Sender;
    private const byte Marketing = 1 << (int)SmsType.Marketing;
    private const byte Notification = 1 << (int)SmsType.Notification;

    [Fact]
    public async Task EmptyGate_AllowsValidRecipients_AndMarksInvalidOnes()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        var checks = new CheckEngine(engine, dir.Time);

        var (verdicts, result, _) = await CheckAsync(checks, Query(SmsType.Marketing), "+14155550100", "nope", "+0123456789", "+14155550101");

        Assert.Equal([Verdict.Allowed, Verdict.InvalidRecipient, Verdict.InvalidRecipient, Verdict.Allowed], verdicts);
        Assert.Equal(2u, result.Counts.Allowed);
        Assert.Equal(2u, result.Counts.InvalidRecipient);
        Assert.Equal(0UL, result.Sequence);
    }

    [Fact]
    public async Task OptOutsSuppressionsAndBypasses_DecideAsTheRulesSay_WithExplanations()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        var checks = new CheckEngine(engine, dir.Time);
        await engine.AddOptOutsAsync("+14155550100", "+14155550102");
        await AddAsync(engine, EntryKind.OptOut, Scope.Tenant, "", "", 0, "+14155550101");
        await AddAsync(engine, EntryKind.Suppression, Scope.Sender, Sender, "", Marketing, "+14155550103");
        var bypass = await AddAsync(engine, EntryKind.Bypass, Scope.SenderApp, Sender, "app-1", Marketing, "+14155550102");
        await AddAsync(engine, EntryKind.OptOut, Scope.SenderApp, Sender, "app-2", 0, "+14155550104");

        var (verdicts, result, explanations) = await CheckAsync(
            checks,
            Query(SmsType.Marketing, app: "app-1", explain: true),
            "+14155550100", "+14155550101", "+14155550102", "+14155550103", "+14155550104", "+14155550105", "bad");

        Assert.Equal(
            [Verdict.BlockedOptedOut, Verdict.BlockedTenantOptOut, Verdict.AllowedBypass, Verdict.BlockedSuppressed, Verdict.Allowed, Verdict.Allowed, Verdict.InvalidRecipient],
            verdicts);
        Assert.Equal(engine.Applier.AppliedSequence, result.Sequence);
        Assert.Equal(1u, result.Counts.BlockedOptedOut);
        Assert.Equal(1u, result.Counts.AllowedBypass);
        Assert.Equal(2u, result.Counts.Allowed);

        Assert.Equal([0u, 1u, 2u, 3u, 6u], explanations.Select(e => e.Index));
        var optOut = explanations[0];
        Assert.Equal(EntryKind.OptOut, (EntryKind)(int)optOut.Entry.Kind);
        Assert.Equal(Scope.Sender, optOut.Entry.Scope);
        Assert.Equal(Sender, optOut.Entry.Sender);
        Assert.Equal("+14155550100", optOut.Entry.Recipient);
        Assert.Equal(Source.Api, optOut.Entry.Source);
        Assert.Equal(1UL, optOut.Entry.Sequence);
        Assert.True(optOut.DefaultBlockingRule);
        Assert.Equal([SmsType.Marketing, SmsType.Notification, SmsType.Verification], optOut.BlockedSmsTypes);
        Assert.Equal(Scope.Tenant, explanations[1].Entry.Scope);
        Assert.Equal("", explanations[1].Entry.Sender);
        var bypassed = explanations[2];
        Assert.Equal(Contracts.V1.EntryKind.Bypass, bypassed.Entry.Kind);
        Assert.Equal("app-1", bypassed.Entry.App);
        Assert.Equal(bypass.Sequence, bypassed.Entry.Sequence);
        Assert.Equal([SmsType.Marketing], bypassed.Entry.SmsTypes);
        Assert.Equal(Contracts.V1.EntryKind.OptOut, bypassed.BypassedEntry.Kind);
        Assert.Equal(2UL, bypassed.BypassedEntry.Sequence);
        Assert.Equal(Contracts.V1.EntryKind.Suppression, explanations[3].Entry.Kind);
        Assert.Null(explanations[4].Entry);

        // Another type: the suppression covers only MARKETING, the bypass too, so the opt-out blocks again.
        var (notification, _, _) = await CheckAsync(checks, Query(SmsType.Notification, app: "app-1"), "+14155550102", "+14155550103");
        Assert.Equal([Verdict.BlockedOptedOut, Verdict.Allowed], notification);

        // The app-scoped opt-out of app-2 applies to app-2 only.
        var (app2, _, _) = await CheckAsync(checks, Query(SmsType.Marketing, app: "app-2"), "+14155550104");
        Assert.Equal([Verdict.BlockedOptedOut], app2);
    }

    [Fact]
    public async Task OtherTenantsEntries_NeverApply()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        var checks = new CheckEngine(engine, dir.Time);
        await engine.AddOptOutsAsync("+14155550100");

        var (verdicts, _, _) = await CheckAsync(checks, Query(SmsType.Marketing) with { Tenant = "tenant-b" }, "+14155550100");
        Assert.Equal([Verdict.Allowed], verdicts);

        var (other, _, _) = await CheckAsync(checks, Query(SmsType.Marketing) with { Sender = "OTHER" }, "+14155550100");
        Assert.Equal([Verdict.Allowed], other);
    }

    [Fact]
    public async Task Confirmation_AllowedOnceAfterAnOptOut_ThenBlocked_AndClosedAfterTheWindow()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        var checks = new CheckEngine(engine, dir.Time);
        await engine.RecordMoAsync("+14155550100", ChangeAction.OptOut, "STOP");
        await engine.RecordMoAsync("+14155550101", ChangeAction.OptOut, "STOP");
        var before = engine.Applier.AppliedSequence;

        // The same recipient twice in one batch: only the first gets the one confirmation.
        var (first, result, _) = await CheckAsync(checks, Query(SmsType.Confirmation), "+14155550100", "+14155550100", "+14155550109");
        Assert.Equal([Verdict.Allowed, Verdict.BlockedConfirmation, Verdict.BlockedConfirmation], first);
        Assert.Equal(1u, result.Counts.Allowed);
        Assert.Equal(2u, result.Counts.BlockedConfirmation);
        Assert.True(result.Sequence > before, "the answer reflects the CONFIRMATION_SENT record it wrote");
        var record = await engine.Log.ReadAsync(result.Sequence, CancellationToken.None);
        Assert.NotNull(record);
        Assert.Equal(ChangeAction.ConfirmationSent, record.Record.Action);

        var (second, _, _) = await CheckAsync(checks, Query(SmsType.Confirmation), "+14155550100");
        Assert.Equal([Verdict.BlockedConfirmation], second);

        dir.Time.Advance(GateConfig_DefaultWindow + TimeSpan.FromSeconds(1));
        var (late, _, _) = await CheckAsync(checks, Query(SmsType.Confirmation), "+14155550101");
        Assert.Equal([Verdict.BlockedConfirmation], late);
    }

    [Fact]
    public async Task Confirmation_RacingChecks_OnlyOneWins()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        var checks = new CheckEngine(engine, dir.Time);
        await engine.RecordMoAsync("+14155550100", ChangeAction.OptOut, "STOP");

        var racers = Enumerable.Range(0, 8).Select(_ => Task.Run(() => CheckAsync(checks, Query(SmsType.Confirmation), "+14155550100"))).ToArray();
        var all = await Task.WhenAll(racers);

        Assert.Equal(1, all.Count(r => r.Verdicts[0] == Verdict.Allowed));
        Assert.Equal(7, all.Count(r => r.Verdicts[0] == Verdict.BlockedConfirmation));
    }

    [Fact]
    public async Task BlockingRule_DecidesWhatAnOptOutBlocks()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        var checks = new CheckEngine(engine, dir.Time);
        await engine.AddOptOutsAsync("+14155550100");
        await engine.Writes.WriteAsync(new ConfigWriteRequest { TenantId = Tenant, Change = new ConfigChange { InboundAddress = new InboundAddress { Sender = Sender } } }, CancellationToken.None);
        var rule = await engine.Writes.WriteAsync(
            new ConfigWriteRequest { TenantId = Tenant, Change = new ConfigChange { BlockingRule = new BlockingRule { Sender = Sender, App = "app-1", BlockedSmsTypes = { SmsType.Marketing } } } },
            CancellationToken.None);
        Assert.Equal(WriteOutcome.Written, rule.Items[0].Outcome);

        var (withRule, _, explanations) = await CheckAsync(checks, Query(SmsType.Notification, app: "app-1"), "+14155550100");
        Assert.Equal([Verdict.Allowed], withRule);
        var (marketing, _, explained) = await CheckAsync(checks, Query(SmsType.Marketing, app: "app-1", explain: true), "+14155550100");
        Assert.Equal([Verdict.BlockedOptedOut], marketing);
        Assert.False(explained[0].DefaultBlockingRule);
        Assert.Equal([SmsType.Marketing], explained[0].BlockedSmsTypes);
        var (noRule, _, _) = await CheckAsync(checks, Query(SmsType.Notification, app: "app-2"), "+14155550100");
        Assert.Equal([Verdict.BlockedOptedOut], noRule);
        Assert.Empty(explanations);
    }

    [Fact]
    public async Task LargeBatch_WithEvictedRecords_ReadsThemFromDisk()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        var checks = new CheckEngine(engine, dir.Time);
        var optedOut = Enumerable.Range(0, 3000).Select(i => E164.Format(14155000000UL + ((ulong)i * 7))).ToArray();
        foreach (var chunk in optedOut.Chunk(500))
        {
            await engine.AddOptOutsAsync(chunk);
        }

        var recipients = Enumerable.Range(0, 10_000).Select(i => E164.Format(14155000000UL + (ulong)i)).ToArray();
        var (verdicts, result, _) = await CheckAsync(checks, Query(SmsType.Marketing), recipients);

        for (var i = 0; i < recipients.Length; i++)
        {
            var expected = i % 7 == 0 && i / 7 < 3000 ? Verdict.BlockedOptedOut : Verdict.Allowed;
            Assert.True(expected == verdicts[i], $"recipient {i}: expected {expected}, got {verdicts[i]}");
        }

        Assert.Equal((uint)((10_000 + 6) / 7), result.Counts.BlockedOptedOut);
        Assert.Equal(10_000u, result.Counts.Total);
    }

    [Fact]
    public async Task MinSequenceBeyondTheLog_IsAnOutOfRangeValue()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        var checks = new CheckEngine(engine, dir.Time);

        var (_, result, _) = await CheckAsync(checks, Query(SmsType.Marketing) with { MinSequence = 5 }, "+14155550100");

        Assert.Equal(EngineErrorKind.OutOfRange, result.Error?.Kind);
        Assert.Equal("min_sequence: 5 is beyond the last committed sequence 0.", result.Error?.Message);
    }

    [Fact]
    public async Task MinSequenceCommittedButNotApplied_WaitsForTheApplier_ThenAnswersWithTheWrite()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        var checks = new CheckEngine(engine, dir.Time);

        Task<(Verdict[] Verdicts, CheckResult Result, List<Explanation> Explanations)> check;
        Task<WriteResult> write;
        using (await engine.Applier.PauseAsync(CancellationToken.None))
        {
            write = engine.AddOptOutsAsync("+14155550100");
            await engine.Log.WaitForSequenceAsync(1, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            check = CheckAsync(checks, Query(SmsType.Marketing) with { MinSequence = 1 }, "+14155550100");
            Assert.False(check.IsCompleted, "answered before the state reflected min_sequence");
        }

        var (verdicts, result, _) = await check.WaitAsync(TimeSpan.FromSeconds(10));
        await write;
        Assert.Null(result.Error);
        Assert.Equal([Verdict.BlockedOptedOut], verdicts);
        Assert.True(result.Sequence >= 1);
    }

    [Fact]
    public async Task MinSequenceNotAppliedWithinMaxWait_IsADeadlineExceededValue()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        var checks = new CheckEngine(engine, dir.Time);

        Task<WriteResult> write;
        using (await engine.Applier.PauseAsync(CancellationToken.None))
        {
            write = engine.AddOptOutsAsync("+14155550100");
            await engine.Log.WaitForSequenceAsync(1, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

            var (_, result, _) = await CheckAsync(checks, Query(SmsType.Marketing) with { MinSequence = 1, MaxWait = TimeSpan.FromMilliseconds(20) }, "+14155550100");

            Assert.Equal(EngineErrorKind.DeadlineExceeded, result.Error?.Kind);
            Assert.Equal("min_sequence: 1 was not reached within max_wait (20 ms).", result.Error?.Message);
        }

        await write;
    }

    [Fact]
    public async Task Confirmation_OnANodeThatRefusesWrites_IsAReadOnlyValue_NeverAllowed()
    {
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        var checks = new CheckEngine(engine, dir.Time);
        await engine.RecordMoAsync("+14155550100", ChangeAction.OptOut, "STOP");
        engine.Writes.RefuseWrites("read-only here; send writes to the primary");

        var (_, result, _) = await CheckAsync(checks, Query(SmsType.Confirmation), "+14155550100");

        Assert.Equal(new EngineError(EngineErrorKind.ReadOnly, "read-only here; send writes to the primary"), result.Error);
        Assert.Equal(0u, result.Counts.Allowed);
    }

    private static readonly TimeSpan GateConfig_DefaultWindow = OptOutGate.Engine.Storage.State.GateConfig.DefaultConfirmationWindow;

    [Fact]
    public async Task EveryRecipientOfABatch_GetsTheVerdictItGetsAlone_WhateverItsPlaceInTheBatch()
    {
        // Batches are decided in blocks of eight where the filter rules every recipient out: entries, suppressions and
        // invalid numbers at every place, in batches of every length, must come out as they do one at a time.
        using var dir = new EngineTestDirectory();
        await using var engine = await dir.OpenAsync();
        var checks = new CheckEngine(engine, dir.Time);
        string Number(int i) => "+1415555" + (1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await engine.AddOptOutsAsync([.. Enumerable.Range(0, 40).Select(Number)]);
        await AddAsync(engine, EntryKind.Suppression, Scope.Sender, Sender, "", Marketing, [.. Enumerable.Range(40, 40).Select(Number)]);
        string[] pool = [.. Enumerable.Range(0, 400).Select(Number), "bad", "+0123456789"];
        var alone = new Dictionary<string, Verdict>();
        foreach (var recipient in pool)
        {
            alone[recipient] = (await CheckAsync(checks, Query(SmsType.Marketing), recipient)).Verdicts[0];
        }

        var random = new Random(7);
        for (var round = 0; round < 200; round++)
        {
            var batch = new string[random.Next(1, 130)];
            for (var i = 0; i < batch.Length; i++)
            {
                batch[i] = pool[random.Next(pool.Length)];
            }

            var (verdicts, result, explanations) = await CheckAsync(checks, Query(SmsType.Marketing, explain: true), batch);

            Assert.Equal(batch.Select(r => alone[r]), verdicts);
            Assert.Equal((uint)verdicts.Count(v => v == Verdict.Allowed), result.Counts.Allowed);
            Assert.Equal((uint)verdicts.Count(v => v == Verdict.InvalidRecipient), result.Counts.InvalidRecipient);
            Assert.Equal(
                Enumerable.Range(0, batch.Length).Where(i => verdicts[i] != Verdict.Allowed).Select(i => (uint)i),
                explanations.Select(e => e.Index));
        }
    }

    private static CheckQuery Query(SmsType type, string app = "", bool explain = false) => new(Tenant, Sender, app, type, explain, "key-1");

    private static Task<WriteResult> AddAsync(GateEngine engine, EntryKind kind, Scope scope, string sender, string app, byte mask, params string[] recipients) =>
        engine.Writes.WriteAsync(new EntryWriteRequest
        {
            TenantId = Tenant,
            Operation = EntryWriteOperation.Add,
            Kind = kind,
            Scope = scope,
            Sender = sender,
            App = app,
            Recipients = recipients,
            SmsTypeMask = mask,
            Source = kind == EntryKind.OptOut ? Source.Api : Source.Admin,
            Reason = "test",
        }, CancellationToken.None);

    private static async Task<(Verdict[] Verdicts, CheckResult Result, List<Explanation> Explanations)> CheckAsync(CheckEngine checks, CheckQuery query, params string[] recipients)
    {
        var numbers = new ulong[recipients.Length];
        CheckEngine.ParseRecipients(recipients, numbers);
        var verdicts = new Verdict[recipients.Length];
        var explanations = new List<Explanation>();
        var result = await checks.CheckAsync(query, numbers, verdicts, explanations, CancellationToken.None);
        return (verdicts, result, explanations);
    }
}
