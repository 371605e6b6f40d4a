namespace OptOutGate.Rpc;

/// <summary>A stream of messages read one at a time (the request stream on a server, the response stream on a client).</summary>
public interface IAsyncStreamReader<out T>
{
    /// <summary>The message read by the last successful <see cref="MoveNextAsync"/>.</summary>
    T Current { get; }

    /// <summary>
    /// Reads the next message. Returns false at the end of the stream; throws <see cref="RpcException"/> when the call
    /// failed (on a client, with the call's status) and <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default);
}
