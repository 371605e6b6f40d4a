using System.Threading.Channels;
using Grpc.Core;

namespace OptOutGate.Server.WebConsole.Calls;

/// <summary>
/// One stream of messages between the two ends of an in-process call: what one side writes, the other reads, one
/// message at a time (a bounded channel of one, so a slow reader slows the writer as HTTP/2 flow control would).
/// </summary>
internal sealed class StreamBridge<T> : IServerStreamWriter<T>, IClientStreamWriter<T>, IAsyncStreamReader<T>
    where T : class
{
    private readonly Channel<T> _channel = Channel.CreateBounded<T>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
    private T? _current;

    public T Current => _current ?? throw new InvalidOperationException("MoveNext has not returned true.");

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

    /// <summary>Writing to a stream whose call has ended throws that call's status, as a gRPC client's write does.</summary>
    public async Task WriteAsync(T message, CancellationToken cancellationToken)
    {
        try
        {
            await _channel.Writer.WriteAsync(message, cancellationToken);
        }
        catch (ChannelClosedException e) when (e.InnerException is RpcException ended)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ended);
        }
    }

    public Task CompleteAsync()
    {
        _channel.Writer.TryComplete();
        return Task.CompletedTask;
    }

    /// <summary>Ends the stream, with the writer's failure when it failed: the reader's next MoveNext throws it.</summary>
    public void Complete(Exception? failure = null) => _channel.Writer.TryComplete(failure);

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (await _channel.Reader.WaitToReadAsync(cancellationToken) && _channel.Reader.TryRead(out var next))
        {
            _current = next;
            return true;
        }

        return false;
    }
}
