using System.Buffers;
using Grpc.Core;

namespace OptOutGate.LoadTests.Http2;

/// <summary>
/// A long-lived call (a bidirectional stream such as Gate.CheckStream): opened with
/// <see cref="Http2Connection.Open"/>, messages sent with <see cref="Http2Connection.Send"/>, and each response
/// message handed to <see cref="OnMessage"/> on the reader thread as soon as its last byte arrives. DATA frame
/// boundaries have nothing to do with message boundaries, so a message's start waits here for its end.
/// </summary>
internal abstract class Http2StreamCall : Http2Call
{
    private byte[] _partial = new byte[16 * 1024];
    private int _partialLength;

    internal override int BodyLength => _partialLength;

    /// <summary>A writer is inside one of this stream's messages (under the connection's send lock).</summary>
    internal bool Writing { get; set; }

    /// <summary>One response message, valid only during the call; runs on the reader thread (quick, never blocking).</summary>
    protected internal abstract void OnMessage(ReadOnlySequence<byte> message);

    internal override void Reset()
    {
        base.Reset();
        _partialLength = 0;
    }

    internal override Status? AppendBody(ReadOnlySpan<byte> data)
    {
        if (_partialLength + data.Length > _partial.Length)
        {
            Array.Resize(ref _partial, Math.Max(_partial.Length * 2, _partialLength + data.Length));
        }

        data.CopyTo(_partial.AsSpan(_partialLength));
        _partialLength += data.Length;
        var body = new ReadOnlySequence<byte>(_partial, 0, _partialLength);
        try
        {
            while (MessageFraming.TryReadMessage(ref body, int.MaxValue, out var message, out var compressed))
            {
                if (compressed)
                {
                    return new Status(StatusCode.Internal, "a compressed response message, though this client asked for none");
                }

                OnMessage(message);
            }
        }
        catch (RpcException ex)
        {
            return ex.Status;
        }
#pragma warning disable CA1031 // The reader thread must outlive a message its handler cannot take: the stream ends instead.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new Status(StatusCode.Internal, "a response message this client cannot read: " + ex.Message);
        }

        // Keep the start of the next message at the front.
        var left = (int)body.Length;
        _partial.AsSpan(_partialLength - left, left).CopyTo(_partial);
        _partialLength = left;
        return null;
    }

    internal override (Status Status, ReadOnlySequence<byte> Message) Finish(List<(string Name, string Value)> trailers)
    {
        var status = TrailerStatus(trailers);
        return status.StatusCode == StatusCode.OK && _partialLength > 0
            ? (new Status(StatusCode.Internal, $"the stream ended inside a message ({_partialLength} bytes of it)"), default)
            : (status, default);
    }
}
