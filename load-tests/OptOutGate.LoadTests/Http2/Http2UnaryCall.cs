using System.Buffers;
using Grpc.Core;

namespace OptOutGate.LoadTests.Http2;

/// <summary>
/// One unary call on an <see cref="Http2Connection"/>: what the connection tracks while it is open (stream id, send
/// window, the response so far) and the completion, which runs on the connection's reader thread, so it must be quick
/// and must not block. An instance can be started again once it has completed.
/// </summary>
internal abstract class Http2UnaryCall
{
    private readonly ArrayBufferWriter<byte> _body = new(4 * 1024);

    internal int StreamId { get; set; }

    internal long SendWindow { get; set; }

    internal bool HeadersReceived { get; private set; }

    /// <summary>Called by the connection with the call's outcome: the response message (valid only during the call) when OK.</summary>
    protected internal abstract void OnCompleted(Status status, ReadOnlySequence<byte> message);

    internal void Reset()
    {
        StreamId = 0;
        SendWindow = 0;
        HeadersReceived = false;
        _body.ResetWrittenCount();
    }

    internal int BodyLength => _body.WrittenCount;

    internal void AppendBody(ReadOnlySpan<byte> data) => _body.Write(data);

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

    /// <summary>The call's result from its trailers (or a trailers-only response) and the body received before them.</summary>
    internal (Status Status, ReadOnlySequence<byte> Message) Finish(List<(string Name, string Value)> trailers)
    {
        var code = Find(trailers, "grpc-status");
        if (code is null || !int.TryParse(code, out var number) || number < 0 || number > 16)
        {
            return (new Status(StatusCode.Internal, $"the trailers carry no valid grpc-status ('{code}')"), default);
        }

        var message = Find(trailers, "grpc-message");
        var status = new Status((StatusCode)number, message is null ? string.Empty : GrpcHttpMapping.DecodeMessage(message));
        if (status.StatusCode != StatusCode.OK)
        {
            return (status, default);
        }

        var body = new ReadOnlySequence<byte>(_body.WrittenMemory);
        if (!MessageFraming.TryReadMessage(ref body, int.MaxValue, out var response, out var compressed))
        {
            return (new Status(StatusCode.Internal, $"an OK unary call without a whole response message ({_body.WrittenCount} bytes)"), default);
        }

        if (compressed)
        {
            return (new Status(StatusCode.Internal, "a compressed response, though this client asked for none"), default);
        }

        return body.Length == 0
            ? (status, response)
            : (new Status(StatusCode.Internal, $"{body.Length} bytes after the unary response message"), default);
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
