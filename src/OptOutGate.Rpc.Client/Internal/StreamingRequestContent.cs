using System.Net;

namespace OptOutGate.Rpc.Client.Internal;

/// <summary>
/// The body of a client-streaming or duplex request. It flushes first, which sends the request headers at once, then
/// hands the request stream to the writer and stays open until the caller completes the request stream: returning
/// from <see cref="SerializeToStreamAsync(Stream, TransportContext?, CancellationToken)"/> is what sends END_STREAM.
/// Because SocketsHttpHandler returns from SendAsync on response headers while the body is still open, the call is
/// full duplex (grpc-dotnet's PushStreamContent works the same way).
/// </summary>
internal sealed class StreamingRequestContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StreamingRequestContent()
    {
        Headers.ContentType = RequestHeaders.ContentType;
    }

    /// <summary>The request stream, once the request headers are sent; faults when the call ends first.</summary>
    public Task<Stream> StreamTask => _stream.Task;

    /// <summary>Ends the request body (client half-close).</summary>
    public void Complete() => _completed.TrySetResult();

    /// <summary>The call is over: pending and future writers stop waiting, and the body ends (reset if still open).</summary>
    public void Abort(Exception reason)
    {
        _stream.TrySetException(reason);
        _completed.TrySetException(reason);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await stream.FlushAsync(cancellationToken);
        _stream.TrySetResult(stream);

        // The token is SocketsHttpHandler's: it fires when the response ends or the request is reset, so a body the
        // caller never completes does not keep this task alive.
        await _completed.Task.WaitAsync(cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
