using System.IO.Pipelines;
using Google.Protobuf;

namespace OptOutGate.Rpc.Server.Calls;

/// <summary>The request stream of a client-streaming or duplex call; one read at a time.</summary>
internal sealed class RequestStreamReader<TRequest> : IAsyncStreamReader<TRequest>
    where TRequest : class, IMessage<TRequest>
{
    private static readonly Action<object?> s_cancelRead = static reader =>
    {
        try
        {
            ((PipeReader)reader!).CancelPendingRead();
        }
#pragma warning disable CA1031 // This runs inside the token's Cancel(): anything thrown would escape into whoever cancelled.
        catch (Exception)
#pragma warning restore CA1031
        {
            // Kestrel's request pipe rethrows its abort reason once the client reset the stream; the pending read is
            // failing with that same error already. Escaping, it surfaced in Kestrel's RequestAborted callback as an
            // "unhandled exception thrown by the application" on every client cancel of a streaming call.
        }
    };

    private readonly RpcServerCallContext _call;
    private readonly MessageParser<TRequest> _parser;
    private bool _ended;

    public RequestStreamReader(RpcServerCallContext call, MessageParser<TRequest> parser)
    {
        _call = call;
        _parser = parser;
    }

    public TRequest Current { get; private set; } = null!;

    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_ended)
        {
            return false;
        }

        var reader = _call.HttpContext.Request.BodyReader;
        var callToken = _call.CancellationToken;

        // The caller's own token interrupts a pending read without linking token sources.
        // Only a token other than the call's own needs the registration: the read already observes the call's token,
        // and cancelling the pending read from inside RequestAborted's callbacks would run the handler's continuation there.
        using var registration = cancellationToken.CanBeCanceled && cancellationToken != callToken
            ? cancellationToken.UnsafeRegister(s_cancelRead, reader)
            : default;
        while (true)
        {
            var result = await RequestMessageReader.ReadAsync(_call, reader, callToken);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var examined = buffer.End;
            try
            {
                if (result.IsCanceled)
                {
                    throw new OperationCanceledException(cancellationToken.IsCancellationRequested ? cancellationToken : callToken);
                }

                if (MessageFraming.TryReadMessage(ref buffer, _call.Services.MaxReceiveMessageSize, out var body, out var compressed))
                {
                    Current = RequestMessageReader.Parse(_call, _parser, body, compressed);

                    // Examined only up to here: the rest of the buffer may already hold the next message.
                    consumed = buffer.Start;
                    examined = consumed;
                    return true;
                }

                if (result.IsCompleted)
                {
                    _ended = true;
                    if (!buffer.IsEmpty)
                    {
                        throw new RpcException(RpcStatuses.IncompleteMessage);
                    }

                    return false;
                }
            }
            finally
            {
                RequestMessageReader.AdvanceTo(_call, reader, consumed, examined);
            }
        }
    }
}
