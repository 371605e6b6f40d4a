using System.Buffers;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace OptOutGate.Rpc.Server.Calls;

/// <summary>Writing the response: messages, response headers, and the status in trailers or Trailers-Only.</summary>
internal sealed partial class RpcServerCallContext
{
    private bool _responseStarted;
    private bool _completing;

    /// <summary>
    /// Frames <paramref name="message"/> into the response body. The size is computed once (the send limit check and the
    /// header need it, and protobuf does not cache it for nested messages). Not flushed: unary responses leave with the
    /// trailers, streaming writers flush.
    /// </summary>
    public void WriteMessage(IMessage message) =>
        WriteFramed(message.CalculateSize(), message, static (span, m) => m.WriteTo(span));

    /// <summary>Writes the single response of a raw unary call (<see cref="RawUnaryServerMethod"/>), as <see cref="WriteFinalResponse(IMessage?)"/>.</summary>
    public void WriteFinalResponse(IRawResponse? response)
    {
        if (response is null)
        {
            throw new RpcException(RpcStatuses.NoResponse);
        }

        if (TryEnterCompletion())
        {
            WriteFramed(response.CalculateSize(), response, static (span, r) => r.WriteTo(span));
        }
    }

    private void WriteFramed<T>(int size, T message, SpanAction<byte, T> writeTo)
    {
        if (size > _services.MaxSendMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"Sending message of {size} bytes exceeds the maximum configured message size of {_services.MaxSendMessageSize} bytes.");
        }

        // From here the response has headers on the wire (or about to be), so the status must go in trailers.
        _responseStarted = true;
        var writer = _http.Response.BodyWriter;
        var span = writer.GetSpan(MessageFraming.HeaderSize + size);
        MessageFraming.WriteHeader(span, compressed: false, size);
        writeTo(span.Slice(MessageFraming.HeaderSize, size), message);
        writer.Advance(MessageFraming.HeaderSize + size);
        _services.Metrics.MessageSent(_method.ServiceName, _method.MethodName);
    }

    /// <summary>Writes the single response of a unary or client-streaming call, unless the deadline ended the call.</summary>
    public void WriteFinalResponse(IMessage? response)
    {
        if (response is null)
        {
            throw new RpcException(RpcStatuses.NoResponse);
        }

        if (TryEnterCompletion())
        {
            WriteMessage(response);
        }
    }

    public ValueTask EnterWriteAsync()
    {
        if (_deadline is not null)
        {
            return _deadline.EnterWriteAsync();
        }

        if (_completing)
        {
            throw new InvalidOperationException("The call has ended: no more messages or headers can be written.");
        }

        return default;
    }

    public void ExitWrite() => _deadline?.ExitWrite();

    /// <summary>
    /// Ends the call with <paramref name="status"/> unless the deadline already did; returns the code the client gets.
    /// </summary>
    public ValueTask<StatusCode> CompleteAsync(Status status, Metadata? trailers)
    {
        if (!TryEnterCompletion())
        {
            return WaitForDeadlineAsync();
        }

        if (_http.RequestAborted.IsCancellationRequested || RequestStreamFailed)
        {
            // The stream is gone; the client has its own CANCELLED, and nothing written now would reach it.
            return new ValueTask<StatusCode>(StatusCode.Cancelled);
        }

        WriteStatus(status, trailers);
        return new ValueTask<StatusCode>(status.Code);
    }

    /// <summary>Maps what a handler (or the request reading) threw to the status sent, logging as the cause deserves.</summary>
    public Status StatusFromException(Exception exception, out Metadata? trailers)
    {
        trailers = null;
        if (_deadline is { HasExpired: true })
        {
            // The deadline's reset fails whatever the handler was doing; the client already has DEADLINE_EXCEEDED.
            return RpcStatuses.DeadlineExceeded;
        }

        if (exception is RpcException rpc)
        {
            trailers = rpc.Trailers;
            RpcServerLog.CallFailed(_services.Logger, Method, rpc.StatusCode, rpc.Status.Detail);
            return rpc.Status;
        }

        if (_http.RequestAborted.IsCancellationRequested || RequestStreamFailed)
        {
            // Whatever the handler saw (OperationCanceledException, an IOException from the aborted body), the cause
            // is the client going away: not an error of this server.
            RpcServerLog.CallCancelledByClient(_services.Logger, Method);
            return RpcStatuses.CancelledByClient;
        }

        var interceptors = _services.Interceptors;
        for (var i = 0; i < interceptors.Length; i++)
        {
            if (interceptors[i].TryMapException(exception, out var mapped))
            {
                RpcServerLog.CallFailed(_services.Logger, Method, mapped.Code, mapped.Detail);
                return mapped;
            }
        }

        RpcServerLog.HandlerError(_services.Logger, Method, exception);
        return _services.EnableDetailedErrors
            ? new Status(StatusCode.Unknown, $"{RpcStatuses.HandlerException.Detail} {exception.GetType().Name}: {exception.Message}")
            : RpcStatuses.HandlerException;
    }

    /// <summary>Called by <see cref="CallDeadline"/> holding the write lock: status, complete, RST_STREAM CANCEL.</summary>
    public async Task EndAtDeadlineAsync()
    {
        RpcServerLog.DeadlineExceeded(_services.Logger, Method);
        if (!_http.RequestAborted.IsCancellationRequested)
        {
            WriteStatus(RpcStatuses.DeadlineExceeded, trailers: null);

            // Flushes headers or trailers with END_STREAM now, before the reset, so the client reads the status.
            var body = _http.Features.Get<IHttpResponseBodyFeature>();
            if (body is not null)
            {
                await body.CompleteAsync();
            }
        }

        // RST_STREAM(CANCEL) tells the client to stop sending (PROTOCOL-HTTP2.md); Abort() would send INTERNAL_ERROR,
        // which some clients report as a failure of their own.
        var reset = _http.Features.Get<IHttpResetFeature>();
        if (reset is not null)
        {
            reset.Reset(RpcProtocol.ResetCancel);
        }
        else
        {
            _http.Abort();
        }
    }

    private bool TryEnterCompletion()
    {
        _completing = true;
        return _deadline?.TryEnterCompletion() ?? true;
    }

    private async ValueTask<StatusCode> WaitForDeadlineAsync()
    {
        await _deadline!.WhenExpiryHandled;
        return StatusCode.DeadlineExceeded;
    }

    private void WriteStatus(Status status, Metadata? trailers)
    {
        var response = _http.Response;
        IHeaderDictionary destination;
        if (!_responseStarted && !response.HasStarted)
        {
            // Trailers-Only (gRFC A6): nothing was sent, so the status and metadata ride in the only HEADERS frame;
            // content-type is already among them, which grpc-go requires.
            destination = response.Headers;
        }
        else
        {
            var feature = _http.Features.Get<IHttpResponseTrailersFeature>();
            if (feature?.Trailers is not { IsReadOnly: false } responseTrailers)
            {
                throw new InvalidOperationException("Trailers are not supported for this response: gRPC needs HTTP/2.");
            }

            destination = responseTrailers;
        }

        if (_responseTrailers is { Count: > 0 })
        {
            ResponseMetadata.Append(destination, _responseTrailers);
        }

        if (trailers is { Count: > 0 })
        {
            ResponseMetadata.Append(destination, trailers);
        }

        // Set last, so the layer's status overwrites anything the application put under these names.
        destination[RpcProtocol.StatusHeader] = RpcProtocol.StatusString(status.Code);
        if (!string.IsNullOrEmpty(status.Detail))
        {
            destination[RpcProtocol.MessageHeader] = PercentEncoding.Encode(status.Detail);
        }
    }
}
