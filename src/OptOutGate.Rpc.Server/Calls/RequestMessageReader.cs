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
    public static async ValueTask<TRequest> ReadSingleAsync<TRequest>(RpcServerCallContext call, MessageParser<TRequest> parser)
        where TRequest : IMessage<TRequest>
    {
        var reader = call.HttpContext.Request.BodyReader;
        var token = call.CancellationToken;
        var maxSize = call.Services.MaxReceiveMessageSize;
        TRequest? request = default;
        var haveRequest = false;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(token);
            }
            catch (IOException)
            {
                call.MarkRequestStreamFailed();
                throw;
            }

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
                    if (haveRequest)
                    {
                        throw new RpcException(RpcStatuses.AdditionalData);
                    }

                    if (MessageFraming.TryReadMessage(ref buffer, maxSize, out var body, out var compressed))
                    {
                        request = Parse(call, parser, body, compressed);
                        haveRequest = true;
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
                    if (haveRequest)
                    {
                        return request!;
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

    /// <summary>
    /// <see cref="ReadSingleAsync"/> for <see cref="RawUnaryCallHandler{TResponse}"/>: the same framing rules, but the
    /// message body (decompressed when needed) is returned as a copy in a buffer from <see cref="ArrayPool{T}.Shared"/>,
    /// which the caller returns.
    /// </summary>
    public static async ValueTask<(byte[] Buffer, int Length)> ReadSingleBodyAsync(RpcServerCallContext call)
    {
        var reader = call.HttpContext.Request.BodyReader;
        var token = call.CancellationToken;
        var maxSize = call.Services.MaxReceiveMessageSize;
        byte[]? copy = null;
        var length = 0;
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await reader.ReadAsync(token);
                }
                catch (IOException)
                {
                    call.MarkRequestStreamFailed();
                    throw;
                }

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
                        if (copy is not null)
                        {
                            throw new RpcException(RpcStatuses.AdditionalData);
                        }

                        if (MessageFraming.TryReadMessage(ref buffer, maxSize, out var body, out var compressed))
                        {
                            (copy, length) = CopyBody(call, body, compressed);
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
                        if (copy is not null)
                        {
                            var done = copy;
                            copy = null;
                            return (done, length);
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
            if (copy is not null)
            {
                ArrayPool<byte>.Shared.Return(copy);
            }
        }
    }

    private static (byte[] Buffer, int Length) CopyBody(RpcServerCallContext call, in ReadOnlySequence<byte> body, bool compressed)
    {
        ReadOnlySequence<byte> bytes = body;
        if (compressed)
        {
            var encoding = call.RequestEncoding ?? throw new RpcException(RpcStatuses.CompressedWithoutEncoding);
            bytes = new ReadOnlySequence<byte>(MessageCompression.Decompress(encoding, body, call.Services.MaxReceiveMessageSize));
        }

        var length = checked((int)bytes.Length);
        var copy = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        bytes.CopyTo(copy);
        var method = call.MethodDefinition;
        call.Services.Metrics.MessageReceived(method.ServiceName, method.MethodName);
        return (copy, length);
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
            if (compressed)
            {
                // The flag without a grpc-encoding (or with identity) is a protocol error (doc/compression.md).
                var encoding = call.RequestEncoding ?? throw new RpcException(RpcStatuses.CompressedWithoutEncoding);
                var bytes = MessageCompression.Decompress(encoding, body, call.Services.MaxReceiveMessageSize);
                message = parser.ParseFrom(bytes);
            }
            else
            {
                message = parser.ParseFrom(body);
            }
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new RpcException(call.Services.EnableDetailedErrors
                ? new Status(StatusCode.Internal, $"{RpcStatuses.ParseError.Detail} {ex.Message}")
                : RpcStatuses.ParseError);
        }

        var method = call.MethodDefinition;
        call.Services.Metrics.MessageReceived(method.ServiceName, method.MethodName);
        return message;
    }
}
