using System.Collections.Concurrent;
using Grpc.Core;

namespace OptOutGate.LoadTests.Gate;

/// <summary>
/// Many request/response exchanges on one bidirectional stream (CheckStream, StreamMo): each worker sends a request with
/// its own key and awaits the response that names that key, so the closed-loop run loop drives streams exactly as it
/// drives unary calls (streams × in-flight workers). Writes are serialized (one write at a time per stream). When the
/// stream ends, every unanswered request fails with the stream's status and the next send opens a new stream.
/// </summary>
internal sealed class StreamMux<TRequest, TResponse, TKey> : IAsyncDisposable
    where TRequest : class
    where TResponse : class
    where TKey : notnull
{
    private readonly Func<AsyncDuplexStreamingCall<TRequest, TResponse>> _open;
    private readonly Func<TResponse, TKey> _keyOf;
    private readonly TimeSpan _timeout;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private Session? _session;

    public StreamMux(Func<AsyncDuplexStreamingCall<TRequest, TResponse>> open, Func<TResponse, TKey> keyOf, TimeSpan timeout)
    {
        _open = open;
        _keyOf = keyOf;
        _timeout = timeout;
    }

    /// <summary>Sends <paramref name="request"/> and returns the response carrying <paramref name="key"/>.</summary>
    /// <exception cref="RpcException">The stream failed, or no response came within the timeout (DeadlineExceeded).</exception>
    public async Task<TResponse> SendAsync(TKey key, TRequest request, CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource<TResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        Session session;
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            session = _session is { IsBroken: false } current ? current : _session = new Session(_open(), _keyOf);
            session.Pending[key] = waiter;

            // The reader marks the session broken before it fails what is pending: either it sees this waiter, or this
            // check sees the mark.
            if (session.IsBroken && session.Pending.TryRemove(key, out _))
            {
                throw session.Failure!;
            }

            await session.Call.RequestStream.WriteAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A server that ends the stream at once (UNIMPLEMENTED, UNAUTHENTICATED) makes the write fail with a bare
            // CANCELLED: report the stream's own status when the reader has it.
            RpcException? failure = null;
            if (_session is { } failed)
            {
                failed.Pending.TryRemove(key, out _);
                await Task.WhenAny(failed.Reader, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None));
                failure = failed.Failure;
            }

            throw failure ?? (ex as RpcException) ?? new RpcException(new Status(StatusCode.Unavailable, "stream write failed: " + ex.Message));
        }
        finally
        {
            _writeLock.Release();
        }

        try
        {
            return await waiter.Task.WaitAsync(_timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            session.Pending.TryRemove(key, out _);
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"no response on the stream within {_timeout.TotalSeconds:0.#} s"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync();
        try
        {
            if (_session is { } session)
            {
                if (!session.IsBroken)
                {
                    try
                    {
                        await session.Call.RequestStream.CompleteAsync();
                        await session.Reader.WaitAsync(TimeSpan.FromSeconds(5));
                    }
#pragma warning disable CA1031 // Closing a load-test stream: whatever goes wrong here changes no figure.
                    catch (Exception)
#pragma warning restore CA1031
                    {
                    }
                }

                session.Call.Dispose();
            }
        }
        finally
        {
            _writeLock.Release();
            _writeLock.Dispose();
        }
    }

    private sealed class Session
    {
        private volatile bool _broken;

        public Session(AsyncDuplexStreamingCall<TRequest, TResponse> call, Func<TResponse, TKey> keyOf)
        {
            Call = call;
            Reader = Task.Run(() => ReadAsync(keyOf));
        }

        public AsyncDuplexStreamingCall<TRequest, TResponse> Call { get; }

        public ConcurrentDictionary<TKey, TaskCompletionSource<TResponse>> Pending { get; } = new();

        public Task Reader { get; }

        public bool IsBroken => _broken;

        public RpcException? Failure { get; private set; }

        private async Task ReadAsync(Func<TResponse, TKey> keyOf)
        {
            RpcException failure;
            try
            {
                while (await Call.ResponseStream.MoveNext(CancellationToken.None))
                {
                    var response = Call.ResponseStream.Current;
                    if (Pending.TryRemove(keyOf(response), out var waiter))
                    {
                        waiter.TrySetResult(response);
                    }
                }

                failure = new RpcException(new Status(StatusCode.Unavailable, "the stream ended (OK) with requests unanswered"));
            }
            catch (RpcException ex)
            {
                failure = ex;
            }
#pragma warning disable CA1031 // Every reader failure becomes the status of the requests still waiting.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = new RpcException(new Status(StatusCode.Unavailable, "stream read failed: " + ex.Message));
            }

            Failure = failure;
            _broken = true;
            foreach (var key in Pending.Keys)
            {
                if (Pending.TryRemove(key, out var waiter))
                {
                    waiter.TrySetException(failure);
                }
            }
        }
    }
}
