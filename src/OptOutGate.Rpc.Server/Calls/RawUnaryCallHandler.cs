using System.Buffers;
using Google.Protobuf;
using OptOutGate.Rpc.Server.Services;

namespace OptOutGate.Rpc.Server.Calls;

/// <summary>
/// A unary call whose handler decodes the request bytes itself (<see cref="RawUnaryServerMethod{TResponse}"/>). The
/// message is read under the same rules as <see cref="UnaryCallHandler{TRequest,TResponse}"/> (one message, nothing
/// after it, receive limit, compression); its body is copied into a pooled buffer that lives until the handler's task
/// completes.
/// </summary>
internal sealed class RawUnaryCallHandler<TResponse> : RpcCallHandler
    where TResponse : class, IMessage<TResponse>
{
    private readonly RawUnaryServerMethod<TResponse> _handler;

    public RawUnaryCallHandler(ServerMethodDefinition method, RpcCallServices services, RawUnaryServerMethod<TResponse> handler)
        : base(method, services)
    {
        _handler = handler;
    }

    protected override bool StreamsRequests => false;

    protected override async Task InvokeAsync(RpcServerCallContext call)
    {
        var (buffer, length) = await RequestMessageReader.ReadSingleBodyAsync(call);
        try
        {
            var response = await _handler(new ReadOnlySequence<byte>(buffer, 0, length), call);
            call.WriteFinalResponse(response);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
