using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;

namespace OptOutGate.Rpc.Server.Calls;

/// <summary>Reading request messages from the request body pipe, parsing straight from the pipe's buffers.</summary>
internal static class RequestMessageReader
{
    /// <summary>
    /// Reads the one request of a unary or server-streaming call and verifies the stream then ends
    /// (grpc-dotnet's rules: no message or a partial one → INTERNAL, anything after the message → INTERNAL).
    /// </summary>
    public static ValueTask<TRequest> ReadSingleAsync<TRequest>(RpcServerCallContext call, MessageParser<TRequest> parser)
        where TRequest : IMessage<TRequest> =>
        ReadSingleAsync(call, parser, static (call, parser, body, compressed) => Parse(call, parser, body, compressed), release: null);

    /// <summary>
    /// <see cref="ReadSingleAsync{TRequest}"/> for <see cref="RawUnaryCallHandler"/>: the same framing rules, but the
    /// message body (decompressed when needed) is returned as a copy in a buffer from <see cref="ArrayPool{T}.Shared"/>,
    /// which the caller returns.
    /// </summary>
    public static ValueTask<(byte[] Buffer, int Length)> ReadSingleBodyAsync(RpcServerCallContext call) =>
        ReadSingleAsync<object?, (byte[] Buffer, int Length)>(
            call, null, static (call, _, body, compressed) => CopyBody(call, body, compressed), static copy => ArrayPool<byte>.Shared.Return(copy.Buffer));

    /// <summary>Reads the request body pipe, marking the call's request stream as failed when the client reset it.</summary>
    public static async ValueTask<ReadResult> ReadAsync(RpcServerCallContext call, PipeReader reader, CancellationToken token)
    {
        try
        {
            return await reader.ReadAsync(token);
        }
        catch (IOException)
        {
            call.MarkRequestStreamFailed();
            throw;
        }
    }

    /// <summary>
    /// The single-message read loop: <paramref name="take"/> turns the one message into the result; when the stream
    /// then breaks the rules, <paramref name="release"/> gives back what it took.
    /// </summary>
    private static async ValueTask<T> ReadSingleAsync<TState, T>(
        RpcServerCallContext call, TState state, Func<RpcServerCallContext, TState, ReadOnlySequence<byte>, bool, T> take, Action<T>? release)
    {
        var reader = call.HttpContext.Request.BodyReader;
        var token = call.CancellationToken;
        var maxSize = call.Services.MaxReceiveMessageSize;
        T taken = default!;
        var haveMessage = false;
        try
        {
            while (true)
            {
                var result = await ReadAsync(call, reader, token);
                var buffer = result.Buffer;
                var consumed = buffer.Start;
                var examined = buffer.End;
                try
                {
                    if (result.IsCanceled)
                    {
                        throw new OperationCanceledException(token);
                    }

                    if (!buffer.IsEmpty)
                    {
                        if (haveMessage)
                        {
                            throw new RpcException(RpcStatuses.AdditionalData);
                        }

                        if (MessageFraming.TryReadMessage(ref buffer, maxSize, out var body, out var compressed))
                        {
                            taken = take(call, state, body, compressed);
                            haveMessage = true;
                            if (!buffer.IsEmpty)
                            {
                                throw new RpcException(RpcStatuses.AdditionalData);
                            }

                            consumed = buffer.Start;
                            examined = consumed;
                        }
                    }

                    if (result.IsCompleted)
                    {
                        if (haveMessage)
                        {
                            haveMessage = false;
                            return taken;
                        }

                        throw new RpcException(buffer.IsEmpty ? RpcStatuses.NoMessage : RpcStatuses.IncompleteMessage);
                    }
                }
                finally
                {
                    AdvanceTo(call, reader, consumed, examined);
                }
            }
        }
        finally
        {
            if (haveMessage)
            {
                release?.Invoke(taken);
            }
        }
    }

    private static (byte[] Buffer, int Length) CopyBody(RpcServerCallContext call, in ReadOnlySequence<byte> body, bool compressed)
    {
        var bytes = Decompressed(call, body, compressed);
        var length = checked((int)bytes.Length);
        var copy = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        bytes.CopyTo(copy);
        MessageReceived(call);
        return (copy, length);
    }

    /// <summary>The message body as sent, or decompressed when its flag says so.</summary>
    private static ReadOnlySequence<byte> Decompressed(RpcServerCallContext call, in ReadOnlySequence<byte> body, bool compressed)
    {
        if (!compressed)
        {
            return body;
        }

        // The flag without a grpc-encoding (or with identity) is a protocol error (doc/compression.md).
        var encoding = call.RequestEncoding ?? throw new RpcException(RpcStatuses.CompressedWithoutEncoding);
        return new ReadOnlySequence<byte>(MessageCompression.Decompress(encoding, body, call.Services.MaxReceiveMessageSize));
    }

    private static void MessageReceived(RpcServerCallContext call)
    {
        var method = call.MethodDefinition;
        call.Services.Metrics.MessageReceived(method.ServiceName, method.MethodName);
    }

    /// <summary>
    /// <see cref="PipeReader.AdvanceTo(SequencePosition, SequencePosition)"/> on the request body: once the client reset the
    /// stream, Kestrel throws its abort reason from here as well as from ReadAsync, so both mark the call's request stream
    /// as failed.
    /// </summary>
    public static void AdvanceTo(RpcServerCallContext call, PipeReader reader, SequencePosition consumed, SequencePosition examined)
    {
        try
        {
            reader.AdvanceTo(consumed, examined);
        }
        catch (IOException)
        {
            call.MarkRequestStreamFailed();
            throw;
        }
    }

    /// <summary>Decompresses if needed and parses one message body; malformed input becomes INTERNAL, never a crash.</summary>
    public static TRequest Parse<TRequest>(RpcServerCallContext call, MessageParser<TRequest> parser, in ReadOnlySequence<byte> body, bool compressed)
        where TRequest : IMessage<TRequest>
    {
        TRequest message;
        try
        {
            message = parser.ParseFrom(Decompressed(call, body, compressed));
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(call.Services.EnableDetailedErrors
                ? new Status(StatusCode.Internal, $"{RpcStatuses.ParseError.Detail} {ex.Message}")
                : RpcStatuses.ParseError);
        }

        MessageReceived(call);
        return message;
    }
}
