using Google.Protobuf;
using OptOutGate.Rpc.Server.Services;

namespace OptOutGate.Rpc.Server.Calls;

internal sealed class DuplexStreamingCallHandler<TRequest, TResponse> : RpcCallHandler
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>
{
    private readonly DuplexStreamingServerMethod<TRequest, TResponse> _handler;

    public DuplexStreamingCallHandler(ServerMethodDefinition method, RpcCallServices services, DuplexStreamingServerMethod<TRequest, TResponse> handler)
        : base(method, services)
    {
        _handler = handler;
    }

    protected override bool StreamsRequests => true;

    protected override Task InvokeAsync(RpcServerCallContext call) =>
        _handler(
            new RequestStreamReader<TRequest>(call, ServerMethodDefinition<TRequest, TResponse>.RequestParser),
            new ResponseStreamWriter<TResponse>(call),
            call);
}
