using System.Buffers;
using OptOutGate.LoadTests.Running;
using Grpc.Core;

namespace OptOutGate.LoadTests.Http2;

/// <summary>What a <see cref="DirectUnaryRun"/> calls: one unary method on one server, its requests already encoded.</summary>
/// <param name="Host">The server's host (h2c: plain-text HTTP/2).</param>
/// <param name="Port">The server's port.</param>
/// <param name="HeaderBlock">The request's HPACK block (<see cref="RequestHeaderBlock"/>).</param>
/// <param name="Requests">Request messages, each already serialized; call n sends Requests[n % Length].</param>
/// <param name="Read">Reads an OK response into the run's result (a verdict tally...); runs on a reader thread.</param>
internal sealed record DirectUnaryTarget(string Host, int Port, byte[] HeaderBlock, IReadOnlyList<byte[]> Requests, Func<ReadOnlySequence<byte>, CallResult> Read)
{
    /// <summary>The requests with their gRPC message header, framed once so a call only copies them.</summary>
    public byte[][] FramedRequests() => [.. Requests.Select(MessageFraming.Framed)];
}
