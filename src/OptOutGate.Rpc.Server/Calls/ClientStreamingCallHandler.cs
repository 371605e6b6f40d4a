using Google.Protobuf;
using OptOutGate.Rpc.Server.Services;

namespace OptOutGate.Rpc.Server.Calls;

internal sealed class ClientStreamingCallHandler<TRequest, TResponse> : RpcCallHandler
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>
{
    private readonly ClientStreamingServerMethod<TRequest, TResponse> _handler;

    public ClientStreamingCallHandler(ServerMethodDefinition method, RpcCallServices services, ClientStreamingServerMethod<TRequest, TResponse> handler)
        : base(method, services)
    {
        _handler = handler;
    }

    protected override bool StreamsRequests => true;

    protected override async Task InvokeAsync(RpcServerCallContext call)
    {
        var requests = new RequestStreamReader<TRequest>(call, ServerMethodDefinition<TRequest, TResponse>.RequestParser);
        var response = await _handler(requests, call);
        call.WriteFinalResponse(response);
    }
}
