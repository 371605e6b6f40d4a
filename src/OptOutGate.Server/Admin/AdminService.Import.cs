using OptOutGate.Contracts.V1;
using Grpc.Core;
using OptOutGate.Server.Grpc;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Admin;

// ImportOptOuts and ImportOptOutsWithDiff: client streaming, options first, then lines; ImportOptOuts answers once when
// the client closed and every line is done, ImportOptOutsWithDiff streams every line's outcome as it goes, then the totals.
internal sealed partial class AdminService
{
    public override async Task<ImportOptOutsResponse> ImportOptOuts(IAsyncStreamReader<ImportOptOutsRequest> requests, ServerCallContext context)
    {
        var first = await FirstImportMessageAsync(requests, context.CancellationToken);
        if (first.Options.DiffFormat != ImportDiffFormat.Unspecified)
        {
            throw Invalid("options.diff_format: only ImportOptOutsWithDiff streams a diff; ImportOptOuts answers with the totals.");
        }

        return await ImportAsync(requests, first, diff: null, context);
    }

    public override async Task ImportOptOutsWithDiff(IAsyncStreamReader<ImportOptOutsRequest> requests, IServerStreamWriter<ImportDiffResponse> responses, ServerCallContext context)
    {
        var first = await FirstImportMessageAsync(requests, context.CancellationToken);
        var diff = new ImportDiffWriter(responses, first.Options.DiffFormat);
        var summary = await ImportAsync(requests, first, diff, context);
        await diff.CompleteAsync(summary, context.CancellationToken);
    }

    private static async Task<ImportOptOutsRequest> FirstImportMessageAsync(IAsyncStreamReader<ImportOptOutsRequest> requests, CancellationToken ct)
    {
        if (!await requests.MoveNext(ct))
        {
            throw Invalid("options: required in the first message (the stream was empty).");
        }

        var first = requests.Current;
        ImportSession.ValidateOptions(first.Options);
        return first;
    }

    private async Task<ImportOptOutsResponse> ImportAsync(IAsyncStreamReader<ImportOptOutsRequest> requests, ImportOptOutsRequest first, ImportDiffWriter? diff, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var ct = context.CancellationToken;
        var (engine, _) = await moHost.RequireAsync(ct);
        using var session = new ImportSession(engine, identity.TenantId, identity.KeyId, first.Options, time.GetUtcNow(), diff);
        ImportOptOutsResponse response;
        try
        {
            await session.AddAsync(first.Lines, ct);
            while (await requests.MoveNext(ct))
            {
                if (requests.Current.Options is not null)
                {
                    throw Invalid("options: only in the first message.");
                }

                await session.AddAsync(requests.Current.Lines, ct);
            }

            response = await session.FinishAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException and not RpcException)
        {
            throw StatusMapping.ForWriteFailure(e);
        }

        moMetrics.Imported((long)response.Added, (long)response.AlreadyPresent, (long)response.Invalid, response.DryRun);
        return response;
    }
}
