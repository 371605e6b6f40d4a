using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Mo;
using OptOutGate.Engine.Recipients;

namespace OptOutGate.Engine.Tests.Mo;

public sealed class MoLedgerTests
{
    private static readonly DateTime Now = new(2026, 1, 5, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Fold_RemembersCarrierIdsAndContent_WithinTheWindow_AndFoldingTwiceChangesNothing()
    {
        var ledger = new MoLedger(TimeSpan.FromHours(24));
        var record = MoRecord(7, ChangeAction.OptOut, "c1", "STOP", Now.AddMinutes(-5));
        ledger.Fold(record);
        ledger.Fold(record);

        Assert.True(ledger.TryFind(MoKeys.Message("t", "c1"), MoKeys.Message("t", "other"), Now, out var seen, out var pending));
        Assert.Null(pending);
        Assert.Equal(7UL, seen.Sequence);
        Assert.Equal(MoAction.OptedOut, seen.Action);

        var content = MoKeys.Content("t", "+18005550100", "+14155550100", "STOP", Now.AddMinutes(-5).Ticks);
        Assert.True(ledger.TryFind(MoKeys.Message("t", "c2"), content, Now, out seen, out _));
        Assert.Equal(7UL, seen.Sequence);

        // Other tenant, other id: not seen. Past the window: not seen.
        Assert.False(ledger.TryFind(MoKeys.Message("u", "c1"), MoKeys.Message("u", "x"), Now, out _, out _));
        Assert.False(ledger.TryFind(MoKeys.Message("t", "c1"), MoKeys.Message("t", "x"), Now.AddHours(25), out _, out _));
    }

    [Fact]
    public async Task Claim_IsPendingUntilComplete_AndARetryWaitsForTheOriginalsSequence()
    {
        var ledger = new MoLedger(TimeSpan.FromHours(24));
        var key = MoKeys.Message("t", "c1");
        var content = MoKeys.Content("t", "a", "b", "STOP", 1);
        var ticket = new MoTicket();
        Assert.False(ledger.TryFindOrClaim(key, content, Now, ticket, out _, out _));

        Assert.True(ledger.TryFind(key, content, Now, out _, out var pending));
        Assert.Same(ticket, pending);
        Assert.False(pending!.Done.IsCompleted);

        var record = MoRecord(11, ChangeAction.OptOut, "c1", "STOP", Now);
        ledger.Complete(ticket, [record], new SeenMo(11, Now.Ticks, MoAction.OptedOut));
        Assert.Equal(11UL, (await pending.Done).Sequence);
        Assert.True(ledger.TryFind(key, content, Now, out var seen, out pending));
        Assert.Null(pending);
        Assert.Equal(11UL, seen.Sequence);
    }

    [Fact]
    public void Abort_ReleasesTheClaim_SoARetryIsDecidedAfresh()
    {
        var ledger = new MoLedger(TimeSpan.FromHours(24));
        var key = MoKeys.Message("t", "c1");
        var content = MoKeys.Content("t", "a", "b", "STOP", 1);
        var ticket = new MoTicket();
        ledger.TryFindOrClaim(key, content, Now, ticket, out _, out _);
        ledger.Abort(ticket, new IOException("disk"));
        Assert.True(ticket.Done.IsFaulted);
        Assert.False(ledger.TryFind(key, content, Now, out _, out _));
    }

    [Fact]
    public void Latest_KeepsTheLaterCarrierTime_WhateverTheFoldOrder()
    {
        var ledger = new MoLedger(TimeSpan.FromHours(24));
        E164.TryParse("+14155550100", out var recipient);
        ledger.Fold(MoRecord(2, ChangeAction.OptIn, "late-start", "START", Now.AddMinutes(-1)));
        ledger.Fold(MoRecord(3, ChangeAction.OptOut, "early-stop", "STOP", Now.AddMinutes(-10)));
        var scope = ledger.OrderOf("t", recipient).Find("+18005550100");
        Assert.NotNull(scope);
        Assert.Equal(2UL, scope.Latest!.Value.Sequence);
        Assert.False(scope.Latest.Value.OptOut);
        Assert.Equal("late-start", scope.LatestOptInCarrierMessageId);

        // A STOP at the same event time as the START outranks it (a STOP never loses a tie).
        ledger.Fold(MoRecord(4, ChangeAction.OptOut, "tie-stop", "STOP", Now.AddMinutes(-1)));
        Assert.True(ledger.OrderOf("t", recipient).Find("+18005550100")!.Latest!.Value.OptOut);
    }

    [Fact]
    public void ReviewItemsAndRemovalRequests_FollowTheirRecords_AndSurviveSaveAndLoad()
    {
        var ledger = new MoLedger(TimeSpan.FromHours(24));
        var ambiguous = MoRecord(5, ChangeAction.Ambiguous, "c5", "cancel my appointment", Now);
        ambiguous.ReviewItemId = "rv_1";
        ambiguous.MatchedKeyword = "CANCEL";
        ledger.Fold(ambiguous);
        var later = MoRecord(6, ChangeAction.Ambiguous, "c6", "when does it END", Now.AddMinutes(1));
        later.ReviewItemId = "rv_2";
        ledger.Fold(later);
        ledger.Fold(new ChangeRecord
        {
            Sequence = 8, TenantId = "t", Sender = "+18005550100", Recipient = "+14155550100", Scope = Scope.Sender,
            Action = ChangeAction.RemovalRequested, Reason = "ticket 1", RemovalRequestId = "rr_1", ActorKeyId = "ops",
            ReceiveTime = Timestamp.FromDateTime(Now),
        });
        ledger.Fold(new ChangeRecord { Sequence = 9, TenantId = "t", Action = ChangeAction.ReviewDismissed, ReviewItemId = "rv_2" });
        ledger.Fold(new ChangeRecord { Sequence = 10, TenantId = "t", Action = ChangeAction.RemovalApproved, RemovalRequestId = "rr_1", ActorKeyId = "lead", Reason = "ok" });
        ledger.Fold(new ChangeRecord { Sequence = 11, TenantId = "t", Action = ChangeAction.OptOutRemoved, RemovalRequestId = "rr_1" });
        ledger.FoldRange([], 11);

        var path = Path.Combine(Directory.CreateTempSubdirectory("mo-ledger-").FullName, "ledger.bin");
        Assert.Equal(11UL, ledger.Save(path));
        var loaded = MoLedger.Load(path, TimeSpan.FromHours(24));
        Assert.Equal(11UL, loaded.FoldedSequence);

        foreach (var l in new[] { ledger, loaded })
        {
            var open = l.OpenReviewItems("t", "");
            Assert.Equal("rv_1", Assert.Single(open).Id);
            Assert.Equal("CANCEL", open[0].MatchedKeyword);
            Assert.Empty(l.OpenReviewItems("other-tenant", ""));
            Assert.True(l.TryGetRemoval("t", "rr_1", out var request, out _));
            Assert.Equal(RemovalRequestState.Approved, request.State);
            Assert.Equal("lead", request.ReviewerKeyId);
            Assert.Equal(11UL, request.ReviewSequence);
            Assert.Equal(8UL, request.CreateSequence);
            Assert.False(l.TryGetRemoval("other-tenant", "rr_1", out _, out _));
            Assert.True(l.TryFind(MoKeys.Message("t", "c5"), default, Now, out var seen, out _));
            Assert.Equal(MoAction.Ambiguous, seen.Action);
        }

        Assert.Equal(1, loaded.ReviewQueueStats().Count);
    }

    [Fact]
    public void Load_ATruncatedSnapshot_Fails()
    {
        var ledger = new MoLedger(TimeSpan.FromHours(24));
        ledger.Fold(MoRecord(1, ChangeAction.OptOut, "c1", "STOP", Now));
        var path = Path.Combine(Directory.CreateTempSubdirectory("mo-ledger-").FullName, "ledger.bin");
        ledger.Save(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^6]);
        Assert.Throws<InvalidDataException>(() => MoLedger.Load(path, TimeSpan.FromHours(24)));
    }

    private static ChangeRecord MoRecord(ulong sequence, ChangeAction action, string carrierId, string text, DateTime carrierTime) => new()
    {
        Sequence = sequence,
        TenantId = "t",
        Sender = "+18005550100",
        Recipient = "+14155550100",
        Action = action,
        Scope = action == ChangeAction.Ambiguous ? Scope.Unspecified : Scope.Sender,
        Source = Source.MoKeyword,
        MoText = text,
        CarrierMessageId = carrierId,
        EventTime = Timestamp.FromDateTime(carrierTime),
        ReceiveTime = Timestamp.FromDateTime(carrierTime.AddSeconds(1)),
    };
}
