using System.Buffers;
using Grpc.Core;

namespace OptOutGate.LoadTests.Http2;

/// <summary>
/// One call on an <see cref="Http2Connection"/>: what the connection tracks while its stream is open (stream id, send
/// window, whether the response headers came) and the call's end, which runs on the connection's reader thread, so it
/// must be quick and must not block. A unary call (<see cref="Http2UnaryCall"/>) takes its one response message at the
/// end; a stream (<see cref="Http2StreamCall"/>) takes each message as it arrives.
/// </summary>
internal abstract class Http2Call
{
    internal int StreamId { get; set; }

    internal long SendWindow { get; set; }

    internal bool HeadersReceived { get; private set; }

    /// <summary>
    /// Where the call sat in its connection's bytes and when its end arrived, for a call timeline joined with the
    /// gate's (load-tests/README.md, "The tail, hop by hop"); kept after the call ends, until it is started again.
    /// </summary>
    internal WireMarks Wire { get; set; }

    /// <summary>When the socket write of the call's request returned (0 until it has; written by the sending thread only).</summary>
    internal long WrittenAt { get; set; }

    /// <summary>DATA bytes received on the stream since its receive window was last given back (reader thread only).</summary>
    internal long ReceivedSinceWindowUpdate { get; set; }

    /// <summary>Bytes of the response held until a whole message arrives (the connection bounds it).</summary>
    internal abstract int BodyLength { get; }

    /// <summary>Called by the connection with the call's outcome: for a unary call the response message (valid only during the call) when OK.</summary>
    protected internal abstract void OnCompleted(Status status, ReadOnlySequence<byte> message);

    /// <summary>Takes DATA received on the stream; a status when the bytes end the call (the connection resets the stream).</summary>
    internal abstract Status? AppendBody(ReadOnlySpan<byte> data);

    /// <summary>The call's result from its trailers (or a trailers-only response).</summary>
    internal abstract (Status Status, ReadOnlySequence<byte> Message) Finish(List<(string Name, string Value)> trailers);

    internal virtual void Reset()
    {
        StreamId = 0;
        SendWindow = 0;
        HeadersReceived = false;
        ReceivedSinceWindowUpdate = 0;
        Wire = default;
        WrittenAt = 0;
    }

    /// <summary>The response headers (the first block); null when they are acceptable, else the call's failure.</summary>
    internal Status? AcceptHeaders(List<(string Name, string Value)> fields)
    {
        HeadersReceived = true;
        var status = Find(fields, ":status");
        if (status != "200")
        {
            var code = int.TryParse(status, out var http) ? GrpcHttpMapping.FromHttpStatus(http) : StatusCode.Unknown;
            return new Status(code, $"HTTP status {status ?? "(none)"} instead of 200");
        }

        var contentType = Find(fields, "content-type");
        return GrpcHttpMapping.IsGrpcContentType(contentType)
            ? null
            : new Status(StatusCode.Unknown, $"content-type '{contentType}' is not application/grpc");
    }

    /// <summary>grpc-status and grpc-message of the trailers.</summary>
    protected static Status TrailerStatus(List<(string Name, string Value)> trailers)
    {
        var code = Find(trailers, "grpc-status");
        if (code is null || !int.TryParse(code, out var number) || number < 0 || number > 16)
        {
            return new Status(StatusCode.Internal, $"the trailers carry no valid grpc-status ('{code}')");
        }

        var message = Find(trailers, "grpc-message");
        return new Status((StatusCode)number, message is null ? string.Empty : GrpcHttpMapping.DecodeMessage(message));
    }

    private static string? Find(List<(string Name, string Value)> fields, string name)
    {
        foreach (var field in fields)
        {
            if (field.Name == name)
            {
                return field.Value;
            }
        }

        return null;
    }
}

/// <summary>
/// A call's place on its connection: its stream; the connection's sent bytes once its request's last frame is written
/// (what the gate has read when it has the whole request); the received bytes up to the end of the frame that ended it,
/// and the <see cref="System.Diagnostics.Stopwatch"/> time the socket read that brought that frame returned.
/// </summary>
internal readonly record struct WireMarks(int StreamId, long RequestBytesEnd, long ResponseBytesEnd, long ResponseReadAt);
