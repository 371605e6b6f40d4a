using OptOutGate.Contracts.V1;
using OptOutGate.Rpc;
using OptOutGate.Rpc.Server;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Admin;

// ImportOptOuts: client streaming, options first, then lines; one response once the client closed and every line is done.
internal sealed partial class AdminService
{
    public async Task<ImportOptOutsResponse> ImportOptOutsAsync(IAsyncStreamReader<ImportOptOutsRequest> requests, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var ct = context.CancellationToken;
        if (!await requests.MoveNextAsync(ct))
        {
            throw Invalid("options: required in the first message (the stream was empty).");
        }

        var first = requests.Current;
        ImportSession.ValidateOptions(first.Options);
        var (engine, _) = await moHost.RequireAsync(ct);
        var session = new ImportSession(engine, identity.TenantId, identity.KeyId, first.Options, time.GetUtcNow());
        ImportOptOutsResponse response;
        try
        {
            await session.AddAsync(first.Lines, ct);
            while (await requests.MoveNextAsync(ct))
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
            throw AdminErrors.FromWriteFailure(e);
        }

        moMetrics.Imported((long)response.Added, (long)response.AlreadyPresent, (long)response.Invalid, response.DryRun);
        return response;
    }
}
