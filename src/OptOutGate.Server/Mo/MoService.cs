using Google.Protobuf.Reflection;
using OptOutGate.Contracts.V1;
using OptOutGate.Engine.Mo;
using OptOutGate.Rpc;
using OptOutGate.Rpc.Server;
using OptOutGate.Rpc.Server.Services;
using OptOutGate.Server.Grpc;
using OptOutGate.Server.Readiness;
using OptOutGate.Server.Tenancy;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace OptOutGate.Server.Mo;

/// <summary>
/// optoutgate.v1.Mo: RecordMo and StreamMo over <see cref="OptOutGate.Engine.Mo.MoProcessor"/>. The tenant is the call's
/// <see cref="CallIdentity"/>; every result is sent only once the message's record is durable (mo.proto).
/// </summary>
internal sealed class MoService(MoHost host, IHostApplicationLifetime lifetime)
{
    public static ServiceDefinition CreateDefinition(MoService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var descriptor = MoReflection.Descriptor.FindTypeByName<ServiceDescriptor>("Mo");
        return ServiceDefinition.CreateBuilder(descriptor)
            .AddUnary<RecordMoRequest, RecordMoResponse>(descriptor.FindMethodByName("RecordMo"), service.RecordMoAsync)
            .AddDuplexStreaming<StreamMoRequest, StreamMoResponse>(descriptor.FindMethodByName("StreamMo"), service.StreamMoAsync)
            .Build();
    }

    public async Task<RecordMoResponse> RecordMoAsync(RecordMoRequest request, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        if (request.Message is null)
        {
            throw new RpcException(StatusCode.InvalidArgument, "message: required.");
        }

        var (_, processor) = await host.RequireAsync(context.CancellationToken);
        var outcome = await processor.RecordAsync(identity.TenantId, identity.KeyId, request.Message, context.CancellationToken);
        if (outcome.Failure is { } failure)
        {
            throw EngineErrors.Exception(failure);
        }

        return new RecordMoResponse { Result = outcome.Result };
    }

    public Task StreamMoAsync(IAsyncStreamReader<StreamMoRequest> requests, IServerStreamWriter<StreamMoResponse> responses, ServerCallContext context)
    {
        var identity = CallIdentity.Of(context);
        return new MoStreamSession(host, identity, responses, context.CancellationToken, lifetime.ApplicationStopping).RunAsync(requests);
    }
}
