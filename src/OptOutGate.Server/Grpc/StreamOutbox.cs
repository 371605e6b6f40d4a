using System.Threading.Channels;
using OptOutGate.Rpc.Server;

namespace OptOutGate.Server.Grpc;

/// <summary>
/// The response side of a pipelined bidirectional stream (CheckStream, StreamMo): answers are posted from any task into
/// a bounded channel and written by one writer (the response stream allows one write at a time); a full channel makes
/// posting wait, which stops the session reading requests (its back-pressure). It counts the answers still pending so
/// that a stream whose client finished sending can end once every one is written. One per call.
/// </summary>
internal sealed class StreamOutbox<TResponse> : IDisposable
    where TResponse : class
{
    private readonly IServerStreamWriter<TResponse> _responses;
    private readonly CancellationTokenSource _stream;
    private readonly Channel<TResponse> _channel;
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _writer;

    // One for the request reader itself, released by CompleteAsync: the stream is idle only once reading has ended.
    private int _pending = 1;

    /// <param name="responses">The call's response stream.</param>
    /// <param name="capacity">Answers buffered before posting waits.</param>
    /// <param name="endings">What ends the stream: the call's token, draining, and any other.</param>
    public StreamOutbox(IServerStreamWriter<TResponse> responses, int capacity, params ReadOnlySpan<CancellationToken> endings)
    {
        _responses = responses;
        _stream = CancellationTokenSource.CreateLinkedTokenSource(endings);
        _channel = Channel.CreateBounded<TResponse>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _writer = WriteResponsesAsync(_stream.Token);
    }

    /// <summary>Cancelled when the call ends, for any of its endings or <see cref="StopAsync"/>.</summary>
    public CancellationToken Token => _stream.Token;

    /// <summary>Queues an answer for the writer; waits while the channel is full.</summary>
    public ValueTask PostAsync(TResponse response) => _channel.Writer.WriteAsync(response, _stream.Token);

    /// <summary>An answer will come later (from another task): <see cref="CompleteAsync"/> waits for its <see cref="EndPending"/>.</summary>
    public void BeginPending() => Interlocked.Increment(ref _pending);

    /// <summary>A pending answer was posted, or will never be (the stream is ending).</summary>
    public void EndPending()
    {
        if (Interlocked.Decrement(ref _pending) == 0)
        {
            _idle.TrySetResult();
        }
    }

    /// <summary>The client finished sending: waits for every pending answer, writes them all, and returns (the call ends OK).</summary>
    public async Task CompleteAsync()
    {
        EndPending();
        await _idle.Task.WaitAsync(_stream.Token);
        _channel.Writer.TryComplete();
        await _writer;
    }

    /// <summary>Ends the stream early: no more answers are written, and pending ones go unanswered.</summary>
    public async Task StopAsync()
    {
        _channel.Writer.TryComplete();
        await _stream.CancelAsync();
        try
        {
            await _writer;
        }
        catch (OperationCanceledException)
        {
            // Stopped mid-write.
        }
    }

    public void Dispose() => _stream.Dispose();

    private async Task WriteResponsesAsync(CancellationToken token)
    {
        await foreach (var response in _channel.Reader.ReadAllAsync(token))
        {
            await _responses.WriteAsync(response, token);
        }
    }
}
