using System.Buffers;
using System.Collections.Concurrent;
using OptOutGate.Contracts.V1;
using OptOutGate.LoadTests.Gate;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Workload;
using Grpc.Core;

namespace OptOutGate.LoadTests.Http2;

/// <summary>
/// The race's gate side on CheckStream through the direct HTTP/2 client (`race --stream --direct`): one stream per
/// connection, as <see cref="CheckStreams"/> opens through Grpc.Net.Client, but each batch written by its worker
/// straight into the connection's socket (a burst of them in one write, <see cref="Http2Connection.Send"/>) and each
/// answer read on the connection's reader thread, which hands it to the waiting worker. The peers' side is a bare
/// pipelined RESP client (<see cref="Race.RespConnection"/>); this gives the gate's side a client as bare, so that the
/// race compares servers, not client stacks. Every answer is tallied and checked as <see cref="CheckStreams"/> does.
/// </summary>
internal sealed class DirectCheckStreams : IDisposable
{
    private readonly Http2Connection[] _connections;
    private readonly ResultStream?[] _streams;
    private readonly byte[] _headerBlock;
    private readonly TimeSpan _timeout;

    private DirectCheckStreams(Http2Connection[] connections, byte[] headerBlock, TimeSpan timeout)
    {
        _connections = connections;
        _streams = new ResultStream?[connections.Length];
        _headerBlock = headerBlock;
        _timeout = timeout;
    }

    /// <summary>Connects --connections HTTP/2 connections to the gate (h2c); streams open at the first batch of each.</summary>
    public static DirectCheckStreams Connect(LoadTestOptions options) =>
        new(DirectGate.Connect(options), DirectGate.HeaderBlock(options, GateClients.CheckStreamName, deadline: false), options.Timeout);

    /// <summary>Worker w's call n sends the pool's batch w × 7919 + n on stream w mod connections and checks its answer.</summary>
    public RunLoop.CallAsync CreateCall(BatchPool pool, LoadTestOptions options)
    {
        var verify = options.ChecksVerdicts;
        return async (worker, sequence, ct) =>
        {
            var id = ((ulong)worker << 40) | (ulong)sequence;
            var answer = await SendAsync(worker % _connections.Length, new CheckStreamBatch(id, pool.Encoded((worker * 7919L) + sequence)), continueOnReader: true, ct);
            if (answer.Batch is not { } batch)
            {
                var error = answer.Error ?? new ItemError { Code = (int)StatusCode.Internal, Message = "an answer with neither verdicts nor an error" };
                throw new RpcException(new Status((StatusCode)error.Code, error.Message));
            }

            return new CallResult(batch.Verdicts, verify ? CheckScenario.Verify(batch.Verdicts, batch.Counts, pool.BatchSize, pool.ExpectedBlocked) : null);
        };
    }

    /// <summary>Sends one request on connection <paramref name="index"/>'s stream and returns the answer with its id.</summary>
    /// <exception cref="RpcException">The stream or the connection ended (its status), or no answer came in time (DeadlineExceeded).</exception>
    public Task<CheckStreamTally> SendAsync(int index, CheckStreamBatch request, CancellationToken cancellationToken) =>
        SendAsync(index, request, continueOnReader: false, cancellationToken);

    /// <param name="continueOnReader">
    /// The caller's continuation runs on the reader thread that completes its answer, so that a worker's next batch is
    /// framed there and goes out with the others of the same burst (<see cref="Http2Connection.Send"/>), with no
    /// thread-pool hop either way: what took the generator's CPU per batch from 26-27 µs to 11-12 µs. Only for a caller
    /// that sends again or returns at once (<see cref="RunLoop"/>'s workers): anything that blocks there stops the connection.
    /// </param>
    private async Task<CheckStreamTally> SendAsync(int index, CheckStreamBatch request, bool continueOnReader, CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource<CheckStreamTally>(continueOnReader ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = StreamOf(index);
        stream.Pending[request.RequestId] = waiter;

        // The stream marks itself ended before it fails what is pending: either it sees this waiter, or this check sees the mark.
        if (stream.Failure is { } ended)
        {
            stream.Pending.TryRemove(request.RequestId, out _);
            throw ended;
        }

        var framed = ArrayPool<byte>.Shared.Rent(MessageFraming.HeaderSize + request.Length);
        try
        {
            var length = request.WriteTo(framed.AsSpan(MessageFraming.HeaderSize));
            MessageFraming.WriteHeader(framed, compressed: false, length);
            _connections[index].Send(stream, framed.AsSpan(0, MessageFraming.HeaderSize + length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(framed);
        }

        try
        {
            return await waiter.Task.WaitAsync(_timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            stream.Pending.TryRemove(request.RequestId, out _);
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"no answer on the stream within {_timeout.TotalSeconds:0.#} s"));
        }
    }

    /// <summary>Ends every stream's sending side (END_STREAM), waits briefly for the gate to end them, and closes the connections.</summary>
    public void Dispose()
    {
        for (var i = 0; i < _connections.Length; i++)
        {
            if (_streams[i] is { Failure: null } stream && _connections[i].Send(stream, [], last: true))
            {
                stream.Finished.Task.Wait(TimeSpan.FromSeconds(5));
            }

            _connections[i].Dispose();
        }
    }

    /// <summary>Connection <paramref name="index"/>'s open stream; a new one when there is none yet or the last one ended.</summary>
    private ResultStream StreamOf(int index)
    {
        if (Volatile.Read(ref _streams[index]) is { Failure: null } open)
        {
            return open;
        }

        lock (_streams)
        {
            if (_streams[index] is not { Failure: null } current)
            {
                current = new ResultStream();
                _connections[index].Open(current, _headerBlock);
                Volatile.Write(ref _streams[index], current);
            }

            return current;
        }
    }

    /// <summary>One CheckStream: the requests waiting for their answer, by request id.</summary>
    private sealed class ResultStream : Http2StreamCall
    {
        public ConcurrentDictionary<ulong, TaskCompletionSource<CheckStreamTally>> Pending { get; } = new();

        private volatile RpcException? _failure;

        /// <summary>What the requests still waiting fail with, once the stream has ended.</summary>
        public RpcException? Failure => _failure;

        public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected internal override void OnMessage(ReadOnlySequence<byte> message)
        {
            var answer = CheckStreamTally.Decode(message);
            if (Pending.TryRemove(answer.RequestId, out var waiter))
            {
                waiter.TrySetResult(answer);
            }
        }

        protected internal override void OnCompleted(Status status, ReadOnlySequence<byte> message)
        {
            var failure = new RpcException(status.StatusCode == StatusCode.OK
                ? new Status(StatusCode.Unavailable, "the stream ended (OK) with requests unanswered")
                : status);
            _failure = failure;
            foreach (var id in Pending.Keys)
            {
                if (Pending.TryRemove(id, out var waiter))
                {
                    waiter.TrySetException(failure);
                }
            }

            Finished.TrySetResult();
        }
    }
}
