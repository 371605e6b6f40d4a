using Google.Protobuf;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Decisions;
using OptOutGate.Engine.History;
using OptOutGate.Engine.Recipients;
using OptOutGate.Engine.Storage.State;
using Grpc.Core;
using OptOutGate.Server.Grpc;
using OptOutGate.Server.Tenancy;
using ContractNames = OptOutGate.Engine.Text.ContractNames;

namespace OptOutGate.Server.Admin;

internal sealed partial class AdminService
{
    public override async Task<ListHistoryResponse> ListHistory(ListHistoryRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var query = HistoryQueryOf(identity, request.Filter);
        var pageSize = Paging.PageSize(request.PageSize);
        var fingerprint = query.Fingerprint(request.NewestFirst);
        var position = Paging.Decode(request.PageToken, PageList.History, fingerprint).Position;
        if (request.PageToken.Length != 0 && position == 0)
        {
            throw AdminErrors.InvalidArgument("page_token names no position.");
        }

        var engine = RequireEngine();
        var page = await HistoryReader.For(engine).ReadPageAsync(query, position, pageSize, request.NewestFirst, context.CancellationToken);
        var response = new ListHistoryResponse();
        foreach (var record in page.Records)
        {
            response.Records.Add(Webhooks.WebhookRedaction.Redact(record));
        }
        if (page.Next != 0)
        {
            response.NextPageToken = new PageToken(page.Next, "").Encode(PageList.History, fingerprint);
        }

        return response;
    }

    public override async Task ExportHistory(ExportHistoryRequest request, IServerStreamWriter<CsvChunk> responses, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var query = HistoryQueryOf(identity, request.Filter);
        var reader = HistoryReader.For(RequireEngine());
        var ct = context.CancellationToken;
        var upTo = reader.AppliedSequence;
        var csv = NewCsv(responses, upTo);
        HistoryCsv.WriteHeader(csv);
        await foreach (var record in reader.ReadAllAsync(query, upTo, ct))
        {
            HistoryCsv.WriteRow(csv, record);
            await csv.FlushFullChunksAsync(ct);
        }

        await csv.CompleteAsync(ct);
    }

    public override async Task<CheckAtTimeResponse> CheckAtTime(CheckAtTimeRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        if (!E164.TryParse(request.Recipient, out var recipient))
        {
            throw AdminErrors.InvalidArgument("recipient is required and must be E.164 ('+' and 8-15 digits, no leading 0).");
        }

        TextChecks.CheckSender(request.Sender, "sender");
        TextChecks.CheckApp(request.App, "app");
        if (request.SmsType is <= SmsType.Unspecified or > SmsType.Confirmation)
        {
            throw AdminErrors.InvalidArgument("sms_type is required (MARKETING, NOTIFICATION, VERIFICATION or CONFIRMATION).");
        }

        var engine = RequireEngine();
        var time = TimeOf(request);
        var check = PointInTimeCheck.For(engine);
        if (!await check.IsWithinHistoryAsync(time, context.CancellationToken))
        {
            throw AdminErrors.OutOfRange("time is before the oldest history record this node still holds.");
        }

        var result = await check.CheckAsync(identity.TenantId, recipient, request.Sender, request.App, request.SmsType, time, context.CancellationToken);
        var response = new CheckAtTimeResponse { Verdict = result.Verdict, Sequence = result.Sequence };
        if (result.Verdict != Verdict.Allowed)
        {
            response.Explanation = Explain(result, request);
        }

        return response;
    }

    private DateTime TimeOf(CheckAtTimeRequest request)
    {
        if (request.Time is null)
        {
            throw AdminErrors.InvalidArgument("time is required.");
        }

        DateTime asked;
        try
        {
            asked = request.Time.ToDateTime();
        }
        catch (InvalidOperationException)
        {
            throw AdminErrors.InvalidArgument("time is not a valid timestamp.");
        }

        // A little slack for the caller's clock; a question about the future has no answer in the history.
        return asked > time.GetUtcNow().UtcDateTime.AddMinutes(1) ? throw AdminErrors.InvalidArgument("time is in the future.") : asked;
    }

    private static Explanation Explain(PointInTimeResult result, CheckAtTimeRequest request)
    {
        var explanation = new Explanation { Verdict = result.Verdict, Index = 0 };
        if (result.Decider is { } decider)
        {
            explanation.Entry = decider;
        }

        if (result.Bypassed is { } bypassed)
        {
            explanation.BypassedEntry = bypassed;
        }

        var optOut = result.Verdict is Verdict.BlockedOptedOut or Verdict.BlockedTenantOptOut
            || (result.Verdict == Verdict.AllowedBypass && result.Bypassed?.Kind == EntryKind.OptOut);
        if (optOut)
        {
            explanation.BlockedSmsTypes.AddRange(SmsTypeMasks.ToTypes(result.BlockedMask));
            explanation.DefaultBlockingRule = result.RuleSource == RuleSource.Default;
        }

        // The entry's own keyword and date (common.proto's example), and the time asked about.
        var at = request.Time.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var type = ContractNames.Full(request.SmsType);
        explanation.Reason = result.Verdict switch
        {
            Verdict.BlockedSuppressed => $"{result.DeciderText}; the suppression covered {type} at {at}",
            Verdict.BlockedTenantOptOut or Verdict.BlockedOptedOut => $"{result.DeciderText}; the blocking rule covered {type} at {at}",
            Verdict.AllowedBypass => $"{result.DeciderText}: let {type} through at {at}; {result.BypassedText}",
            _ => "",
        };
        if (optOut && result.RuleSource == RuleSource.Current)
        {
            explanation.Reason += " (blocking rule as of now: the sender's history on this node is too long to search, or does not reach back that far)";
        }

        return explanation;
    }

    private static HistoryQuery HistoryQueryOf(CallIdentity identity, HistoryFilter? filter) =>
        HistoryQuery.TryCreate(identity.TenantId, filter, out var query, out var error) ? query : throw AdminErrors.InvalidArgument(error);

    private static CsvChunkWriter NewCsv(IServerStreamWriter<CsvChunk> responses, ulong sequence) =>
        new((data, ct) => responses.WriteAsync(new CsvChunk { Data = ByteString.CopyFrom(data.Span), Sequence = sequence }, ct));
}
