using Google.Protobuf.Collections;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Writes;
using Grpc.Core;
using OptOutGate.Server.Grpc;
using OptOutGate.Server.Tenancy;
using IndexEntryKind = OptOutGate.Engine.Storage.Index.EntryKind;

namespace OptOutGate.Server.Admin;

// ReportProviderError: an opt-out with source PROVIDER_ERROR at (sender, recipient).
internal sealed partial class AdminService
{
    public override async Task<ReportProviderErrorResponse> ReportProviderError(ReportProviderErrorRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        string name;
        if (request.Provider == Provider.Other)
        {
            if (request.ProviderName.Length == 0 || request.ErrorCode.Length == 0)
            {
                throw Invalid("provider_name and error_code: required for PROVIDER_OTHER.");
            }

            name = request.ProviderName;
        }
        else if (ProviderCodes.TryGet(request.Provider, out var code, out var displayName))
        {
            if (!string.Equals(request.ErrorCode.Trim(), code, StringComparison.Ordinal))
            {
                throw Invalid($"error_code: {displayName}'s opt-out error is {code}; other errors are not opt-outs.");
            }

            name = request.ProviderName.Length != 0 ? request.ProviderName : displayName;
        }
        else
        {
            throw Invalid("provider: required.");
        }

        TextChecks.CheckLength(name, 100, "provider_name");
        TextChecks.CheckLength(request.ErrorCode, 100, "error_code");
        TextChecks.CheckReason(request.ProviderMessage, "provider_message", required: false);
        if (!NumberingPlan.TryValidate(request.Recipient, out _))
        {
            throw Invalid("recipient: not E.164, or not a number any numbering plan allows.");
        }

        TextChecks.CheckSender(request.Sender, "sender");
        TextChecks.CheckApp(request.App, "app");
        var (engine, _) = await moHost.RequireAsync(context.CancellationToken);
        var recipients = new[] { request.Recipient };
        var write = new EntryWriteRequest
        {
            TenantId = identity.TenantId,
            ActorKeyId = identity.KeyId,
            Operation = EntryWriteOperation.Add,
            Kind = IndexEntryKind.OptOut,
            Scope = Scope.Sender,
            Sender = request.Sender,
            Recipients = recipients,
            Source = Source.ProviderError,
            Reason = request.ProviderMessage,
            SourceName = name,
            ProviderErrorCode = request.ErrorCode.Trim(),
            RecordedApp = request.App,
            EventTime = request.EventTime?.ToDateTimeOffset(),
        };
        WriteResult result;
        try
        {
            result = await engine.Writes.WriteAsync(write, context.CancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException and not RpcException)
        {
            throw StatusMapping.ForWriteFailure(e);
        }

        var results = new RepeatedField<RecipientResult>();
        await RecipientResults.Fill(results, engine, recipients, result, IndexEntryKind.OptOut, context.CancellationToken);
        return new ReportProviderErrorResponse { Result = results[0] };
    }
}
