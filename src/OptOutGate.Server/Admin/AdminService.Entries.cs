using Google.Protobuf.Collections;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.History;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.Index;
using OptOutGate.Engine.Writes;
using Grpc.Core;
using OptOutGate.Server.Grpc;
using OptOutGate.Server.Tenancy;
using IndexEntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Server.Admin;

internal sealed partial class AdminService
{
    public override async Task<AddOptOutsResponse> AddOptOuts(AddOptOutsRequest request, ServerCallContext context)
    {
        TextChecks.CheckReason(request.Reason, "reason", required: false);
        var response = new AddOptOutsResponse();
        response.Sequence = await WriteEntriesAsync(context, request.Scope, request.Sender, request.App, request.Recipients,
            IndexEntryKind.OptOut, EntryWriteOperation.Add, Source.Api, request.Reason, 0, @override: false, response.Results);
        return response;
    }

    public override async Task<RemoveOptOutsResponse> RemoveOptOuts(RemoveOptOutsRequest request, ServerCallContext context)
    {
        TextChecks.CheckReason(request.Reason, "reason", required: request.Override);
        var response = new RemoveOptOutsResponse();
        response.Sequence = await WriteEntriesAsync(context, request.Scope, request.Sender, request.App, request.Recipients,
            IndexEntryKind.OptOut, EntryWriteOperation.Remove, Source.Api, request.Reason, 0, request.Override, response.Results);
        return response;
    }

    public override async Task<AddSuppressionsResponse> AddSuppressions(AddSuppressionsRequest request, ServerCallContext context)
    {
        TextChecks.CheckReason(request.Reason, "reason", required: true);
        var mask = EntryRequestValidation.SmsTypeMask(request.SmsTypes, allowConfirmation: true);
        var response = new AddSuppressionsResponse();
        response.Sequence = await WriteEntriesAsync(context, request.Scope, request.Sender, request.App, request.Recipients,
            IndexEntryKind.Suppression, EntryWriteOperation.Add, Source.Admin, request.Reason, mask, @override: false, response.Results);
        return response;
    }

    public override async Task<RemoveSuppressionsResponse> RemoveSuppressions(RemoveSuppressionsRequest request, ServerCallContext context)
    {
        TextChecks.CheckReason(request.Reason, "reason", required: true);
        var response = new RemoveSuppressionsResponse();
        response.Sequence = await WriteEntriesAsync(context, request.Scope, request.Sender, request.App, request.Recipients,
            IndexEntryKind.Suppression, EntryWriteOperation.Remove, Source.Admin, request.Reason, 0, @override: false, response.Results);
        return response;
    }

    public override async Task<AddBypassesResponse> AddBypasses(AddBypassesRequest request, ServerCallContext context)
    {
        TextChecks.CheckReason(request.Reason, "reason", required: true);
        var mask = EntryRequestValidation.SmsTypeMask(request.SmsTypes, allowConfirmation: false);
        var response = new AddBypassesResponse();
        response.Sequence = await WriteEntriesAsync(context, request.Scope, request.Sender, request.App, request.Recipients,
            IndexEntryKind.Bypass, EntryWriteOperation.Add, Source.Admin, request.Reason, mask, @override: false, response.Results);
        await BypassWarnings.AddAsync(RequireEngine(), CallIdentity.Of(context).TenantId, request.Scope, request.Sender, request.App, mask, response.Results, context.CancellationToken);
        return response;
    }

    public override async Task<RemoveBypassesResponse> RemoveBypasses(RemoveBypassesRequest request, ServerCallContext context)
    {
        TextChecks.CheckReason(request.Reason, "reason", required: false);
        var response = new RemoveBypassesResponse();
        response.Sequence = await WriteEntriesAsync(context, request.Scope, request.Sender, request.App, request.Recipients,
            IndexEntryKind.Bypass, EntryWriteOperation.Remove, Source.Admin, request.Reason, 0, @override: false, response.Results);
        return response;
    }

    public override async Task<CheckOptOutsResponse> CheckOptOuts(CheckOptOutsRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        TextChecks.CheckSender(request.Sender, "sender");
        TextChecks.CheckApp(request.App, "app");
        EntryRequestValidation.CheckRecipients(request.Recipients);
        var engine = RequireEngine();
        var ct = context.CancellationToken;
        var response = new CheckOptOutsResponse { Sequence = engine.Applier.AppliedSequence };
        var scopes = engine.Scopes;
        var hasTenant = scopes.TryGetTenantId(identity.TenantId, out var tenantId);
        var tenantScope = 0u;
        var senderScope = 0u;
        var appScope = 0u;
        var hasTenantScope = hasTenant && scopes.TryGetScope(tenantId, "", "", out tenantScope);
        var hasSenderScope = hasTenant && scopes.TryGetScope(tenantId, request.Sender, "", out senderScope);
        var hasAppScope = hasTenant && request.App.Length != 0 && scopes.TryGetScope(tenantId, request.Sender, request.App, out appScope);
        response.Results.Capacity = request.Recipients.Count;
        foreach (var text in request.Recipients)
        {
            var result = new RecipientResult { Recipient = text };
            if (!E164.TryParseValid(text, NumberingPlan.Table, out var recipient))
            {
                result.Outcome = RecipientOutcome.InvalidRecipient;
                result.Message = RecipientResults.InvalidRecipientMessage;
            }
            else if ((hasTenantScope && engine.Index.TryGet(EntryKey.Create(IndexEntryKind.OptOut, recipient, tenantScope, tenantId), out var value)
                    && !LiftedAtSender(engine, recipient, tenantId, hasSenderScope ? senderScope : 0, value))
                || (hasAppScope && engine.Index.TryGet(EntryKey.Create(IndexEntryKind.OptOut, recipient, appScope, tenantId), out value))
                || (hasSenderScope && engine.Index.TryGet(EntryKey.Create(IndexEntryKind.OptOut, recipient, senderScope, tenantId), out value)))
            {
                result.Outcome = RecipientOutcome.Present;
                result.Sequence = value.Sequence;
                if (await DamagedRecordNote.ReadAsync(engine.Log, value.Sequence, result, ct) is { } entry)
                {
                    result.Entry = EntryViews.FromRecord(IndexEntryKind.OptOut, entry.Record, value.SmsTypeMask);
                }
            }
            else
            {
                result.Outcome = RecipientOutcome.NotPresent;
            }

            response.Results.Add(result);
        }

        return response;
    }

    /// <summary>The recipient opted in again at this sender after the tenant-wide opt-out (the same rule as CheckBatch).</summary>
    private static bool LiftedAtSender(OptOutGate.Engine.GateEngine engine, ulong recipient, uint tenantId, uint senderScope, EntryValue tenantWide) =>
        senderScope != 0
        && engine.Index.TryGet(EntryKey.Create(IndexEntryKind.AddressOptIn, recipient, senderScope, tenantId), out var optIn)
        && optIn.Sequence > tenantWide.Sequence;

    /// <summary>Validates the target and count, writes one entry request, and fills the per-recipient results; the write's sequence.</summary>
    private async Task<ulong> WriteEntriesAsync(
        ServerCallContext context,
        Scope scope,
        string sender,
        string app,
        RepeatedField<string> recipients,
        IndexEntryKind kind,
        EntryWriteOperation operation,
        Source source,
        string reason,
        byte mask,
        bool @override,
        RepeatedField<RecipientResult> results)
    {
        var identity = CallIdentity.Of(context);
        EntryRequestValidation.CheckTarget(scope, sender, app);
        EntryRequestValidation.CheckRecipients(recipients);
        var engine = RequireEngine();
        var write = await WriteAsync(engine, new EntryWriteRequest
        {
            TenantId = identity.TenantId,
            ActorKeyId = identity.KeyId,
            Operation = operation,
            Kind = kind,
            Scope = scope,
            Sender = sender,
            App = app,
            Recipients = recipients,
            SmsTypeMask = mask,
            Source = source,
            Reason = reason,
            Override = @override,
        }, context.CancellationToken);
        await RecipientResults.Fill(results, engine, recipients, write, kind, context.CancellationToken);
        return write.Sequence;
    }
}
