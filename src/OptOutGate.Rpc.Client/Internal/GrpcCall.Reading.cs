using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;

namespace OptOutGate.Rpc.Client.Internal;

/// <summary>Reading the response: framed messages from a pipe over the response stream, then the trailers.</summary>
internal sealed partial class GrpcCall
{
    private static readonly StreamPipeReaderOptions s_readerOptions = new(pool: MemoryPool<byte>.Shared, bufferSize: 4096, minimumReadSize: 1024, leaveOpen: false);

    private PipeReader? _reader;
    private int _reading;

    /// <summary>The single response of a unary or client-streaming call.</summary>
    /// <exception cref="RpcException">The call ended with a status other than OK.</exception>
    public async Task<T> ReadSingleResponseAsync<T>(RawMessageDecoder<T> decode)
        where T : class
    {
        T? message = null;
        var response = await _responseTask;
        if (response is not null && Result is null)
        {
            try
            {
                message = await ReadNextAsync(decode, _cts.Token);
                if (message is null)
                {
                    FinishFromTrailers(response, missingMessage: true);
                }
                else if (await ReadNextAsync(decode, _cts.Token) is not null)
                {
                    TrySetResult(new Status(StatusCode.Internal, "Additional data after the message received."), new Metadata());
                }
                else
                {
                    FinishFromTrailers(response, missingMessage: false);
                }
            }
            catch (Exception ex)
            {
                TrySetResult(StatusFromException(ex, "Error reading the response."), new Metadata());
            }
        }

        ReleaseTransport();
        var result = Result!;
        return result.Status.Code == StatusCode.OK && message is not null ? message : throw result.ToException();
    }

    /// <summary><see cref="ReadSingleResponseAsync{T}"/>, then the call's resources are released (the caller keeps no call object).</summary>
    public async Task<T> ReadSingleResponseAndDisposeAsync<T>(RawMessageDecoder<T> decode)
        where T : class
    {
        try
        {
            return await ReadSingleResponseAsync(decode);
        }
        finally
        {
            Dispose();
        }
    }

    /// <summary>The next message of a streaming response, or null at its end with an OK status.</summary>
    /// <exception cref="RpcException">The call ended with a status other than OK.</exception>
    public async ValueTask<T?> ReadStreamMessageAsync<T>(RawMessageDecoder<T> decode, CancellationToken cancellationToken)
        where T : class
    {
        if (Interlocked.Exchange(ref _reading, 1) == 1)
        {
            throw new InvalidOperationException("Can't read the next message because the previous read is still in progress.");
        }

        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((GrpcCall)s!).CancelByClient(), this)
            : default;
        try
        {
            var response = await _responseTask;
            if (response is not null && Result is null)
            {
                try
                {
                    var message = await ReadNextAsync(decode, _cts.Token);
                    if (message is not null)
                    {
                        return message;
                    }

                    FinishFromTrailers(response, missingMessage: false);
                }
                catch (Exception ex)
                {
                    TrySetResult(StatusFromException(ex, "Error reading next message."), new Metadata());
                }
            }

            ReleaseTransport();
            var result = Result!;
            return result.Status.Code == StatusCode.OK ? null : throw result.ToException();
        }
        finally
        {
            registration.Dispose();
            Volatile.Write(ref _reading, 0);
        }
    }

    /// <summary>The next whole message, or null when the response body has ended. Throws on protocol and transport errors.</summary>
    private async ValueTask<T?> ReadNextAsync<T>(RawMessageDecoder<T> decode, CancellationToken cancellationToken)
        where T : class
    {
        var reader = _reader ??= PipeReader.Create(await _response!.Content.ReadAsStreamAsync(cancellationToken), s_readerOptions);
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            if (MessageFraming.TryReadMessage(ref buffer, _channel.MaxReceiveMessageSize, out var payload, out var compressed))
            {
                try
                {
                    // Parse before AdvanceTo: the pipe may reuse the segments afterwards.
                    return Parse(decode, payload, compressed);
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start);
                }
            }

            if (read.IsCompleted)
            {
                var leftover = buffer.Length;
                reader.AdvanceTo(buffer.End);
                return leftover == 0 ? null : throw new RpcException(StatusCode.Internal, "Incomplete message.");
            }

            // Examined to the end: wake up only when more bytes arrive (grpc-dotnet PipeExtensions).
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private T Parse<T>(RawMessageDecoder<T> decode, ReadOnlySequence<byte> payload, bool compressed)
        where T : class
    {
        try
        {
            if (!compressed)
            {
                return decode(payload);
            }

            // compression.md: a compressed flag without grpc-encoding (or with identity) is INTERNAL.
            if (_responseEncoding is null or "identity")
            {
                throw new RpcException(StatusCode.Internal, "Compressed message received without a grpc-encoding header.");
            }

            return decode(new ReadOnlySequence<byte>(MessageCompression.Decompress(_responseEncoding, payload, _channel.MaxReceiveMessageSize)));
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidDataException)
        {
            throw new RpcException(StatusCode.Internal, "Failed to deserialize response message.");
        }
    }

    /// <summary>The body has ended: the status is in the trailers (read only now; HttpClient fills them at END_STREAM).</summary>
    private void FinishFromTrailers(HttpResponseMessage response, bool missingMessage)
    {
        var trailers = response.TrailingHeaders;
        if (!ResponseStatus.TryGetStatus(trailers, out var status))
        {
            status = ResponseStatus.NoStatus;
        }

        if (missingMessage && status.Code == StatusCode.OK)
        {
            status = MissingMessage;
        }

        TrySetResult(status.Code == StatusCode.OK ? new CallResult(status, trailers) : new CallResult(status, ResponseMetadata.Read(trailers)));
    }

    /// <summary>Releases the pipe, the response (RST_STREAM if still open) and the request's pooled buffer. Reader only.</summary>
    private void ReleaseTransport()
    {
        _reader?.Complete();
        _reader = null;
        _response?.Dispose();
        _request?.Dispose();
    }
}
