using Grpc.Core;
using OptOutGate.Contracts.V1;
using OptOutGate.Server.Grpc;
using OptOutGate.Server.Readiness;
using OptOutGate.Server.Tenancy;
using MoContract = OptOutGate.Contracts.V1.Mo;

namespace OptOutGate.Server.Mo;

/// <summary>
/// optoutgate.v1.Mo: RecordMo and StreamMo over <see cref="OptOutGate.Engine.Mo.MoProcessor"/>. The tenant is the call's
/// <see cref="CallIdentity"/>; every result is sent only once the message's record is durable (mo.proto).
/// </summary>
internal sealed class MoService(MoHost host, IHostApplicationLifetime lifetime) : MoContract.MoBase
{
    public override async Task<RecordMoResponse> RecordMo(RecordMoRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var identity = CallIdentity.Of(context);
        if (request.Message is null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "message: required."));
        }

        var (_, processor) = await host.RequireAsync(context.CancellationToken);
        var outcome = await processor.RecordAsync(identity.TenantId, identity.KeyId, request.Message, context.CancellationToken);
        if (outcome.Failure is { } failure)
        {
            throw StatusMapping.Exception(failure);
        }

        return new RecordMoResponse { Result = outcome.Result };
    }

    public override Task StreamMo(IAsyncStreamReader<StreamMoRequest> requestStream, IServerStreamWriter<StreamMoResponse> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var identity = CallIdentity.Of(context);
        return new MoStreamSession(host, identity, responseStream, context.CancellationToken, lifetime.ApplicationStopping).RunAsync(requestStream);
    }
}
