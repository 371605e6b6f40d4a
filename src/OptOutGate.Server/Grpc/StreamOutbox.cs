using System.Threading.Channels;
using Grpc.Core;

namespace OptOutGate.Server.Grpc;

/// <summary>
/// The response side of a pipelined bidirectional stream (CheckStream, StreamMo): answers are posted from any task into
/// a bounded channel and written by one writer (the response stream allows one write at a time); a full channel makes
/// posting wait, which stops the session reading requests (its back-pressure). It counts the answers still pending so
/// that a stream whose client finished sending can end once every one is written. <see cref="ServeAsync"/> runs a
/// session's request loop and ends the stream the same way for every session. One per call.
/// <para>
/// An answer the request loop has at once (a CheckStream batch that needs no wait) is written by the loop itself
/// (<see cref="WriteInlineAsync"/>), not handed to the writer: a hand-off is a thread wake-up per answer, and the writer,
/// finding the channel empty after each, flushed each answer on its own. Inline answers are flushed when the loop has
/// no further request at hand (<see cref="MoveNextAsync"/>) or after <see cref="FlushEvery"/>, so a burst of requests
/// gets its answers in one flush. Both writers take turns through a lock.
/// </para>
/// </summary>
internal sealed class StreamOutbox<TResponse> : IDisposable
    where TResponse : class
{
    private const int FlushEvery = 16;

    private static readonly WriteOptions s_buffered = new(WriteFlags.BufferHint);

    private readonly IServerStreamWriter<TResponse> _responses;
    private readonly CancellationTokenSource _stream;
    private readonly Channel<TResponse> _channel;
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _writer;
    private readonly StreamEnding[] _endings;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    // The request loop's latest inline answer, not written yet: it is written with a flush when the loop runs out of
    // requests at hand, or without one when a newer answer takes its place (the stream writer has no flush of its own:
    // an answer written without BufferHint flushes everything before it).
    private TResponse? _held;
    private int _inlineUnflushed;

    // One for the request reader itself, released by CompleteAsync: the stream is idle only once reading has ended.
    private int _pending = 1;

    /// <param name="responses">The call's response stream.</param>
    /// <param name="capacity">Answers buffered before posting waits.</param>
    /// <param name="call">The call's own token (the client cancels, the deadline passes).</param>
    /// <param name="endings">What else ends the stream (draining, a replica falling behind), each with its UNAVAILABLE.</param>
    public StreamOutbox(IServerStreamWriter<TResponse> responses, int capacity, CancellationToken call, params StreamEnding[] endings)
    {
        _responses = responses;
        _endings = endings;
        var tokens = new CancellationToken[endings.Length + 1];
        tokens[0] = call;
        for (var i = 0; i < endings.Length; i++)
        {
            tokens[i + 1] = endings[i].Token;
        }

        _stream = CancellationTokenSource.CreateLinkedTokenSource(tokens);
        _channel = Channel.CreateBounded<TResponse>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _writer = WriteResponsesAsync(_stream.Token);
    }

    /// <summary>Cancelled when the call ends, for any of its endings or <see cref="StopAsync"/>.</summary>
    public CancellationToken Token => _stream.Token;

    /// <summary>
    /// Runs <paramref name="readRequests"/> (the session's loop over its requests, given <see cref="Token"/>), then
    /// answers what is still pending and ends the call with OK. When one of the endings stops it first, the stream ends
    /// with that ending's UNAVAILABLE (requests without an answer go unanswered, as the contracts allow); any other
    /// failure ends it with its own status.
    /// </summary>
    public async Task ServeAsync(Func<CancellationToken, Task> readRequests)
    {
        ArgumentNullException.ThrowIfNull(readRequests);
        try
        {
            await readRequests(Token);

            // The client finished sending: answer what is still waiting, then end with OK.
            await CompleteAsync();
        }
        catch (OperationCanceledException) when (EndedBy() is { } ending)
        {
            await StopAsync();
            throw new RpcException(new Status(StatusCode.Unavailable, ending.Message));
        }
        catch
        {
            await StopAsync();
            throw;
        }
        finally
        {
            Dispose();
        }
    }

    /// <summary>
    /// Writes an answer from the request loop, in order with its other inline answers; flushed at the latest when the
    /// loop's <see cref="MoveNextAsync"/> finds no request at hand. The request loop only (one caller at a time).
    /// </summary>
    public async ValueTask WriteInlineAsync(TResponse response)
    {
        var previous = _held;
        _held = response;
        if (previous is not null)
        {
            var flush = ++_inlineUnflushed >= FlushEvery;
            _inlineUnflushed = flush ? 0 : _inlineUnflushed;
            await WriteAsync(previous, flush, _stream.Token);
        }
    }

    /// <summary>
    /// The request loop's next request. When none is at hand (the read would wait for the client), the inline answers
    /// not flushed yet are flushed first: the client may be waiting for them before it sends more. They are also flushed
    /// when the requests end.
    /// </summary>
    public async ValueTask<bool> MoveNextAsync<TRequest>(IAsyncStreamReader<TRequest> requests, CancellationToken token)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var next = requests.MoveNext(token);
        if (!next.IsCompleted)
        {
            await FlushInlineAsync();
        }

        if (await next)
        {
            return true;
        }

        await FlushInlineAsync();
        return false;
    }

    /// <summary>Writes and flushes the inline answers not flushed yet.</summary>
    private async ValueTask FlushInlineAsync()
    {
        if (_held is { } last)
        {
            _held = null;
            _inlineUnflushed = 0;
            await WriteAsync(last, flush: true, _stream.Token);
        }
    }

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
    private async Task CompleteAsync()
    {
        EndPending();
        await _idle.Task.WaitAsync(_stream.Token);
        _channel.Writer.TryComplete();
        await _writer;
    }

    /// <summary>Ends the stream early: no more answers are written, and pending ones go unanswered.</summary>
    private async Task StopAsync()
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

    public void Dispose()
    {
        _stream.Dispose();
        _writeLock.Dispose();
    }

    private StreamEnding? EndedBy()
    {
        foreach (var ending in _endings)
        {
            if (ending.Token.IsCancellationRequested)
            {
                return ending;
            }
        }

        return null;
    }

    private async Task WriteResponsesAsync(CancellationToken token)
    {
        // A write followed by more answers already queued is not flushed (BufferHint, which grpc-dotnet honours on the
        // server): a burst of answers leaves in as few HTTP/2 DATA frames and socket writes as fit, and the last write of
        // every burst flushes, so no answer waits for a later one. At most FlushEvery answers go unflushed.
        var unflushed = 0;
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync(token))
        {
            while (reader.TryRead(out var response))
            {
                var buffer = unflushed < FlushEvery - 1 && reader.TryPeek(out _);
                unflushed = buffer ? unflushed + 1 : 0;
                await WriteAsync(response, flush: !buffer, token);
            }
        }
    }

    private async Task WriteAsync(TResponse response, bool flush, CancellationToken token)
    {
        await _writeLock.WaitAsync(token);
        try
        {
            _responses.WriteOptions = flush ? null : s_buffered;
            await _responses.WriteAsync(response, token);
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
