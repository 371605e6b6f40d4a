using Google.Protobuf;
using OptOutGate.Rpc.Server.Services;

namespace OptOutGate.Rpc.Server.Calls;

internal sealed class UnaryCallHandler<TRequest, TResponse> : RpcCallHandler
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>
{
    private readonly UnaryServerMethod<TRequest, TResponse> _handler;

    public UnaryCallHandler(ServerMethodDefinition method, RpcCallServices services, UnaryServerMethod<TRequest, TResponse> handler)
        : base(method, services)
    {
        _handler = handler;
    }

    protected override bool StreamsRequests => false;

    protected override async Task InvokeAsync(RpcServerCallContext call)
    {
        var request = await RequestMessageReader.ReadSingleAsync(call, ServerMethodDefinition<TRequest, TResponse>.RequestParser);
        var response = await _handler(request, call);
        call.WriteFinalResponse(response);
    }
}
