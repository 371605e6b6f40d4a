using System.Buffers;
using OptOutGate.Rpc.Server.Services;

namespace OptOutGate.Rpc.Server.Calls;

/// <summary>
/// A unary call whose handler decodes the request bytes and encodes the response itself
/// (<see cref="RawUnaryServerMethod"/>). The message is read under the same rules as
/// <see cref="UnaryCallHandler{TRequest,TResponse}"/> (one message, nothing after it, receive limit, compression); its
/// body is copied into a pooled buffer that lives until the handler's task completes. The response is framed like any
/// message and then disposed.
/// </summary>
internal sealed class RawUnaryCallHandler : RpcCallHandler
{
    private readonly RawUnaryServerMethod _handler;

    public RawUnaryCallHandler(ServerMethodDefinition method, RpcCallServices services, RawUnaryServerMethod handler)
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
            using var response = await _handler(new ReadOnlySequence<byte>(buffer, 0, length), call);
            call.WriteFinalResponse(response);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
