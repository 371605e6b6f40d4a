using System.Buffers;
using Grpc.Core;

namespace OptOutGate.LoadTests.Http2;

/// <summary>
/// A unary call: the response body is kept whole and read as exactly one message when the trailers end the call. An
/// instance can be started again once it has completed.
/// </summary>
internal abstract class Http2UnaryCall : Http2Call
{
    private readonly ArrayBufferWriter<byte> _body = new(4 * 1024);

    internal override int BodyLength => _body.WrittenCount;

    internal override void Reset()
    {
        base.Reset();
        _body.ResetWrittenCount();
    }

    internal override Status? AppendBody(ReadOnlySpan<byte> data)
    {
        _body.Write(data);
        return null;
    }

    internal override (Status Status, ReadOnlySequence<byte> Message) Finish(List<(string Name, string Value)> trailers)
    {
        var status = TrailerStatus(trailers);
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
}
