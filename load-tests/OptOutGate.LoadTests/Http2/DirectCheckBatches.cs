using System.Buffers;
using OptOutGate.LoadTests.Gate;
using OptOutGate.LoadTests.Running;
using OptOutGate.LoadTests.Workload;
using Grpc.Core;

namespace OptOutGate.LoadTests.Http2;

/// <summary>
/// The race's gate side as unary CheckBatch calls through the direct HTTP/2 client (`race --direct` without
/// --stream), closed loop: each worker starts its call on its connection (worker mod --connections) and continues on
/// the connection's reader thread when the answer comes, starting its next call there, so that the calls a burst of
/// answers completes go out in one write (<see cref="Http2Connection.Start"/>), as the peers' commands do on their
/// RESP client and the gate's batches with --stream (<see cref="DirectCheckStreams"/>). Every answer is tallied and
/// checked as on Grpc.Net.Client (<see cref="CheckScenario.CreateCall"/>).
/// </summary>
internal sealed class DirectCheckBatches : IDisposable
{
    private readonly Http2Connection[] _connections;
    private readonly byte[] _headerBlock;
    private readonly TimeSpan _timeout;

    private DirectCheckBatches(Http2Connection[] connections, byte[] headerBlock, TimeSpan timeout)
    {
        _connections = connections;
        _headerBlock = headerBlock;
        _timeout = timeout;
    }

    /// <summary>Connects --connections HTTP/2 connections to the gate (h2c).</summary>
    /// <exception cref="InvalidOperationException">The workers on one connection would be more than the streams the gate allows on it.</exception>
    public static DirectCheckBatches Connect(LoadTestOptions options)
    {
        var connections = DirectGate.Connect(options);
        var perConnection = (options.Concurrency + connections.Length - 1) / connections.Length;
        var allowed = connections.Min(static c => c.MaxConcurrentStreams);
        if (perConnection > allowed)
        {
            Array.ForEach(connections, static c => c.Dispose());
            throw new InvalidOperationException(
                $"-c {options.Concurrency} over --connections {options.Connections} puts {perConnection} calls on a connection, and the gate allows {allowed} streams on one: add connections.");
        }

        return new(connections, DirectGate.HeaderBlock(options, GateClients.CheckBatchName, deadline: true), options.Timeout);
    }

    /// <summary>Worker w's call n sends the pool's batch w × 7919 + n (framed once here) and checks its answer.</summary>
    public RunLoop.CallAsync CreateCall(BatchPool pool, bool verify)
    {
        var framed = pool.AllEncoded.Select(MessageFraming.Framed).ToArray();
        return async (worker, sequence, ct) =>
        {
            ct.ThrowIfCancellationRequested();
            var call = new AwaitedCall();
            _connections[worker % _connections.Length].Start(call, _headerBlock, framed[(int)(((worker * 7919L) + sequence) % framed.Length)]);
            var tally = await call.Answer.Task.WaitAsync(_timeout + TimeSpan.FromSeconds(5), CancellationToken.None);
            return CheckScenario.Result(tally, pool, verify);
        };
    }

    public void Dispose()
    {
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }
    }

    /// <summary>
    /// One call, its answer read on the reader thread (the message is valid only there) and handed to the awaiting
    /// worker, whose continuation runs on that thread (no <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>).
    /// </summary>
    private sealed class AwaitedCall : Http2UnaryCall
    {
        public TaskCompletionSource<CheckBatchTally> Answer { get; } = new();

        protected internal override void OnCompleted(Status status, ReadOnlySequence<byte> message)
        {
            if (status.StatusCode != StatusCode.OK)
            {
                Answer.TrySetException(new RpcException(status));
                return;
            }

            CheckBatchTally tally;
            try
            {
                tally = CheckBatchTally.Decode(message);
            }
            catch (InvalidDataException ex)
            {
                Answer.TrySetException(new RpcException(new Status(StatusCode.Internal, "an answer this client cannot read: " + ex.Message)));
                return;
            }

            Answer.TrySetResult(tally);
        }
    }
}
