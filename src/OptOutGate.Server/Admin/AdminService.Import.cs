using OptOutGate.Contracts.V1;
using Grpc.Core;
using OptOutGate.Server.Grpc;
using OptOutGate.Server.Tenancy;

namespace OptOutGate.Server.Admin;

// ImportOptOuts: client streaming, options first, then lines; one response once the client closed and every line is done.
internal sealed partial class AdminService
{
    public override async Task<ImportOptOutsResponse> ImportOptOuts(IAsyncStreamReader<ImportOptOutsRequest> requests, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        var ct = context.CancellationToken;
        if (!await requests.MoveNext(ct))
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
