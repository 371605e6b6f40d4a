namespace OptOutGate.Rpc.Client;

/// <summary>Per-call options: request metadata, deadline and cancellation.</summary>
/// <param name="Headers">Custom request metadata (sent after the reserved headers); null for none.</param>
/// <param name="Deadline">
/// When the call must be over, in UTC; null for the channel's <see cref="GrpcChannelOptions.DefaultDeadline"/>.
/// Sent as <c>grpc-timeout</c> and enforced locally: once it passes, the call fails with DEADLINE_EXCEEDED and the
/// HTTP/2 stream is reset.
/// </param>
/// <param name="CancellationToken">Cancels the call: it fails with CANCELLED and the HTTP/2 stream is reset.</param>
public readonly record struct CallOptions(Metadata? Headers = null, DateTime? Deadline = null, CancellationToken CancellationToken = default)
{
    public CallOptions WithDeadline(DateTime deadline) => this with { Deadline = deadline };

    public CallOptions WithHeaders(Metadata headers) => this with { Headers = headers };

    public CallOptions WithCancellationToken(CancellationToken cancellationToken) => this with { CancellationToken = cancellationToken };
}
