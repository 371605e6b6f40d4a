using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Mo;

namespace OptOutGate.Server.Tests.Admin;

/// <summary>Review queue, removal requests, provider errors and bulk import against the real server process.</summary>
[Collection(MoProcessesCollection.Name)]
public sealed class MoWorkflowTests
{
    [Fact]
    public async Task ReviewQueue_ListsOldestFirstWithDueDates_AndResolvesAsOptOutOrNot()
    {
        await using var gate = await GateProcess.StartAsync();
        using var channel = GrpcChannel.ForAddress(gate.GrpcAddress);
        var mo = new MoClient(channel);
        await mo.PutAddressAsync();
        var first = await mo.RecordAsync(MoClient.Message("+14155550150", "when does the sale END", "q1"));
        var second = await mo.RecordAsync(MoClient.Message("+14155550151", "cancel my appointment", "q2"));

        var queue = await mo.AdminAsync<ListReviewQueueRequest, ListReviewQueueResponse>("ListReviewQueue", new ListReviewQueueRequest());
        Assert.Equal(2UL, queue.TotalOpen);
        Assert.Equal([first.ReviewItemId, second.ReviewItemId], queue.Items.Select(i => i.Id));
        var item = queue.Items[0];
        Assert.Equal("when does the sale END", item.MoText);
        Assert.Equal("END", item.MatchedKeyword);
        Assert.Equal(first.Sequence, item.Sequence);
        Assert.False(item.Overdue);
        var due = item.DueTime.ToDateTime();
        Assert.InRange((due - item.ReceiveTime.ToDateTime()).TotalDays, 12, 16);
        Assert.True(due.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday));

        var page = await mo.AdminAsync<ListReviewQueueRequest, ListReviewQueueResponse>("ListReviewQueue", new ListReviewQueueRequest { PageSize = 1 });
        Assert.Single(page.Items);
        Assert.NotEmpty(page.NextPageToken);
        var next = await mo.AdminAsync<ListReviewQueueRequest, ListReviewQueueResponse>("ListReviewQueue", new ListReviewQueueRequest { PageSize = 1, PageToken = page.NextPageToken });
        Assert.Equal(second.ReviewItemId, Assert.Single(next.Items).Id);

        var optOut = await mo.AdminAsync<ResolveReviewItemRequest, ResolveReviewItemResponse>(
            "ResolveReviewItem", new ResolveReviewItemRequest { Id = first.ReviewItemId, Resolution = ReviewResolution.OptOut, Note = "customer confirmed by phone" });
        Assert.True(optOut.Sequence > second.Sequence);
        Assert.Equal(Verdict.BlockedOptedOut, await mo.CheckAsync("+14155550150", SmsType.Marketing));
        var record = (await mo.HistoryAsync("+14155550150"))[^1];
        Assert.Equal(ChangeAction.OptOut, record.Action);
        Assert.Equal(Source.MoKeyword, record.Source);
        Assert.Equal("customer confirmed by phone", record.Reason);
        Assert.Equal(first.ReviewItemId, record.ReviewItemId);
        Assert.Equal(ClassificationRule.AmbiguousKeyword, record.Rule);

        await mo.AdminAsync<ResolveReviewItemRequest, ResolveReviewItemResponse>(
            "ResolveReviewItem", new ResolveReviewItemRequest { Id = second.ReviewItemId, Resolution = ReviewResolution.NotOptOut, Note = "an appointment" });
        Assert.Equal(Verdict.Allowed, await mo.CheckAsync("+14155550151", SmsType.Marketing));
        Assert.Equal(ChangeAction.ReviewDismissed, (await mo.HistoryAsync("+14155550151"))[^1].Action);

        var empty = await mo.AdminAsync<ListReviewQueueRequest, ListReviewQueueResponse>("ListReviewQueue", new ListReviewQueueRequest());
        Assert.Equal(0UL, empty.TotalOpen);
        Assert.Equal(StatusCode.FailedPrecondition, await mo.StatusOfAsync(() => mo.AdminAsync<ResolveReviewItemRequest, ResolveReviewItemResponse>(
            "ResolveReviewItem", new ResolveReviewItemRequest { Id = first.ReviewItemId, Resolution = ReviewResolution.OptOut })));
        Assert.Equal(StatusCode.NotFound, await mo.StatusOfAsync(() => mo.AdminAsync<ResolveReviewItemRequest, ResolveReviewItemResponse>(
            "ResolveReviewItem", new ResolveReviewItemRequest { Id = "rv_nope", Resolution = ReviewResolution.OptOut })));

        var metrics = await new HttpClient().GetStringAsync(gate.MetricsAddress);
        Assert.Contains("optoutgate_mo_review_queue_size", metrics, StringComparison.Ordinal);
        Assert.Contains("optoutgate_mo_messages", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemovalRequest_Pending_ThenApproved_LiftsTheMoOptOut_WithSourceRemovalApproved()
    {
        // Four eyes: one admin key requests, another approves.
        var requester = OptOutGate.Server.Tenancy.ApiKeyHash.NewKey();
        var reviewer = OptOutGate.Server.Tenancy.ApiKeyHash.NewKey();
        await using var gate = await GateTestServer.StartAsync(new Dictionary<string, string>
        {
            ["Tenancy:Tenants:acme:Keys:ops:Hash"] = OptOutGate.Server.Tenancy.ApiKeyHash.ForConfiguration(requester),
            ["Tenancy:Tenants:acme:Keys:ops:Roles:0"] = "admin",
            ["Tenancy:Tenants:acme:Keys:ops:Roles:1"] = "mo",
            ["Tenancy:Tenants:acme:Keys:ops:Roles:2"] = "check",
            ["Tenancy:Tenants:acme:Keys:lead:Hash"] = OptOutGate.Server.Tenancy.ApiKeyHash.ForConfiguration(reviewer),
            ["Tenancy:Tenants:acme:Keys:lead:Roles:0"] = "admin",
        });
        var channel = gate.Channel;
        var mo = new MoClient(channel, requester);
        var lead = mo.WithKey(reviewer);
        await mo.PutAddressAsync();
        const string r = "+14155550160";
        await mo.RecordAsync(MoClient.Message(r, "STOP", "m1"));

        var create = new CreateRemovalRequestRequest { Sender = MoClient.Address, Recipient = r, Reason = "re-subscribed by phone, ticket 4711" };
        var request = await mo.AdminAsync<CreateRemovalRequestRequest, RemovalRequest>("CreateRemovalRequest", create);
        Assert.Equal(RemovalRequestState.Pending, request.State);
        Assert.Equal(Scope.Sender, request.Scope);
        Assert.True(request.CreateSequence > 0);
        Assert.Equal(StatusCode.AlreadyExists, await mo.StatusOfAsync(() => mo.AdminAsync<CreateRemovalRequestRequest, RemovalRequest>("CreateRemovalRequest", create)));
        Assert.Equal(StatusCode.NotFound, await mo.StatusOfAsync(() => mo.AdminAsync<CreateRemovalRequestRequest, RemovalRequest>(
            "CreateRemovalRequest", new CreateRemovalRequestRequest { Sender = MoClient.Address, Recipient = "+14155550169", Reason = "x" })));
        Assert.Equal(StatusCode.InvalidArgument, await mo.StatusOfAsync(() => mo.AdminAsync<CreateRemovalRequestRequest, RemovalRequest>(
            "CreateRemovalRequest", new CreateRemovalRequestRequest { Sender = MoClient.Address, Recipient = r })));
        Assert.Equal(Verdict.BlockedOptedOut, await mo.CheckAsync(r, SmsType.Marketing));

        Assert.Equal(StatusCode.PermissionDenied, await mo.StatusOfAsync(() => mo.AdminAsync<ReviewRemovalRequestRequest, RemovalRequest>(
            "ReviewRemovalRequest", new ReviewRemovalRequestRequest { Id = request.Id, Decision = ReviewDecision.Approve, Note = "my own" })));
        var approved = await lead.AdminAsync<ReviewRemovalRequestRequest, RemovalRequest>(
            "ReviewRemovalRequest", new ReviewRemovalRequestRequest { Id = request.Id, Decision = ReviewDecision.Approve, Note = "consent on file" });
        Assert.Equal(RemovalRequestState.Approved, approved.State);
        Assert.Equal("consent on file", approved.ReviewNote);
        Assert.True(approved.ReviewSequence > request.CreateSequence);
        Assert.Equal(Verdict.Allowed, await mo.CheckAsync(r, SmsType.Marketing));
        var history = await mo.HistoryAsync(r);
        Assert.Equal([ChangeAction.OptOut, ChangeAction.ConfirmationSent, ChangeAction.RemovalRequested, ChangeAction.RemovalApproved, ChangeAction.OptOutRemoved], history.Select(h => h.Action));
        Assert.Equal(Source.RemovalApproved, history[^1].Source);
        Assert.Equal(request.Id, history[^1].RemovalRequestId);
        Assert.Equal(approved.ReviewSequence, history[^1].Sequence);

        Assert.Equal(StatusCode.FailedPrecondition, await mo.StatusOfAsync(() => mo.AdminAsync<ReviewRemovalRequestRequest, RemovalRequest>(
            "ReviewRemovalRequest", new ReviewRemovalRequestRequest { Id = request.Id, Decision = ReviewDecision.Reject, Note = "too late" })));
        var got = await mo.AdminAsync<GetRemovalRequestRequest, RemovalRequest>("GetRemovalRequest", new GetRemovalRequestRequest { Id = request.Id });
        Assert.Equal(approved, got);

        // A rejection keeps the opt-out.
        await mo.RecordAsync(MoClient.Message("+14155550161", "STOP", "m2"));
        var second = await mo.AdminAsync<CreateRemovalRequestRequest, RemovalRequest>(
            "CreateRemovalRequest", new CreateRemovalRequestRequest { Sender = MoClient.Address, Recipient = "+14155550161", Reason = "asked by sales" });
        Assert.Equal(StatusCode.InvalidArgument, await mo.StatusOfAsync(() => mo.AdminAsync<ReviewRemovalRequestRequest, RemovalRequest>(
            "ReviewRemovalRequest", new ReviewRemovalRequestRequest { Id = second.Id, Decision = ReviewDecision.Reject })));
        var rejected = await mo.AdminAsync<ReviewRemovalRequestRequest, RemovalRequest>(
            "ReviewRemovalRequest", new ReviewRemovalRequestRequest { Id = second.Id, Decision = ReviewDecision.Reject, Note = "no consent" });
        Assert.Equal(RemovalRequestState.Rejected, rejected.State);
        Assert.Equal(Verdict.BlockedOptedOut, await mo.CheckAsync("+14155550161", SmsType.Marketing));

        var list = await mo.AdminAsync<ListRemovalRequestsRequest, ListRemovalRequestsResponse>("ListRemovalRequests", new ListRemovalRequestsRequest());
        Assert.Equal([request.Id, second.Id], list.RemovalRequests.Select(x => x.Id));
        var onlyRejected = await mo.AdminAsync<ListRemovalRequestsRequest, ListRemovalRequestsResponse>(
            "ListRemovalRequests", new ListRemovalRequestsRequest { State = RemovalRequestState.Rejected });
        Assert.Equal(second.Id, Assert.Single(onlyRejected.RemovalRequests).Id);
    }

    [Fact]
    public async Task ProviderError_BecomesAnOptOutWithSourceProviderError_KnownCodesOnly()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var mo = new MoClient(channel);
        var cases = new (Provider Provider, string Code, string Name)[]
        {
            (Provider.Twilio, "21610", "Twilio"), (Provider.Telnyx, "40300", "Telnyx"), (Provider.Vonage, "9", "Vonage"),
            (Provider.Plivo, "200", "Plivo"), (Provider.Sinch, "257", "Sinch"), (Provider.Other, "E77", "Acme SMS"),
        };
        for (var i = 0; i < cases.Length; i++)
        {
            var (provider, code, name) = cases[i];
            var recipient = "+1415555017" + i;
            var response = await mo.AdminAsync<ReportProviderErrorRequest, ReportProviderErrorResponse>("ReportProviderError", new ReportProviderErrorRequest
            {
                Provider = provider,
                ProviderName = provider == Provider.Other ? name : "",
                ErrorCode = code,
                Recipient = recipient,
                Sender = "ACME",
                App = "shop",
                ProviderMessage = "Attempt to send to unsubscribed recipient",
            });
            Assert.Equal(RecipientOutcome.Added, response.Result.Outcome);
            Assert.Equal(Source.ProviderError, response.Result.Entry.Source);
            Assert.Equal(Verdict.BlockedOptedOut, await mo.CheckAsync(recipient, SmsType.Marketing, "ACME"));
            var record = Assert.Single(await mo.HistoryAsync(recipient));
            Assert.Equal(name, record.SourceName);
            Assert.Equal(code, record.ProviderErrorCode);
            Assert.Equal(Scope.Sender, record.Scope);
        }

        var again = await mo.AdminAsync<ReportProviderErrorRequest, ReportProviderErrorResponse>("ReportProviderError", new ReportProviderErrorRequest
        {
            Provider = Provider.Twilio, ErrorCode = "21610", Recipient = "+14155550170", Sender = "ACME",
        });
        Assert.Equal(RecipientOutcome.AlreadyPresent, again.Result.Outcome);
        Assert.Equal(StatusCode.InvalidArgument, await mo.StatusOfAsync(() => mo.AdminAsync<ReportProviderErrorRequest, ReportProviderErrorResponse>(
            "ReportProviderError", new ReportProviderErrorRequest { Provider = Provider.Twilio, ErrorCode = "30003", Recipient = "+14155550179", Sender = "ACME" })));
        Assert.Equal(StatusCode.InvalidArgument, await mo.StatusOfAsync(() => mo.AdminAsync<ReportProviderErrorRequest, ReportProviderErrorResponse>(
            "ReportProviderError", new ReportProviderErrorRequest { Provider = Provider.Other, ErrorCode = "1", Recipient = "+14155550179", Sender = "ACME" })));
        Assert.Equal(StatusCode.InvalidArgument, await mo.StatusOfAsync(() => mo.AdminAsync<ReportProviderErrorRequest, ReportProviderErrorResponse>(
            "ReportProviderError", new ReportProviderErrorRequest { ErrorCode = "21610", Recipient = "+14155550179", Sender = "ACME" })));
    }

    [Fact]
    public async Task ImportOptOuts_DryRunCountsWithoutWriting_ThenCommits200000Lines_ReportingInvalidLinesByNumber()
    {
        await using var gate = await GateTestServer.StartAsync();
        var channel = gate.Channel;
        var mo = new MoClient(channel);
        const int lines = 200_000;
        await mo.AdminAsync<AddOptOutsRequest, AddOptOutsResponse>("AddOptOuts", new AddOptOutsRequest { Sender = "ACME", Recipients = { Number(5), Number(6) } });

        var dry = await ImportAsync(channel, lines, dryRun: true);
        Assert.True(dry.DryRun);
        Assert.Equal(0UL, dry.Sequence);
        Assert.Equal(3UL, dry.Invalid);
        Assert.Equal([7UL, 1001UL, 150_000UL], dry.InvalidLines.Select(l => l.LineNumber));
        Assert.Contains("E.164", dry.InvalidLines[0].Reason, StringComparison.Ordinal);
        Assert.Equal(2UL, dry.AlreadyPresent); // line 6 existed (line 7's number too, but line 7 is malformed); line 12 repeats line 11
        Assert.Equal((ulong)lines - 5, dry.Added);
        Assert.Equal(Verdict.Allowed, await mo.CheckAsync(Number(100), SmsType.Marketing, "ACME"));

        var real = await ImportAsync(channel, lines, dryRun: false);
        Assert.False(real.DryRun);
        Assert.Equal(dry.Added, real.Added);
        Assert.Equal(dry.AlreadyPresent, real.AlreadyPresent);
        Assert.Equal(dry.Invalid, real.Invalid);
        Assert.Equal(dry.InvalidLines, real.InvalidLines);
        Assert.True(real.Sequence >= real.Added);
        Assert.Equal(Verdict.BlockedOptedOut, await mo.CheckAsync(Number(100), SmsType.Marketing, "ACME"));
        Assert.Equal(Verdict.BlockedOptedOut, await mo.CheckAsync(Number(lines - 1), SmsType.Marketing, "ACME"));
        var record = Assert.Single(await mo.HistoryAsync(Number(100)));
        Assert.Equal(Source.Import, record.Source);
        Assert.Equal("crm-export-2026-01", record.SourceName);
        Assert.Equal("migrated from the old platform", record.Reason);

        var rerun = await ImportAsync(channel, lines, dryRun: false);
        Assert.Equal(0UL, rerun.Added);
        Assert.Equal((ulong)lines - 3, rerun.AlreadyPresent);

        Assert.Equal(StatusCode.InvalidArgument, await new MoClient(channel).StatusOfAsync(async () =>
        {
            using var call = new AdminRpcClient(channel).ImportOptOuts(MoClient.Deadline());
            await call.RequestStream.WriteAsync(new ImportOptOutsRequest { Lines = { new ImportLine { Recipient = Number(1) } } });
            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync;
        }));
    }

    private static string Number(int i) => "+1646" + (2_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<ImportOptOutsResponse> ImportAsync(GrpcChannel channel, int lines, bool dryRun)
    {
        using var call = new AdminRpcClient(channel).ImportOptOuts(MoClient.Deadline(300));
        var message = new ImportOptOutsRequest
        {
            Options = new ImportOptions { SourceName = "crm-export-2026-01", Reason = "migrated from the old platform", DryRun = dryRun, Sender = "ACME" },
        };
        for (var line = 1; line <= lines; line++)
        {
            // Line n holds Number(n-1); line 7 is malformed, line 1001 has a future event time, line 150000 a bad number,
            // line 12 repeats line 11.
            var recipient = line switch { 7 => "+1 646 200", 150_000 => "0012", 12 => Number(10), _ => Number(line - 1) };
            var importLine = new ImportLine { Recipient = recipient };
            if (line == 1001)
            {
                importLine.EventTime = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(2));
            }

            message.Lines.Add(importLine);
            if (message.Lines.Count == 10_000)
            {
                await call.RequestStream.WriteAsync(message);
                message = new ImportOptOutsRequest();
            }
        }

        if (message.Lines.Count > 0)
        {
            await call.RequestStream.WriteAsync(message);
        }

        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }
}
