using OptOutGate.Contracts.V1;
using OptOutGate.Engine;
using OptOutGate.Engine.History;
using OptOutGate.Engine.Mo.Keywords;
using OptOutGate.Engine.Writes;
using OptOutGate.Engine.Text;
using Grpc.Core;
using OptOutGate.Server.Grpc;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Admin;

internal sealed partial class AdminService
{
    public override async Task<InboundAddress> PutInboundAddress(PutInboundAddressRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var address = ConfigValidation.PrepareInboundAddress(request.InboundAddress);
        var engine = RequireEngine();
        await WriteConfigAsync(engine, identity, new ConfigChange { InboundAddress = address }, delete: false, context.CancellationToken);
        return engine.Config.TryGetInboundAddress(identity.TenantId, address.Sender, out var stored)
            ? WithEffectiveKeywords(engine, identity.TenantId, stored)
            : throw AdminErrors.NotFound("inbound address " + address.Sender + " was deleted meanwhile.");
    }

    public override Task<InboundAddress> GetInboundAddress(GetInboundAddressRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        TextChecks.CheckSender(request.Sender, "sender");
        var engine = RequireEngine();
        return engine.Config.TryGetInboundAddress(identity.TenantId, request.Sender, out var stored)
            ? Task.FromResult(WithEffectiveKeywords(engine, identity.TenantId, stored))
            : throw AdminErrors.NotFound($"No inbound address '{request.Sender}'.");
    }

    public override Task<ListInboundAddressesResponse> ListInboundAddresses(ListInboundAddressesRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var pageSize = Paging.PageSize(request.PageSize);
        var fingerprint = new Fingerprint().Add(identity.TenantId).Compute();
        var after = Paging.Decode(request.PageToken, PageList.InboundAddresses, fingerprint).Key;
        var engine = RequireEngine();
        var response = new ListInboundAddressesResponse();
        var all = engine.Config.ListInboundAddresses(identity.TenantId);
        foreach (var address in all)
        {
            if (request.PageToken.Length != 0 && string.CompareOrdinal(address.Sender, after) <= 0)
            {
                continue;
            }

            if (response.InboundAddresses.Count == pageSize)
            {
                response.NextPageToken = new PageToken(0, response.InboundAddresses[^1].Sender).Encode(PageList.InboundAddresses, fingerprint);
                break;
            }

            response.InboundAddresses.Add(WithEffectiveKeywords(engine, identity.TenantId, address));
        }

        return Task.FromResult(response);
    }

    public override async Task<DeleteInboundAddressResponse> DeleteInboundAddress(DeleteInboundAddressRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        TextChecks.CheckSender(request.Sender, "sender");
        var engine = RequireEngine();
        var change = new ConfigChange { InboundAddress = new InboundAddress { Sender = request.Sender } };
        var sequence = await WriteConfigAsync(engine, identity, change, delete: true, context.CancellationToken)
            ?? throw AdminErrors.NotFound($"No inbound address '{request.Sender}'.");
        return new DeleteInboundAddressResponse { Sequence = sequence };
    }

    public override Task<TenantPolicy> GetTenantPolicy(GetTenantPolicyRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        return Task.FromResult(RequireEngine().Config.GetTenantPolicy(identity.TenantId).Clone());
    }

    public override async Task<TenantPolicy> UpdateTenantPolicy(UpdateTenantPolicyRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var engine = RequireEngine();

        // Read-modify-write of one tenant's policy: two concurrent updates of different fields can lose one (last
        // writer wins, as with any update-by-mask without an etag); each stays in the history.
        var policy = TenantPolicyUpdate.Apply(engine.Config.GetTenantPolicy(identity.TenantId), request);
        await WriteConfigAsync(engine, identity, new ConfigChange { TenantPolicy = policy }, delete: false, context.CancellationToken);
        return engine.Config.GetTenantPolicy(identity.TenantId).Clone();
    }

    public override async Task<BlockingRule> PutBlockingRule(PutBlockingRuleRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var rule = request.Rule ?? throw AdminErrors.InvalidArgument("rule is required.");
        CheckRuleSender(rule.Sender, "rule.sender");
        TextChecks.CheckApp(rule.App, "rule.app");
        var stored = new BlockingRule { Sender = rule.Sender, App = rule.App };
        stored.BlockedSmsTypes.AddRange(ConfigValidation.BlockedTypes(rule.BlockedSmsTypes, "rule.blocked_sms_types"));
        var engine = RequireEngine();
        _ = await WriteConfigAsync(engine, identity, new ConfigChange { BlockingRule = stored }, delete: false, context.CancellationToken)
            ?? throw AdminErrors.NotFound($"No inbound address '{rule.Sender}': create it before its blocking rules.");
        return engine.Config.TryGetBlockingRule(identity.TenantId, rule.Sender, rule.App, out var applied)
            ? applied.Clone()
            : throw AdminErrors.NotFound("The blocking rule was deleted meanwhile.");
    }

    public override Task<ListBlockingRulesResponse> ListBlockingRules(ListBlockingRulesRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var pageSize = Paging.PageSize(request.PageSize);
        if (TextLimits.Exceeds(request.Sender, TextLimits.MaxSender))
        {
            throw AdminErrors.InvalidArgument("sender: at most 32 characters.");
        }

        var fingerprint = new Fingerprint().Add(identity.TenantId).Add(request.Sender).Compute();
        var token = Paging.Decode(request.PageToken, PageList.BlockingRules, fingerprint);
        var engine = RequireEngine();
        var response = new ListBlockingRulesResponse();
        foreach (var rule in engine.Config.ListBlockingRules(identity.TenantId, request.Sender))
        {
            var key = rule.Sender + "\n" + rule.App;
            if (request.PageToken.Length != 0 && string.CompareOrdinal(key, token.Key) <= 0)
            {
                continue;
            }

            if (response.Rules.Count == pageSize)
            {
                var last = response.Rules[^1];
                response.NextPageToken = new PageToken(0, last.Sender + "\n" + last.App).Encode(PageList.BlockingRules, fingerprint);
                break;
            }

            response.Rules.Add(rule.Clone());
        }

        return Task.FromResult(response);
    }

    public override async Task<DeleteBlockingRuleResponse> DeleteBlockingRule(DeleteBlockingRuleRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        CheckRuleSender(request.Sender, "sender");
        TextChecks.CheckApp(request.App, "app");
        var engine = RequireEngine();
        var change = new ConfigChange { BlockingRule = new BlockingRule { Sender = request.Sender, App = request.App } };
        var sequence = await WriteConfigAsync(engine, identity, change, delete: true, context.CancellationToken)
            ?? throw AdminErrors.NotFound($"No blocking rule for sender '{request.Sender}' and app '{request.App}'.");
        return new DeleteBlockingRuleResponse { Sequence = sequence };
    }

    /// <summary>A rule's sender: an inbound address, or empty for the tenant's default rule of the app.</summary>
    private static void CheckRuleSender(string sender, string field)
    {
        if (sender.Length != 0)
        {
            TextChecks.CheckSender(sender, field);
        }
    }

    /// <summary>Writes one configuration change; its sequence, or null when the pipeline answered NOT_FOUND.</summary>
    private static async Task<ulong?> WriteConfigAsync(GateEngine engine, CallIdentity identity, ConfigChange change, bool delete, CancellationToken ct)
    {
        var result = await WriteAsync(engine, new ConfigWriteRequest
        {
            TenantId = identity.TenantId,
            ActorKeyId = identity.KeyId,
            Change = change,
            Delete = delete,
        }, ct);
        return result.Items[0].Outcome == WriteOutcome.Written ? result.Sequence : null;
    }

    private static InboundAddress WithEffectiveKeywords(GateEngine engine, string tenant, InboundAddress stored)
    {
        var address = stored.Clone();
        var effective = address.Keywords.Count != 0 ? (IEnumerable<Keyword>)address.Keywords
            : engine.Config.GetTenantPolicy(tenant).Keywords is { Count: > 0 } tenantKeywords ? tenantKeywords
            : KeywordSet.DefaultKeywordProtos();
        foreach (var keyword in effective)
        {
            address.EffectiveKeywords.Add(keyword.Clone());
        }

        return address;
    }
}
