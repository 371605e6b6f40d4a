using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using OptOutGate.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;
using OptOutGate.Server.Tests.Infrastructure;
using OptOutGate.Server.Tests.Readiness;
using OptOutGate.Server.Tests.Tenancy;
using Xunit.Abstractions;

namespace OptOutGate.Server.Tests.Tenancy;

/// <summary>
/// Tenant isolation: tenant A's keys can neither see nor change tenant B's entries, on every RPC. Two tenants
/// with admin, check and mo keys each; A's data is made first, then every RPC of Gate, Admin, Mo and Changes is called
/// with B's keys, and A's whole visible state must be exactly what it was. The RPC list comes from the service
/// descriptors, so a new RPC fails this test until it gets a probe here.
/// </summary>
public sealed class TenantIsolationTests(ITestOutputHelper output)
{
    private const string S = GateApi.Sender;
    private static readonly string[] R = Enumerable.Range(0, 9).Select(i => "+1415555020" + i).ToArray();

    [Fact]
    public async Task TenantBKeys_NeitherSeeNorChangeTenantAData_OnEveryRpc()
    {
        var a = new TenantKeys("acme");
        var b = new TenantKeys("globex");
        var settings = a.Settings().Concat(b.Settings()).ToDictionary(p => p.Key, p => p.Value);
        await using var gate = await GateTestServer.StartAsync(settings);
        var channel = gate.Channel;
        var aAdmin = new GateApi(channel, a.Admin);
        var aCheck = new GateApi(channel, a.Check);
        var bAdmin = new GateApi(channel, b.Admin);
        var bCheck = new GateApi(channel, b.Check);

        // Tenant A: an address, a rule, opt-outs by API and by MO, a suppression, a bypass, a removal request, a review item, a policy.
        await aAdmin.CallAsync<PutInboundAddressRequest, InboundAddress>("PutInboundAddress", new PutInboundAddressRequest { InboundAddress = new InboundAddress { Sender = S } });
        await aAdmin.CallAsync<PutBlockingRuleRequest, BlockingRule>("PutBlockingRule", new PutBlockingRuleRequest { Rule = new BlockingRule { Sender = S, BlockedSmsTypes = { SmsType.Marketing, SmsType.Notification } } });
        await aAdmin.AddOptOutsAsync([R[1]]);
        await aAdmin.CallAsync<AddSuppressionsRequest, AddSuppressionsResponse>("AddSuppressions", new AddSuppressionsRequest { Sender = S, Recipients = { R[2] }, SmsTypes = { SmsType.Notification }, Reason = "mute" });
        await aAdmin.CallAsync<AddBypassesRequest, AddBypassesResponse>("AddBypasses", new AddBypassesRequest { Sender = S, Recipients = { R[3] }, SmsTypes = { SmsType.Verification }, Reason = "otp" });
        var stop = await RecordMoAsync(channel, a.Mo, R[4], "STOP", "a-1");
        Assert.Equal(MoAction.OptedOut, stop.Action);
        var ambiguous = await RecordMoAsync(channel, a.Mo, R[5], "cancel my appointment", "a-2");
        Assert.Equal(MoAction.Ambiguous, ambiguous.Action);
        var removal = await aAdmin.CallAsync<CreateRemovalRequestRequest, RemovalRequest>("CreateRemovalRequest", new CreateRemovalRequestRequest { Sender = S, Recipient = R[4], Reason = "asked by phone" });
        await aAdmin.CallAsync<UpdateTenantPolicyRequest, TenantPolicy>("UpdateTenantPolicy", new UpdateTenantPolicyRequest { Policy = new TenantPolicy { RevokeAll = true } });
        var hook = (await aAdmin.CallAsync<CreateWebhookSubscriptionRequest, CreateWebhookSubscriptionResponse>("CreateWebhookSubscription", new CreateWebhookSubscriptionRequest
        {
            Subscription = new WebhookSubscription { Url = "https://127.0.0.1:1/hook", EventTypes = { WebhookEventType.OptOut }, Paused = true },
        })).Subscription;
        var before = await SnapshotAsync(aAdmin, aCheck);
        Assert.NotEmpty(before.Entries);
        Assert.Single(before.RemovalRequests.RemovalRequests);
        output.WriteLine($"tenant A: {before.History.Count} history records, {before.Entries.Count} entries, review item '{ambiguous.ReviewItemId}', removal request '{removal.Id}'");

        var now = Timestamp.FromDateTime(DateTime.UtcNow);
        var probes = new List<(string Method, Func<Task> Probe)>
        {
            // Reads: B sees none of A's data.
            ("Gate/CheckBatch", async () =>
            {
                foreach (var type in new[] { SmsType.Marketing, SmsType.Notification, SmsType.Verification })
                {
                    var response = await bCheck.CheckBatchAsync(new CheckBatchRequest { Sender = S, SmsType = type, Recipients = { R }, Explain = true });
                    Assert.All(response.Verdicts, v => Assert.Equal(Verdict.Allowed, v));
                    Assert.Empty(response.Explanations);
                }
            }),
            ("Gate/CheckStream", async () =>
            {
                using var call = new GateRpcClient(channel).CheckStream(bCheck.Options());
                await call.RequestStream.WriteAsync(new CheckStreamRequest { RequestId = 1, Batch = new CheckBatchRequest { Sender = S, SmsType = SmsType.Marketing, Recipients = { R } } });
                await call.RequestStream.CompleteAsync();
                Assert.True(await call.ResponseStream.MoveNext());
                Assert.All(call.ResponseStream.Current.Batch.Verdicts, v => Assert.Equal(Verdict.Allowed, v));
            }),
            ("Admin/CheckOptOuts", async () =>
            {
                var response = await bAdmin.CallAsync<CheckOptOutsRequest, CheckOptOutsResponse>("CheckOptOuts", new CheckOptOutsRequest { Sender = S, Recipients = { R } });
                Assert.All(response.Results, r => Assert.Equal(RecipientOutcome.NotPresent, r.Outcome));
            }),
            ("Admin/ListEntries", async () =>
            {
                Assert.Empty((await bAdmin.CallAsync<ListEntriesRequest, ListEntriesResponse>("ListEntries", new ListEntriesRequest())).Entries);
                Assert.Empty((await bAdmin.CallAsync<ListEntriesRequest, ListEntriesResponse>("ListEntries", new ListEntriesRequest { Filter = new EntryFilter { Recipient = R[1] } })).Entries);
            }),
            ("Admin/ExportEntries", async () => { Assert.Single(Lines(await bAdmin.ExportAsync("ExportEntries", new ExportEntriesRequest()))); }),
            ("Admin/ListHistory", async () =>
            {
                Assert.Empty((await bAdmin.CallAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest())).Records);
                Assert.Empty((await bAdmin.CallAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest { Filter = new HistoryFilter { Recipient = R[4] } })).Records);
                Assert.Empty((await bAdmin.CallAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest { Filter = new HistoryFilter { Sender = S, IncludeTenantWide = true } })).Records);
                var range = new TimeRange { StartTime = Timestamp.FromDateTime(DateTime.UtcNow.AddHours(-1)), EndTime = Timestamp.FromDateTime(DateTime.UtcNow.AddHours(1)) };
                Assert.Empty((await bAdmin.CallAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest { Filter = new HistoryFilter { TimeRange = range } })).Records);
            }),
            ("Admin/ExportHistory", async () => { Assert.Single(Lines(await bAdmin.ExportAsync("ExportHistory", new ExportHistoryRequest()))); }),
            ("Admin/CheckAtTime", async () =>
            {
                foreach (var recipient in new[] { R[1], R[2], R[4] })
                {
                    var response = await bAdmin.CallAsync<CheckAtTimeRequest, CheckAtTimeResponse>("CheckAtTime", new CheckAtTimeRequest { Recipient = recipient, Sender = S, SmsType = SmsType.Notification, Time = now });
                    Assert.Equal(Verdict.Allowed, response.Verdict);
                    Assert.Null(response.Explanation);
                }
            }),
            ("Admin/GetInboundAddress", async () => Assert.Equal(StatusCode.NotFound, (await bAdmin.StatusOfAsync<GetInboundAddressRequest, InboundAddress>("GetInboundAddress", new GetInboundAddressRequest { Sender = S })).StatusCode)),
            ("Admin/ListInboundAddresses", async () => Assert.Empty((await bAdmin.CallAsync<ListInboundAddressesRequest, ListInboundAddressesResponse>("ListInboundAddresses", new ListInboundAddressesRequest())).InboundAddresses)),
            ("Admin/ListBlockingRules", async () => Assert.Empty((await bAdmin.CallAsync<ListBlockingRulesRequest, ListBlockingRulesResponse>("ListBlockingRules", new ListBlockingRulesRequest())).Rules)),
            ("Admin/GetTenantPolicy", async () => Assert.False((await bAdmin.CallAsync<GetTenantPolicyRequest, TenantPolicy>("GetTenantPolicy", new GetTenantPolicyRequest())).RevokeAll)),
            ("Admin/GetRemovalRequest", async () => Assert.Equal(StatusCode.NotFound, (await bAdmin.StatusOfAsync<GetRemovalRequestRequest, RemovalRequest>("GetRemovalRequest", new GetRemovalRequestRequest { Id = removal.Id })).StatusCode)),
            ("Admin/ListRemovalRequests", async () => Assert.Empty((await bAdmin.CallAsync<ListRemovalRequestsRequest, ListRemovalRequestsResponse>("ListRemovalRequests", new ListRemovalRequestsRequest())).RemovalRequests)),
            ("Admin/ListReviewQueue", async () =>
            {
                var queue = await bAdmin.CallAsync<ListReviewQueueRequest, ListReviewQueueResponse>("ListReviewQueue", new ListReviewQueueRequest());
                Assert.Empty(queue.Items);
                Assert.Equal(0UL, queue.TotalOpen);
            }),
            ("Admin/GetWebhookSubscription", async () => Assert.Equal(StatusCode.NotFound, (await bAdmin.StatusOfAsync<GetWebhookSubscriptionRequest, WebhookSubscription>("GetWebhookSubscription", new GetWebhookSubscriptionRequest { Id = hook.Id })).StatusCode)),
            ("Admin/ListWebhookSubscriptions", async () => Assert.Empty((await bAdmin.CallAsync<ListWebhookSubscriptionsRequest, ListWebhookSubscriptionsResponse>("ListWebhookSubscriptions", new ListWebhookSubscriptionsRequest())).Subscriptions)),
            ("Admin/UpdateWebhookSubscription", async () => Assert.Equal(StatusCode.NotFound, (await bAdmin.StatusOfAsync<UpdateWebhookSubscriptionRequest, WebhookSubscription>("UpdateWebhookSubscription", new UpdateWebhookSubscriptionRequest { Subscription = new WebhookSubscription { Id = hook.Id, Paused = false }, UpdateMask = new FieldMask { Paths = { "paused" } }, RotateSecret = true })).StatusCode)),
            ("Admin/ReplayWebhookSubscription", async () => Assert.Equal(StatusCode.NotFound, (await bAdmin.StatusOfAsync<ReplayWebhookSubscriptionRequest, WebhookSubscription>("ReplayWebhookSubscription", new ReplayWebhookSubscriptionRequest { Id = hook.Id })).StatusCode)),
            ("Admin/DeleteWebhookSubscription", async () => Assert.Equal(StatusCode.NotFound, (await bAdmin.StatusOfAsync<DeleteWebhookSubscriptionRequest, DeleteWebhookSubscriptionResponse>("DeleteWebhookSubscription", new DeleteWebhookSubscriptionRequest { Id = hook.Id })).StatusCode)),
            ("Admin/CreateWebhookSubscription", async () =>
            {
                // B's own subscription is B's: A's list is unchanged (the state check after every probe), B sees one.
                await bAdmin.CallAsync<CreateWebhookSubscriptionRequest, CreateWebhookSubscriptionResponse>("CreateWebhookSubscription", new CreateWebhookSubscriptionRequest
                {
                    Subscription = new WebhookSubscription { Url = "https://127.0.0.1:1/b", EventTypes = { WebhookEventType.MoReply }, Paused = true },
                });
                var list = (await bAdmin.CallAsync<ListWebhookSubscriptionsRequest, ListWebhookSubscriptionsResponse>("ListWebhookSubscriptions", new ListWebhookSubscriptionsRequest())).Subscriptions;
                Assert.Equal("https://127.0.0.1:1/b", Assert.Single(list).Url);
            }),

            // Writes aimed at A's data: nothing of A's changes (checked all at once at the end).
            ("Admin/RemoveOptOuts", async () =>
            {
                var response = await bAdmin.CallAsync<RemoveOptOutsRequest, RemoveOptOutsResponse>("RemoveOptOuts", new RemoveOptOutsRequest { Sender = S, Recipients = { R[1], R[4] }, Override = true, Reason = "x" });
                Assert.All(response.Results, r => Assert.Equal(RecipientOutcome.NotPresent, r.Outcome));
            }),
            ("Admin/RemoveSuppressions", async () => Assert.Equal(RecipientOutcome.NotPresent, (await bAdmin.CallAsync<RemoveSuppressionsRequest, RemoveSuppressionsResponse>("RemoveSuppressions", new RemoveSuppressionsRequest { Sender = S, Recipients = { R[2] }, Reason = "x" })).Results[0].Outcome)),
            ("Admin/RemoveBypasses", async () => Assert.Equal(RecipientOutcome.NotPresent, (await bAdmin.CallAsync<RemoveBypassesRequest, RemoveBypassesResponse>("RemoveBypasses", new RemoveBypassesRequest { Sender = S, Recipients = { R[3] } })).Results[0].Outcome)),
            ("Admin/DeleteBlockingRule", async () => Assert.Equal(StatusCode.NotFound, (await bAdmin.StatusOfAsync<DeleteBlockingRuleRequest, DeleteBlockingRuleResponse>("DeleteBlockingRule", new DeleteBlockingRuleRequest { Sender = S })).StatusCode)),
            ("Admin/DeleteInboundAddress", async () => Assert.Equal(StatusCode.NotFound, (await bAdmin.StatusOfAsync<DeleteInboundAddressRequest, DeleteInboundAddressResponse>("DeleteInboundAddress", new DeleteInboundAddressRequest { Sender = S })).StatusCode)),
            ("Admin/ReviewRemovalRequest", async () => Assert.Equal(StatusCode.NotFound, (await bAdmin.StatusOfAsync<ReviewRemovalRequestRequest, RemovalRequest>("ReviewRemovalRequest", new ReviewRemovalRequestRequest { Id = removal.Id, Decision = ReviewDecision.Approve })).StatusCode)),
            ("Admin/ResolveReviewItem", async () => Assert.Equal(StatusCode.NotFound, (await bAdmin.StatusOfAsync<ResolveReviewItemRequest, ResolveReviewItemResponse>("ResolveReviewItem", new ResolveReviewItemRequest { Id = ambiguous.ReviewItemId, Resolution = ReviewResolution.OptOut, Note = "x" })).StatusCode)),
            ("Admin/CreateRemovalRequest", async () =>
            {
                // B has no MO opt-out for R[4]; whatever B's answer, A's request list stays as it was.
                var status = await bAdmin.StatusOfAsync<CreateRemovalRequestRequest, RemovalRequest>("CreateRemovalRequest", new CreateRemovalRequestRequest { Sender = S, Recipient = R[4], Reason = "x" });
                Assert.NotEqual(StatusCode.OK, status.StatusCode);
            }),

            // B's own writes under the same names: they stay B's.
            ("Admin/PutInboundAddress", () => bAdmin.CallAsync<PutInboundAddressRequest, InboundAddress>("PutInboundAddress", new PutInboundAddressRequest { InboundAddress = new InboundAddress { Sender = S, Description = "globex's" } })),
            ("Admin/PutBlockingRule", () => bAdmin.CallAsync<PutBlockingRuleRequest, BlockingRule>("PutBlockingRule", new PutBlockingRuleRequest { Rule = new BlockingRule { Sender = S, BlockedSmsTypes = { SmsType.Verification } } })),
            ("Admin/UpdateTenantPolicy", () => bAdmin.CallAsync<UpdateTenantPolicyRequest, TenantPolicy>("UpdateTenantPolicy", new UpdateTenantPolicyRequest { Policy = new TenantPolicy { RevokeAll = false } })),
            ("Admin/AddOptOuts", () => bAdmin.AddOptOutsAsync([R[2], R[3], R[6]])),
            ("Admin/AddSuppressions", () => bAdmin.CallAsync<AddSuppressionsRequest, AddSuppressionsResponse>("AddSuppressions", new AddSuppressionsRequest { Scope = Scope.Tenant, Recipients = { R }, SmsTypes = { SmsType.Marketing, SmsType.Notification, SmsType.Verification }, Reason = "b" })),
            ("Admin/AddBypasses", () => bAdmin.CallAsync<AddBypassesRequest, AddBypassesResponse>("AddBypasses", new AddBypassesRequest { Sender = S, Recipients = { R[1], R[4] }, SmsTypes = { SmsType.Marketing, SmsType.Notification }, Reason = "b" })),
            ("Admin/ImportOptOuts", async () =>
            {
                using var call = new AdminRpcClient(channel).ImportOptOuts(bAdmin.Options());
                await call.RequestStream.WriteAsync(new ImportOptOutsRequest { Options = new ImportOptions { SourceName = "b-import", Reason = "b", Sender = S }, Lines = { new ImportLine { LineNumber = 1, Recipient = R[7] } } });
                await call.RequestStream.CompleteAsync();
                Assert.Equal(1UL, (await call.ResponseAsync).Added);
            }),
            ("Admin/ImportOptOutsWithDiff", async () =>
            {
                // A's opt-outs of R[1] (API, at S) and R[4] (MO, at S) are neither ALREADY_PRESENT nor the "before" of a change for B.
                using var call = new AdminRpcClient(channel).ImportOptOutsWithDiff(bAdmin.Options());
                await call.RequestStream.WriteAsync(new ImportOptOutsRequest
                {
                    Options = new ImportOptions { SourceName = "b-diff", Reason = "b", Sender = S, DryRun = true },
                    Lines = { new ImportLine { Recipient = R[1] }, new ImportLine { Recipient = R[4] } },
                });
                await call.RequestStream.CompleteAsync();
                var outcomes = new List<ImportLineOutcome>();
                await foreach (var response in call.ResponseStream.ReadAllAsync())
                {
                    outcomes.AddRange(response.Lines);
                }

                Assert.Equal(2, outcomes.Count);
                Assert.All(outcomes, o => Assert.True(o.Result == ImportLineResult.Added && o.Existing is null && o.Before.Count == 0, o.ToString()));
            }),
            ("Admin/ReportProviderError", () => bAdmin.CallAsync<ReportProviderErrorRequest, ReportProviderErrorResponse>("ReportProviderError", new ReportProviderErrorRequest { Provider = Provider.Twilio, ErrorCode = "21610", Recipient = R[8], Sender = S })),
            ("Mo/RecordMo", async () => Assert.Equal(MoAction.OptedOut, (await RecordMoAsync(channel, b.Mo, R[0], "STOP", "b-1")).Action)),
            ("Mo/StreamMo", async () =>
            {
                using var call = new MoRpcClient(channel).StreamMo(new GateApi(channel, b.Mo).Options());
                await call.RequestStream.WriteAsync(new StreamMoRequest { Message = Mo(R[5], "START", "b-2") });
                await call.RequestStream.CompleteAsync();
                Assert.True(await call.ResponseStream.MoveNext());
                Assert.Null(call.ResponseStream.Current.Result.Error);
            }),
            ("Admin/ListReviewQueue+ResolveReviewItem own", async () =>
            {
                // B's own ambiguous MO and its review item: resolving it must not touch A's item of the same recipient.
                var own = await RecordMoAsync(channel, b.Mo, R[5], "cancel my appointment", "b-3");
                Assert.Equal(MoAction.Ambiguous, own.Action);
                await bAdmin.CallAsync<ResolveReviewItemRequest, ResolveReviewItemResponse>("ResolveReviewItem", new ResolveReviewItemRequest { Id = own.ReviewItemId, Resolution = ReviewResolution.OptOut, Note = "b" });
            }),
            ("Admin/DeleteBlockingRule own", () => bAdmin.CallAsync<DeleteBlockingRuleRequest, DeleteBlockingRuleResponse>("DeleteBlockingRule", new DeleteBlockingRuleRequest { Sender = S })),
            ("Admin/DeleteInboundAddress own", () => bAdmin.CallAsync<DeleteInboundAddressRequest, DeleteInboundAddressResponse>("DeleteInboundAddress", new DeleteInboundAddressRequest { Sender = S })),
            ("Changes/StreamChanges", async () =>
            {
                // An admin key reads its own tenant's changes only; naming A is refused; check and mo keys may not call it.
                var changes = new ChangesRpcClient(channel);
                var head = (await bCheck.HeadAsync());
                var tenants = new List<string>();
                using (var call = changes.StreamChanges(new StreamChangesRequest { FromSequence = 1, ToSequence = head }, bAdmin.Options()))
                {
                    while (await call.ResponseStream.MoveNext())
                    {
                        tenants.AddRange(call.ResponseStream.Current.Records.Select(r => r.TenantId));
                    }
                }

                Assert.NotEmpty(tenants);
                Assert.All(tenants, t => Assert.Equal("globex", t));
                using (var call = changes.StreamChanges(new StreamChangesRequest { FromSequence = 1, ToSequence = head, TenantIds = { "acme" } }, bAdmin.Options()))
                {
                    var denied = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext());
                    Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
                }

                await AssertCheckAndMoKeysOfBMayNotCallAsync(channel, b, GateApi.ChangesService.FindMethodByName("StreamChanges"));
            }),
            ("Changes/GetSnapshot", async () =>
            {
                var changes = new ChangesRpcClient(channel);
                var tenants = new List<string>();
                using (var call = changes.GetSnapshot(new GetSnapshotRequest(), bAdmin.Options()))
                {
                    while (await call.ResponseStream.MoveNext())
                    {
                        tenants.AddRange(call.ResponseStream.Current.Items.Select(i => i.TenantId));
                    }
                }

                Assert.NotEmpty(tenants);
                Assert.All(tenants, t => Assert.Equal("globex", t));
                using (var call = changes.GetSnapshot(new GetSnapshotRequest { TenantIds = { "acme" } }, bAdmin.Options()))
                {
                    var denied = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext());
                    Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
                }

                await AssertCheckAndMoKeysOfBMayNotCallAsync(channel, b, GateApi.ChangesService.FindMethodByName("GetSnapshot"));
            }),
        };

        // Every RPC of the four services has a probe (a new RPC fails here until it gets one).
        var probed = probes.Select(p => p.Method.Split(' ')[0]).SelectMany(m => m.Contains('+', StringComparison.Ordinal) ? m.Split('/')[1].Split('+').Select(n => "Admin/" + n) : [m]).ToHashSet();
        var all = new[] { GateApi.GateService, GateApi.AdminService, GateApi.MoService, GateApi.ChangesService }.SelectMany(s => s.Methods.Select(m => s.Name + "/" + m.Name)).ToList();
        Assert.Empty(all.Except(probed));

        foreach (var (method, probe) in probes)
        {
            try
            {
                await probe();
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                throw new InvalidOperationException($"{method} as tenant B failed: {e.Message}", e);
            }
            catch (Xunit.Sdk.XunitException e)
            {
                throw new Xunit.Sdk.XunitException($"{method} as tenant B: {e.Message}");
            }

            // After each of B's calls, A's whole state is as it was (checked after each so the culprit is named).
            var after = await SnapshotAsync(aAdmin, aCheck);
            before.AssertSame(after, method);
        }

        // B's writes did land, in B's tenant: the probes above were not no-ops.
        var bEntries = (await bAdmin.CallAsync<ListEntriesRequest, ListEntriesResponse>("ListEntries", new ListEntriesRequest { PageSize = 1000 })).Entries;
        Assert.True(bEntries.Count >= 10, $"tenant B has only {bEntries.Count} entries");
        output.WriteLine($"{probes.Count} probes over {all.Count} RPCs; tenant B ended with {bEntries.Count} entries of its own; tenant A unchanged");
    }

    private static async Task AssertCheckAndMoKeysOfBMayNotCallAsync(GrpcChannel channel, TenantKeys b, MethodDescriptor method)
    {
        foreach (var key in new[] { b.Check, b.Mo })
        {
            Assert.Equal(StatusCode.PermissionDenied, (await KeyedCalls.CallWithKeyAsync(channel, method, key)).StatusCode);
        }
    }

    private static MoMessage Mo(string from, string text, string id) => new()
    {
        InboundAddress = S, FromNumber = from, Text = text, CarrierMessageId = id, CarrierTime = Timestamp.FromDateTime(DateTime.UtcNow),
    };

    private static async Task<MoResult> RecordMoAsync(GrpcChannel channel, string key, string from, string text, string id)
    {
        return (await new MoRpcClient(channel).RecordMoAsync(new RecordMoRequest { Message = Mo(from, text, id) }, new GateApi(channel, key).Options())).Result;
    }

    private static string[] Lines(string csv) => csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

    private static async Task<Snapshot> SnapshotAsync(GateApi admin, GateApi check)
    {
        var verdicts = new List<CheckBatchResponse>();
        foreach (var type in new[] { SmsType.Marketing, SmsType.Notification, SmsType.Verification })
        {
            var response = await check.CheckBatchAsync(new CheckBatchRequest { Sender = S, SmsType = type, Recipients = { R }, Explain = true });
            response.Sequence = 0; // The sequence is the tenant group's head: it moves with B's writes.
            verdicts.Add(response);
        }

        var checkOptOuts = await admin.CallAsync<CheckOptOutsRequest, CheckOptOutsResponse>("CheckOptOuts", new CheckOptOutsRequest { Sender = S, Recipients = { R } });
        checkOptOuts.Sequence = 0;
        return new Snapshot(
            verdicts,
            checkOptOuts,
            (await admin.CallAsync<ListEntriesRequest, ListEntriesResponse>("ListEntries", new ListEntriesRequest { PageSize = 1000 })).Entries.ToList(),
            (await admin.CallAsync<ListHistoryRequest, ListHistoryResponse>("ListHistory", new ListHistoryRequest { PageSize = 1000 })).Records.ToList(),
            await admin.ExportAsync("ExportEntries", new ExportEntriesRequest()),
            await admin.ExportAsync("ExportHistory", new ExportHistoryRequest()),
            await admin.CallAsync<ListInboundAddressesRequest, ListInboundAddressesResponse>("ListInboundAddresses", new ListInboundAddressesRequest()),
            await admin.CallAsync<ListBlockingRulesRequest, ListBlockingRulesResponse>("ListBlockingRules", new ListBlockingRulesRequest()),
            await admin.CallAsync<GetTenantPolicyRequest, TenantPolicy>("GetTenantPolicy", new GetTenantPolicyRequest()),
            await admin.CallAsync<ListRemovalRequestsRequest, ListRemovalRequestsResponse>("ListRemovalRequests", new ListRemovalRequestsRequest()),
            await admin.CallAsync<ListReviewQueueRequest, ListReviewQueueResponse>("ListReviewQueue", new ListReviewQueueRequest()));
    }

    private sealed record Snapshot(
        List<CheckBatchResponse> Verdicts, CheckOptOutsResponse CheckOptOuts, List<Entry> Entries, List<ChangeRecord> History, string EntriesCsv, string HistoryCsv,
        ListInboundAddressesResponse Addresses, ListBlockingRulesResponse Rules, TenantPolicy Policy, ListRemovalRequestsResponse RemovalRequests, ListReviewQueueResponse ReviewQueue)
    {
        public void AssertSame(Snapshot after, string method)
        {
            Same(Verdicts, after.Verdicts, "CheckBatch verdicts");
            Same([CheckOptOuts], [after.CheckOptOuts], "CheckOptOuts");
            Same(Entries, after.Entries, "ListEntries");
            Same(History, after.History, "ListHistory");
            Assert.True(EntriesCsv == after.EntriesCsv, $"after {method} as B, A's ExportEntries changed:\n{EntriesCsv}\n→\n{after.EntriesCsv}");
            Assert.True(HistoryCsv == after.HistoryCsv, $"after {method} as B, A's ExportHistory changed");
            Same([Addresses], [after.Addresses], "ListInboundAddresses");
            Same([Rules], [after.Rules], "ListBlockingRules");
            Same([Policy], [after.Policy], "GetTenantPolicy");
            Same([RemovalRequests], [after.RemovalRequests], "ListRemovalRequests");
            Same([ReviewQueue], [after.ReviewQueue], "ListReviewQueue");

            void Same<T>(List<T> expected, List<T> actual, string what)
                where T : IMessage => Assert.True(
                    expected.Count == actual.Count && expected.Zip(actual).All(p => p.First.Equals(p.Second)),
                    $"after {method} as tenant B, tenant A's {what} changed:\n{string.Join("\n", expected)}\n→\n{string.Join("\n", actual)}");
        }
    }
}
