using Google.Protobuf;
using OptOutGate.Rpc.Server.Services;

namespace OptOutGate.Rpc.Server.Calls;

internal sealed class ServerStreamingCallHandler<TRequest, TResponse> : RpcCallHandler
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>
{
    private readonly ServerStreamingServerMethod<TRequest, TResponse> _handler;

    public ServerStreamingCallHandler(ServerMethodDefinition method, RpcCallServices services, ServerStreamingServerMethod<TRequest, TResponse> handler)
        : base(method, services)
    {
        _handler = handler;
    }

    protected override bool StreamsRequests => false;

    protected override async Task InvokeAsync(RpcServerCallContext call)
    {
        var request = await RequestMessageReader.ReadSingleAsync(call, ServerMethodDefinition<TRequest, TResponse>.RequestParser);
        await _handler(request, new ResponseStreamWriter<TResponse>(call), call);
    }
}
